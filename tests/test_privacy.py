"""Small-count suppression: primary rule, secondary suppression, audiences."""
from __future__ import annotations

import pandas as pd
import pytest

from lagesbild.privacy import EXTERNAL, Policy, suppress, suppression_mask


def frame(rows):
    return pd.DataFrame(rows, columns=["area", "cat", "n", "sensitive"])


@pytest.mark.parametrize("n,sensitive,hidden", [
    (0, True, False), (1, True, True), (4, True, True), (5, True, False),
    (1, False, False), (4, False, False), (100, True, False),
])
def test_primary_rule(n, sensitive, hidden):
    df = frame([("A", "x", n, sensitive)])
    assert suppress(df, Policy(k=5))["suppressed"].tolist() == [hidden]


def test_threshold_is_configurable():
    df = frame([("A", "x", 7, True)])
    assert suppress(df, Policy(k=10))["n_label"].tolist() == ["<10"]
    assert suppress(df, Policy(k=5))["n_label"].tolist() == ["7"]


def test_external_audience_hides_place_bound_small_counts_too():
    df = frame([("A", "klotter", 3, False), ("A", "brand", 12, False), ("A", "x", 9, False)])
    out = suppress(df, Policy(k=5, audience=EXTERNAL))
    assert out["suppressed"].tolist() == [True, False, True]


def test_secondary_suppression_protects_row_totals():
    # Row A: one cell hidden by the rule, so the smallest other non-zero cell is hidden too.
    df = frame([("A", "x", 2, True), ("A", "y", 40, False), ("A", "z", 9, False),
                ("B", "x", 30, True), ("B", "y", 50, False), ("B", "z", 12, False)])
    mask = suppression_mask(df, Policy(k=5), rows=["area"], cols=["cat"])
    assert mask.tolist() == [True, False, True, True, False, True]


def test_secondary_suppression_in_one_dimension():
    df = frame([("A", "x", 3, True), ("B", "x", 20, True), ("C", "x", 8, True)])
    out = suppress(df, Policy(k=5))
    assert out["n_label"].tolist() == ["<5", "20", "<5"]
    assert out["n"].isna().tolist() == [True, False, True]


def test_no_hidden_cell_can_be_derived_from_any_margin():
    df = frame([(a, c, n, True) for a, c, n in [
        ("A", "x", 1, ), ("A", "y", 7), ("A", "z", 30), ("B", "x", 6), ("B", "y", 2), ("B", "z", 15),
        ("C", "x", 11), ("C", "y", 14), ("C", "z", 0)]])
    out = suppress(df, Policy(k=5), rows=["area"], cols=["cat"])
    table = out.pivot(index="area", columns="cat", values="suppressed")
    for axis in (0, 1):
        hidden_per_line = table.sum(axis=axis)
        assert not (hidden_per_line == 1).any()


def test_derived_values_are_hidden_with_their_count():
    df = frame([("A", "x", 2, True), ("B", "x", 50, True), ("C", "x", 60, True)]).assign(rate=[0.1, 2.5, 3.0])
    out = suppress(df, Policy(k=5), derived=("rate",))
    assert out["rate"].isna().tolist() == [True, True, False]  # B is the secondary cell


def test_empty_frame():
    out = suppress(frame([]), Policy())
    assert out.empty and "n_label" in out
