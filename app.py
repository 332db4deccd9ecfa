"""Lägesbild: the router. Shared sidebar filters, then the chosen page from views/ (see README: why not pages/)."""
import streamlit as st

from lagesbild.access import ui as access_ui
from lagesbild.ui import common
from lagesbild.ui.failsafe import friendly_errors
from lagesbild.ui.filters import sidebar_filters

st.set_page_config(page_title="Lägesbild", page_icon=":material/radar:", layout="wide")

PAGES = {
    "Lägesbild": [
        st.Page("views/oversikt.py", title="Översikt", icon=":material/dashboard:", default=True),
        st.Page("views/veckobriefing.py", title="Veckobriefing", icon=":material/calendar_view_week:"),
        st.Page("views/trender.py", title="Trender", icon=":material/trending_up:"),
        st.Page("views/karta.py", title="Karta", icon=":material/map:"),
        st.Page("views/pyramiden.py", title="Våldspyramiden", icon=":material/change_history:"),
    ],
    "Uppföljning": [
        st.Page("views/insatser.py", title="Insatser", icon=":material/task_alt:"),
        st.Page("views/vandringar.py", title="Trygghetsvandringar", icon=":material/directions_walk:"),
        st.Page("views/boende.py", title="Boende", icon=":material/apartment:"),
    ],
    "Analys och data": [
        st.Page("views/utforska.py", title="Utforska", icon=":material/table_chart:"),
        st.Page("views/datakallor.py", title="Datakällor", icon=":material/upload_file:"),
        st.Page("views/granskning.py", title="Granskning", icon=":material/policy:"),
    ],
}

OWN_PERIOD = {"veckobriefing"}  # chooses its own week: no period widget
NO_SELECTION = {"datakallor", "granskning"}  # count nothing of the selection: no Urval at all

with friendly_errors():  # a Swedish message with a reference instead of a traceback
    user = access_ui.gate(common.engine())  # sign-in (or open mode on localhost); stops if refused
    page = st.navigation(access_ui.allowed_pages(PAGES, user))  # only the pages the user's roles allow
    # The filters are bound to the address (bind="query-params"): a page that does not draw them
    # keeps them for the next page that does (tests/test_browser.py::test_the_selection_survives_datakallor).
    if page.url_path not in NO_SELECTION:
        st.session_state["_filters"] = sidebar_filters(with_period=page.url_path not in OWN_PERIOD)
    page.run()
