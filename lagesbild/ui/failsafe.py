"""A page that fails shows a short Swedish message with a reference, never a traceback.

The full traceback goes to the server's log (standard `logging`, logger 'lagesbild.app') under
the same reference, so whoever runs the server can find it from what a visitor reports.
"""
from __future__ import annotations

import logging
import secrets
from contextlib import contextmanager

import streamlit as st

from lagesbild.access.rules import AccessDenied
from lagesbild.store.failures import store_failure

log = logging.getLogger("lagesbild.app")
UNEXPECTED = ("Något gick fel när sidan skulle visas. Ladda om sidan eller försök igen om en stund. Om felet "
              "består, kontakta den som driftar Lägesbild och uppge referens {}.")


def reference() -> str:
    """Six characters to quote, e.g. 'A3F09C'."""
    return secrets.token_hex(3).upper()


@contextmanager
def friendly_errors():
    """Run a page; show an unexpected exception as a message with a reference and log it.

    Streamlit's own control flow (st.stop, st.rerun, st.switch_page) is no Exception and passes.
    """
    try:
        yield
    except AccessDenied as exc:  # a role does not allow it: say so, no reference needed
        st.error(str(exc), icon=":material/lock:")
    except Exception as exc:  # noqa: BLE001 - the last line of defence of a page
        ref = reference()
        failure = store_failure(exc)
        if failure is not None:
            log.error("referens %s: %s: %s", ref, type(failure).__name__, failure.message)
            st.error(f"{failure.message} (referens {ref})", icon=":material/error:")
        else:
            log.exception("referens %s: oväntat fel på sidan", ref)
            st.error(UNEXPECTED.format(ref), icon=":material/error:")
