"""Lägesbild: the router. Shared sidebar filters, then the chosen page from pages/."""
import streamlit as st

from lagesbild.ui import common
from lagesbild.ui.failsafe import friendly_errors
from lagesbild.ui.filters import sidebar_filters

st.set_page_config(page_title="Lägesbild", page_icon=":material/radar:", layout="wide")

PAGES = {
    "Lägesbild": [
        st.Page("pages/oversikt.py", title="Översikt", icon=":material/dashboard:", default=True),
        st.Page("pages/veckobriefing.py", title="Veckobriefing", icon=":material/calendar_view_week:"),
        st.Page("pages/trender.py", title="Trender", icon=":material/trending_up:"),
        st.Page("pages/karta.py", title="Karta", icon=":material/map:"),
        st.Page("pages/pyramiden.py", title="Våldspyramiden", icon=":material/change_history:"),
    ],
    "Uppföljning": [
        st.Page("pages/insatser.py", title="Insatser", icon=":material/task_alt:"),
        st.Page("pages/vandringar.py", title="Trygghetsvandringar", icon=":material/directions_walk:"),
        st.Page("pages/boende.py", title="Boende", icon=":material/apartment:"),
    ],
    "Analys och data": [
        st.Page("pages/utforska.py", title="Utforska", icon=":material/table_chart:"),
        st.Page("pages/datakallor.py", title="Datakällor", icon=":material/upload_file:"),
    ],
}

page = st.navigation(PAGES)
with friendly_errors():  # a Swedish message with a reference instead of a traceback
    common.engine()
    st.session_state["_filters"] = sidebar_filters()
    page.run()
