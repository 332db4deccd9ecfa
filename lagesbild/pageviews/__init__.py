"""One pure view builder per page: data in, a frozen view dataclass out.

A module here is named after its page (`views/<page>.py` → `lagesbild/pageviews/<page>.py`) and
holds `build(...) -> <Page>View`. A builder takes what the cached queries returned (and the page's
widget choices) and returns everything the page shows: headings, metric texts, tables, figures and
notes, already in Swedish. It never imports Streamlit and never opens a connection, so it is tested
without either (`tests/test_pageviews_*.py`). The page only places widgets, calls `data.*` and
renders the view.
"""
