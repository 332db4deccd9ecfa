"""bench/versus.py: the per-page medians and ratios of an interleaved before/after run."""
from bench.versus import compare, markdown


def _run(open_s, period_s):
    return {"times": {"trender": {"open": open_s, "period": period_s}}, "errors": {}}


def test_ratios_are_medians_per_interaction_then_over_interactions():
    runs = {"base": [_run([1.0, 3.0], [2.0]), _run([2.0], [2.0])],
            "this": [_run([1.0, 1.0], [3.0]), _run([1.0], [3.0])]}
    (row,) = compare(runs, "this")
    assert row["page"] == "trender"
    assert row["median_s"] == {"base": 2.0, "this": 1.0}
    # open: 1.0 / 2.0 = 0.5; period: 3.0 / 2.0 = 1.5; median 1.0
    assert row["ratio_vs_base"] == (1.0, 0.5, 1.5)
    text = markdown([row], ["base", "this"], "this")
    assert "| trender | 2.000 | 1.000 | 1.00 (0.50–1.50) |" in text


def test_a_page_the_base_does_not_have_gets_no_ratio():
    runs = {"base": [{"times": {}, "errors": {}}], "this": [_run([1.0], [1.0])]}
    (row,) = compare(runs, "this")
    assert row["ratio_vs_base"] is None
    assert "| trender | nan | 1.000 | – |" in markdown([row], ["base", "this"], "this")
