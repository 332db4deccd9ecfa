"""Datakällor: upload a file, check it, import it; the import log and freshness per source."""
from __future__ import annotations

import streamlit as st

from lagesbild.access import AccessDenied
from lagesbild.access.imports import import_as
from lagesbild.access.ui import current_user
from lagesbild.domain.vocab import SOURCES
from lagesbild.errors import InputError
from lagesbild.pageviews import datakallor
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.feeds import feeds_panel, statuses
from loaders.kinds import Options
from loaders.pipeline import DATA_KINDS, KINDS
from loaders.report import check_upload, problems_frame
from loaders.source import MAX_UPLOAD_MB, SourceFile

common.page_header(datakallor.TITLE, datakallor.INTRO)
engine = common.engine()  # for checking and importing a file (writes go through loaders.pipeline)

user = current_user()  # only the kinds and sources this user may import (checked again in import_as)
kind = st.selectbox("Typ av data", datakallor.kinds_for(user, KINDS), format_func=KINDS.get)
source = st.selectbox("Källa (aktör)", datakallor.sources_for(user, kind), format_func=SOURCES.get,
                      disabled=kind in datakallor.FIXED_SOURCE_KINDS)
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
    said = datakallor.checked(check)
    if not said.ok:
        st.error(said.headline)
        st.dataframe(problems_frame(check.problems), hide_index=True, width="stretch")
    else:
        prepared = check.prepared
        st.success(said.headline)
        for note in said.notes:
            st.info(note)
        st.dataframe(prepared.preview.head(50), width="stretch")
        demo = common.is_demo() and kind in DATA_KINDS
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
view = datakallor.build(statuses(), data.freshness(common.policy()), data.import_log())
st.dataframe(view.freshness, hide_index=True, width="stretch")
feeds_panel(engine)
st.subheader("Importlogg")
st.dataframe(view.log, hide_index=True, width="stretch")
