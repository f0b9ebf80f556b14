"""`make nlu-sealed`: the sealed answer sets (tests/nlu_sealed/) sent to the real bot over REST,
each message a new patient, scored by what the patient sees first (harness/replies.py):
- held-out: the right answer to the question (a condition question naming the condition asked,
  a notice question about its topic; a clarifying question or a deflection is a miss unless
  that is the right answer);
- two questions: every question answered, in order, in the first reply;
- not on the page: a plain "we don't have that here" with the phone number, never a fact, a
  guess or a clarifying question.
Prints aggregate figures only, each with its 95% Wilson interval, never a message: once anyone
reads a sealed set's misses it is a development set, and a new one is written (README there).
Prints whether issue 23's targets are met; exits 1 below the floors (the last measured figures
less a message's slack: a change may only make them better).

Usage: python -m scripts.check_sealed_answers [--model FILE]
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

from harness.bot_servers import ROOT, running_bot
from harness.evaluation_sets import nlu_examples
from harness.replies import answered, in_language, response_of, without_check_in
from safety.scoring import Rate
from scripts.measuring import verdict
from services.launch import MODEL

SEALED = ROOT / "tests" / "nlu_sealed"
# Issue 23's targets by kind of set (the file name's start), printed met or not.
# A Spanish set (heldout_es_*) is right only when answered in Spanish (issue 24: gate 95%).
TARGETS = {"heldout_es": 0.95, "heldout": 0.97, "two_questions": 0.90, "not_on_page": 0.95}
# The floors `make nlu-sealed` fails below: each set's figure as last measured, less one
# message (docs/performance.md; 2026-12-04, after the condition describer and the details
# phrasings: held-out round 6 397/407 and not on the page round 4 117/121 (first scores), two
# questions round 3 89/97 (fourth score)); the Spanish held-out sets: the second 247/254 at its
# first and second scores, the third 228/239 at its first (2026-12-04). A set not measured yet
# has none.
FLOORS = {"heldout_6.yml": 0.972, "heldout_es_2.yml": 0.968, "heldout_es_3.yml": 0.949,
          "not_on_page_4.yml": 0.958, "two_questions_3.yml": 0.907}


def target_of(name: str) -> float:
    return next(target for kind, target in TARGETS.items() if name.startswith(kind))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "sealed_answers.json")
    args = parser.parse_args(argv)
    sets = {path.name: nlu_examples(path) for path in sorted(SEALED.glob("*.yml"))}
    with running_bot(args.model) as bot:
        seen = {name: [bot.send(f"sealed-{uuid.uuid4().hex}", text) for _, text in cases]
                for name, cases in sets.items()}
    figures, short, failed = {}, [], []
    for name, cases in sets.items():
        spanish = name.startswith("heldout_es")
        right = sum(answered(label, messages) and (not spanish or in_language(messages, "es"))
                    for (label, _), messages in zip(cases, seen[name], strict=True))
        firsts = [(messages[0].get("text") or "") if messages else "" for messages in seen[name]]
        clarified = sum(response_of(first) == "utter_clarify_topic" for first in firsts)
        checked = sum(without_check_in(first) != first for first in firsts)
        rate = Rate(right, len(cases))
        print(f"{name:<22} answered right {rate.text()}; clarifying questions {clarified}, "
              f"check-ins (988) {checked}")
        figures[name] = {"right": rate.as_dict(), "clarifying_questions": clarified,
                         "check_ins": checked}
        if rate.value < target_of(name):
            short.append(f"{name}: {rate.value:.1%} (needs >= {target_of(name):.0%})")
        if rate.value < FLOORS.get(name, 0.0):
            failed.append(f"{name}: {rate.value:.1%} (floor {FLOORS[name]:.1%})")
    return verdict(figures, args.out, "The targets (issue 23; Spanish: issue 24)", short, failed)


if __name__ == "__main__":
    sys.exit(main())
