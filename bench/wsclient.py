"""A Streamlit browser session without the browser: Streamlit's own websocket protocol.

The client connects to `/_stcore/stream` (subprotocol "streamlit"), sends protobuf `BackMsg`s with
`rerun_script` (a `ClientState` with the URL query string and the page, as the browser's app does
on load, on a page switch and when the URL changes) and reads protobuf `ForwardMsg`s until
`script_finished`. A page run is timed from sending the rerun request to `script_finished`
(FINISHED_SUCCESSFULLY; a run ended early for a rerun, e.g. by st.switch_page, is followed by the
run that counts).

Filter changes: the sidebar filters are bound to the URL (`bind="query-params"`). The client sends
the new query string with `is_history_navigation=True`, which makes the URL decide the bound
widgets' values, as the browser's back/forward does; for the server this is the same rerun with the
same new filter values as a click in the widget (the widget state a click would send is the same
value the URL now holds).
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Run:
    """One page run as the client saw it."""
    page: str
    seconds: float
    errors: list[str] = field(default_factory=list)  # exception elements and st.error bodies
    bytes: int = 0
    messages: int = 0


class Session:
    """One browser tab: `await Session.open(port)`, then `await s.run(page, params)`."""

    def __init__(self, ws, port: int):
        self.ws, self.port = ws, port
        self.pages: dict[str, str] = {}  # url path -> page_script_hash (from the navigation message)
        self.options: dict[str, list[str]] = {}  # multiselect/selectbox key -> its options (labels)
        self.values: dict[str, list[str]] = {}  # key -> value the server set (from the URL)

    @classmethod
    async def open(cls, port: int, host: str = "127.0.0.1", timeout: float = 30) -> "Session":
        ws = await asyncio.wait_for(websockets.connect(
            f"ws://{host}:{port}/_stcore/stream", subprotocols=["streamlit"], max_size=2 ** 28,
            open_timeout=timeout, ping_interval=None), timeout)
        return cls(ws, port)

    async def close(self) -> None:
        await self.ws.close()

    async def run(self, page: str, params: dict, *, history: bool = False, timeout: float = 120) -> Run:
        """Rerun the script for `page` (its url path, '' for the default page) with these query
        parameters; return when the run has finished."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = urlencode(params, doseq=True)
        cs.page_name = page
        if page in self.pages:
            cs.page_script_hash = self.pages[page]
        cs.is_history_navigation = history
        cs.widget_states.SetInParent()
        cs.context_info.timezone = "Europe/Stockholm"
        cs.context_info.locale = "sv-SE"
        cs.context_info.url = f"http://127.0.0.1:{self.port}/{page}"
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        out = Run(page, 0.0)
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.ws.recv()
                out.bytes += len(raw)
                out.messages += 1
                fwd = ForwardMsg()
                fwd.ParseFromString(raw)
                kind = fwd.WhichOneof("type")
                if kind == "delta":
                    self._element(fwd.delta, out)
                elif kind == "navigation":
                    for p in fwd.navigation.app_pages:
                        self.pages[p.url_pathname] = p.page_script_hash
                elif kind == "page_not_found":
                    out.errors.append(f"page not found: {fwd.page_not_found.page_name!r}")
                elif kind == "script_finished" and fwd.script_finished in DONE:
                    out.seconds = time.perf_counter() - started
                    if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        out.errors.append("the script did not compile")
                    return out

    def _element(self, delta, out: Run) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        what = el.WhichOneof("type")
        if what == "exception":
            out.errors.append(f"{el.exception.type}: {el.exception.message}"[:300])
        elif what == "alert" and el.alert.format == el.alert.ERROR:
            out.errors.append(el.alert.body[:300])
        elif what in ("multiselect", "selectbox"):
            w = getattr(el, what)
            key = w.id.rsplit("-", 1)[-1] if w.id else ""
            if key:
                self.options[key] = list(w.options)
                if w.set_value:  # the server set the value (e.g. from the URL)
                    self.values[key] = list(w.raw_values) if what == "multiselect" else [w.raw_value]
