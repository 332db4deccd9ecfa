"""Streamlit glue shared by the pages: engine, caches, filters and the page header."""
