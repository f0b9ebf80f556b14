"""The benchmark's figures as a Markdown table: this bot beside the stock bot, with how many
times better (or worse) this bot does. Pure functions: tests/test_benchmark.py."""

from __future__ import annotations

import math
import statistics

Row = tuple[str, str, str, str]
HEADER: Row = ("", "this bot", "stock `rasa init` bot", "this bot is")


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the nearest ranks (numpy's default), fraction in [0, 1]."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def latency_summary(latencies_ms: list[float]) -> dict:
    return {"count": len(latencies_ms), "p50": round(statistics.median(latencies_ms), 1),
            "p95": round(percentile(latencies_ms, 0.95), 1), "max": round(max(latencies_ms), 1)}


def number(value: float | None) -> str:
    """Three significant figures at most, and no decimals where they would be noise."""
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def times_better(ours: float, stock: float, lower_is_better: bool) -> float:
    return stock / ours if lower_is_better else ours / stock


def ratio_text(ours: float | None, stock: float | None, lower_is_better: bool,
               better: str, worse: str) -> str:
    """'2.4× faster', '1.3× slower': always a factor above one, with the word that fits."""
    if not ours or not stock:
        return "—"
    ratio = times_better(ours, stock, lower_is_better)
    if round(ratio, 1) == 1.0:
        return "about the same"
    return f"{ratio:.1f}× {better}" if ratio > 1 else f"{1 / ratio:.1f}× {worse}"


def compared(label: str, ours: float | None, stock: float | None, lower_is_better: bool,
             better: str, worse: str) -> Row:
    return (label, number(ours), number(stock),
            ratio_text(ours, stock, lower_is_better, better, worse))


def comparison_rows(results: dict) -> list[Row]:
    ours, stock = results["ours"], results["stock"]
    rows = [
        compared("reply latency p50, one message at a time (ms)", ours["solo_ms"]["p50"],
                 stock["solo_ms"]["p50"], True, "faster", "slower"),
        compared("reply latency p95, one message at a time (ms)", ours["solo_ms"]["p95"],
                 stock["solo_ms"]["p95"], True, "faster", "slower"),
        compared(f"throughput, {results['settings']['senders']} senders at once (messages/s)",
                 ours["crowd_messages_per_second"], stock["crowd_messages_per_second"], False,
                 "higher", "lower"),
        compared(f"reply latency p95, {results['settings']['senders']} senders at once (ms)",
                 ours["crowd_ms"]["p95"], stock["crowd_ms"]["p95"], True, "faster", "slower"),
        compared("Rasa server memory after the benchmark (MiB RSS)", ours["rasa_rss_mib"],
                 stock["rasa_rss_mib"], True, "smaller", "larger"),
        compared("full training, `rasa train --force` (s)", ours.get("train_seconds"),
                 stock.get("train_seconds"), True, "faster", "slower"),
        compared("the same training's CPU time (s)", ours.get("train_cpu_seconds"),
                 stock.get("train_cpu_seconds"), True, "less", "more"),
    ]
    edits = results.get("edits_to_live", {}).get("edits", [])
    for edit in edits:
        rows.append((f"edit to live: {edit['edit']} (s)", edit_cell(edit), "—", "—"))
    stalls = [edit["longest_stall_ms"] for edit in edits
              if edit.get("longest_stall_ms") is not None]
    if stalls:
        rows.append(("longest wait for a reply while a new model is swapped in (ms)",
                     number(max(stalls)), "—", "—"))
    return rows


def edit_cell(edit: dict) -> str:
    """'52 (make train 47 + going live 5)', or why there is no figure."""
    if edit.get("error"):
        return f"not measured: {edit['error']}"
    return (f"{number(edit['seconds_to_live'])} (make train {number(edit['make_train_seconds'])}"
            f" + going live {number(edit['going_live_seconds'])})")


def markdown_table(rows: list[Row], header: Row = HEADER) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in rows]
    return "\n".join(lines)
