"""The benchmark's arithmetic and table (scripts/bench/figures.py, training.py): no servers."""

from __future__ import annotations

import pytest

from scripts.bench.figures import (
    comparison_rows,
    latency_summary,
    markdown_table,
    number,
    percentile,
    ratio_text,
)
from scripts.bench.training import cache_use


def test_percentile_interpolates_between_ranks():
    values = [40.0, 10.0, 30.0, 20.0, 50.0]
    assert percentile(values, 0.5) == 30.0
    assert percentile(values, 0.95) == pytest.approx(48.0)
    assert percentile(values, 0) == 10.0 and percentile(values, 1) == 50.0
    assert percentile([7.0], 0.95) == 7.0


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_latency_summary_gives_count_median_p95_and_max():
    assert latency_summary([float(ms) for ms in range(1, 101)]) == {
        "count": 100, "p50": 50.5, "p95": 95.0, "max": 100.0}


def test_ratio_reads_as_times_better_or_worse_for_this_bot():
    assert ratio_text(20, 50, True, "faster", "slower") == "2.5× faster"
    assert ratio_text(50, 20, True, "faster", "slower") == "2.5× slower"
    assert ratio_text(30, 10, False, "higher", "lower") == "3.0× higher"
    assert ratio_text(100, 102, True, "faster", "slower") == "about the same"
    assert ratio_text(None, 10, True, "faster", "slower") == "—"


def test_numbers_keep_only_meaningful_digits():
    assert [number(v) for v in (1234.5, 641.2, 25.04, 9.876, 0.5, None)] == \
        ["1,234", "641", "25", "9.88", "0.5", "—"]


def results(edits: list | None = None) -> dict:
    side = {"solo_ms": {"p50": 25.0, "p95": 40.0}, "crowd_ms": {"p95": 200.0},
            "crowd_messages_per_second": 80.0, "rasa_rss_mib": 600.0, "train_seconds": 40.0,
            "train_cpu_seconds": 50.0}
    stock = {"solo_ms": {"p50": 50.0, "p95": 80.0}, "crowd_ms": {"p95": 400.0},
             "crowd_messages_per_second": 40.0, "rasa_rss_mib": 900.0, "train_seconds": 120.0,
             "train_cpu_seconds": 200.0}
    figures = {"settings": {"senders": 10}, "ours": side, "stock": stock}
    if edits is not None:
        figures["edits_to_live"] = {"edits": edits}
    return figures


def test_table_compares_each_figure_with_its_ratio():
    rows = comparison_rows(results())
    assert rows[0] == ("reply latency p50, one message at a time (ms)", "25", "50", "2.0× faster")
    assert ("throughput, 10 senders at once (messages/s)", "80", "40", "2.0× higher") in rows
    assert ("Rasa server memory after the benchmark (MiB RSS)", "600", "900", "1.5× smaller") \
        in rows
    assert rows[-2:] == [("full training, `rasa train --force` (s)", "40", "120", "3.0× faster"),
                         ("the same training's CPU time (s)", "50", "200", "4.0× less")]


def test_edits_to_live_are_this_bots_only_with_the_longest_stall():
    edits = [{"edit": "reword an answer", "seconds_to_live": 52.0, "make_train_seconds": 47.0,
              "going_live_seconds": 5.0, "longest_stall_ms": 120.0},
             {"edit": "add a topic file", "error": "make train failed"}]
    rows = comparison_rows(results(edits))
    assert ("edit to live: reword an answer (s)", "52 (make train 47 + going live 5)", "—",
            "—") in rows
    assert ("edit to live: add a topic file (s)", "not measured: make train failed", "—",
            "—") in rows
    assert rows[-1][:2] == ("longest wait for a reply while a new model is swapped in (ms)",
                            "120")


def test_markdown_table_has_a_header_an_alignment_line_and_escaped_cells():
    table = markdown_table([("a|b", "1", "2", "3")], header=("", "x", "y", "z")).splitlines()
    assert table == ["|  | x | y | z |", "|---|---:|---:|---:|", "| a\\|b | 1 | 2 | 3 |"]


def test_cache_use_lists_components_trained_and_restored():
    output = """INFO rasa.engine.training.hooks - Restored component 'SpacyNLP' from cache.
INFO rasa.engine.training.hooks - Restored component 'LinearIntentClassifier' from cache.
INFO rasa.engine.training.hooks - Starting to train component 'RulePolicy'.
INFO rasa.engine.training.hooks - Finished training component 'RulePolicy'."""
    assert cache_use(output) == {"trained": ["RulePolicy"],
                                 "from_cache": ["LinearIntentClassifier", "SpacyNLP"]}
