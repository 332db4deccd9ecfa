"""The disclosure rule (lagesbild.privacy): the perturbation table, publish, audiences, the read gate.

Inline inputs, exact expected values. The attacks across views are in test_privacy_attacks.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lagesbild.privacy import (EXTERNAL, KEY_MODULUS, PTABLE, Policy, UnpublishedError, assert_published,
                               cell_keys, publish, record_keys)


def frame(rows):
    return pd.DataFrame(rows, columns=["area", "n", "ksum", "sensitive"])


@pytest.mark.parametrize("cell_key,noise", [
    (0, -2), (3276, -2), (3277, -1), (22937, -1), (22938, 0), (42597, 0), (42598, 1), (62258, 1),
    (62259, 2), (65535, 2),
])
def test_perturbation_table_slices_the_cell_keys(cell_key, noise):
    assert PTABLE.noise_for(np.array([cell_key])).tolist() == [noise]


def test_perturbation_table_parameters_are_the_documented_ones():
    assert PTABLE.max_deviation == 2
    assert PTABLE.variance == pytest.approx(1.0)
    assert sum(PTABLE.probabilities) == pytest.approx(1.0)
    # Over every possible cell key, each noise value takes its share of the keys.
    noise = PTABLE.noise_for(np.arange(KEY_MODULUS))
    shares = [np.mean(noise == v) for v in PTABLE.noise]
    assert shares == pytest.approx(list(PTABLE.probabilities), abs=1e-4)


def test_cell_key_is_the_sum_of_record_keys_modulo():
    assert cell_keys([0, 65535, 65536, 65537, 3 * 65536 + 7]).tolist() == [0, 65535, 0, 1, 7]


def test_record_keys_are_in_range_and_reproducible_with_a_seed():
    keys = record_keys(10_000)
    assert keys.min() >= 0 and keys.max() < KEY_MODULUS and len(set(keys)) > 5000
    a, b = record_keys(5, np.random.default_rng(1)), record_keys(5, np.random.default_rng(1))
    assert a.tolist() == b.tolist()


@pytest.mark.parametrize("n,ksum,sensitive,shown,label", [
    (0, 0, True, 0.0, "0"),                  # zero stays zero
    (1, 70000, True, None, "<5"),            # 1 … k-1 never as a number
    (4, 100, True, None, "<5"),
    (5, 0, True, None, "<5"),                # noise -2: 3 is below k, so "<k"
    (6, 3277, True, 5.0, "5"),               # noise -1
    (5, 62259, True, 7.0, "7"),              # noise +2
    (40, 22938, True, 40.0, "40"),           # noise 0
    (40, 3277, True, 39.0, "39"),            # noise -1
    (40, 65536 + 42598, True, 41.0, "41"),   # key sum taken modulo 65 536: noise +1
    (1234, 0, True, 1232.0, "1\u00a0232"),
    (3, 0, False, 3.0, "3"),                 # place-bound: exact inside the center
    (40, 0, False, 40.0, "40"),
])
def test_publish_internal(n, ksum, sensitive, shown, label):
    out = publish(frame([("A", n, ksum, sensitive)]), Policy(k=5))
    assert out["n_label"].tolist() == [label]
    assert out["suppressed"].tolist() == [shown is None]
    assert (out["n"].isna().tolist() == [True]) if shown is None else out["n"].tolist() == [shown]
    assert "ksum" not in out


def test_threshold_is_configurable():
    df = frame([("A", 7, 22938, True)])
    assert publish(df, Policy(k=10))["n_label"].tolist() == ["<10"]
    assert publish(df, Policy(k=5))["n_label"].tolist() == ["7"]


def test_external_audience_protects_place_bound_counts_too():
    df = frame([("A", 3, 0, False), ("B", 12, 0, False), ("C", 12, 22938, False), ("D", 0, 5, False)])
    out = publish(df, Policy(k=5, audience=EXTERNAL))
    assert out["n_label"].tolist() == ["<5", "10", "12", "0"]


def test_the_same_cell_gets_the_same_value_and_totals_are_cells_of_their_own():
    """Two tables holding the same records publish the same value; a total is perturbed by its
    own key, so total minus parts is not the hidden part."""
    parts = frame([("A", 3, 1000, True), ("B", 30, 30000, False)])
    total = frame([("all", 33, 20000, True)])
    shown_parts, shown_total = publish(parts, Policy()), publish(total, Policy())
    assert shown_parts["n_label"].tolist() == ["<5", "30"]
    assert shown_total["n"].tolist() == [32.0]  # 20000 is in the slice of noise -1
    assert publish(total, Policy())["n"].tolist() == [32.0]
    assert shown_total["n"].iloc[0] - shown_parts["n"].iloc[1] != 3


def test_a_cell_mixing_person_related_and_place_bound_is_protected():
    mixed = frame([("A", 7, 0, True)])
    assert publish(mixed, Policy())["n"].tolist() == [5.0]  # noise -2, as a person-related cell


def test_prefix_publishes_one_of_several_counts():
    df = pd.DataFrame({"area": ["A"], "n_prev_true": [3], "ksum": [0], "sensitive": [True]})
    out = publish(df, Policy(), value="n_prev_true", prefix="n_prev")
    assert out.columns.tolist() == ["area", "sensitive", "n_prev", "n_prev_suppressed", "n_prev_label"]
    assert out["n_prev_label"].tolist() == ["<5"]


def test_empty_frame():
    out = publish(frame([]), Policy())
    assert out.empty and {"n", "n_label", "suppressed"} <= set(out.columns) and "ksum" not in out


@pytest.mark.parametrize("result", [
    pd.DataFrame({"n": [1], "ksum": [3]}),
    (pd.DataFrame({"n": [1]}), pd.DataFrame({"n": [1], "ksum_0": [3]})),
    pd.DataFrame({"rkey": [3]}),
])
def test_the_read_gate_refuses_key_sums(result):
    with pytest.raises(UnpublishedError):
        assert_published(result)


def test_the_read_gate_lets_published_frames_through():
    assert_published(publish(frame([("A", 3, 0, True)]), Policy()))
    assert_published((pd.DataFrame({"n": [1.0]}), 3, "text"))


def test_privacy_report_counts_cells_and_changes():
    from lagesbild.privacy_report import effect
    raw = pd.DataFrame({"n": [0, 3, 40, 40, 9], "ksum": [0, 0, 22938, 3277, 62259],
                        "sensitive": [True, True, True, True, False]})
    assert effect(raw, Policy()) == {"cells": 4, "protected": 3, "small": 1, "moved": 1, "mean_abs": 0.5,
                                     "max_abs": 1, "max_rel": 0.025}
