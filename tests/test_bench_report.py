"""The benchmark report's browser section (bench/report.py): what `make bench` writes."""
from bench.report import browser_markdown


def test_the_browser_times_are_a_table_per_page_in_swedish_page_names():
    text = browser_markdown({"oversikt": {"wall_ms": 2511, "task_ms": 3327, "script_ms": 1548},
                             "karta": {"wall_ms": 1653, "task_ms": 2868, "script_ms": 826}})
    assert "| Översikt | 2511 | 3327 | 1548 |" in text
    assert "| Karta | 1653 | 2868 | 826 |" in text


def test_a_machine_without_chromium_says_so_instead_of_a_number():
    assert browser_markdown({"error": "no /usr/bin/chromium"}) == "Not measured: no /usr/bin/chromium."
