"""Datakällor: upload a file, check it, import it; the import log and freshness per source."""
from __future__ import annotations

import streamlit as st

from lagesbild.access import AccessDenied
from lagesbild.access.imports import allowed, import_as
from lagesbild.access.ui import current_user
from lagesbild.domain.vocab import SOURCES
from lagesbild.errors import InputError
from lagesbild.exports import neutralise_formulas
from lagesbild.queries.imports import freshness, import_log
from lagesbild.ui import common
from lagesbild.ui.feeds import feeds_panel
from loaders.demo_guard import holds_demo
from loaders.kinds import Options
from loaders.pipeline import DATA_KINDS, KINDS
from loaders.report import check_upload, problems_frame
from loaders.source import MAX_UPLOAD_MB, SourceFile

common.page_header("Datakällor", "Importera filer från aktörerna. Filen kontrolleras innan "
                   "något sparas; en fil med fel sparas inte alls.")
engine = common.engine()

user = current_user()  # only the kinds and sources this user may import (checked again in import_as)
kinds = [k for k in KINDS if any(allowed(user, k, s) for s in [*SOURCES, None])]
kind = st.selectbox("Typ av data", kinds, format_func=KINDS.get)
sources = [s for s in SOURCES if allowed(user, kind, s)] or list(SOURCES)
source = st.selectbox("Källa (aktör)", sources, format_func=SOURCES.get,
                      disabled=kind in ("polisen", "areas", "population", "actions", "outcomes"))
upload = st.file_uploader("Fil", type=["csv", "txt", "xlsx", "json", "geojson", "gpkg", "zip"],
                          max_upload_size=MAX_UPLOAD_MB)
options = Options(source="polis" if kind == "polisen" else source)
if kind == "population":
    year = st.number_input("År (om filen inte anger året)", 2000, 2100, value=None, step=1)
    key = st.file_uploader("SCB:s nyckel DeSO→RegSO (bara för filer med DeSO-koder)", type=["csv"])
    options = Options(year=int(year) if year else None,
                      deso_key=SourceFile(key.name, key.getvalue()) if key else None)

if upload is not None:
    file = SourceFile(upload.name, upload.getvalue())  # the upload's bytes, copied once
    check = check_upload(engine, kind, file.name, file.data, options)
    if not check.ok:
        st.error(f"Filen kan inte importeras ({len(check.problems)} problem). Inget har sparats.")
        st.dataframe(problems_frame(check.problems), hide_index=True, width="stretch")
    else:
        prepared = check.prepared
        st.success(f"Filen är kontrollerad: {prepared.rows_read} rader lästa, "
                   f"{prepared.rows_accepted} att importera.")
        for note in prepared.notes:
            st.info(note)
        st.dataframe(prepared.preview.head(50), width="stretch")
        with engine.connect() as conn:
            demo = holds_demo(conn) and kind in DATA_KINDS
        replace = st.checkbox("Ta bort demodata först", help="Databasen innehåller demodata; riktiga "
                              "data blandas inte med dem.") if demo else False
        if st.button("Importera", type="primary", disabled=demo and not replace):
            bar = st.progress(0.0, "Startar …")
            try:
                result = import_as(user, engine, kind, file, options, replace_demo=replace,
                                   progress=lambda f, t: bar.progress(f, t), prepared=prepared)
            except AccessDenied as exc:
                st.error(str(exc), icon=":material/lock:")
            except InputError as exc:
                st.error("Importen avbröts; inget har sparats.")
                st.dataframe(problems_frame(exc.problems), hide_index=True, width="stretch")
            else:
                common.clear_caches()
                st.success(result.summary())

st.subheader("Hur färska är data?")
feeds_panel(engine)
with engine.connect() as conn:
    st.dataframe(freshness(conn, common.policy()), hide_index=True, width="stretch")
    st.subheader("Importlogg")
    st.dataframe(neutralise_formulas(import_log(conn)), hide_index=True, width="stretch")
