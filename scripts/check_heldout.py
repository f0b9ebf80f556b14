"""`make nlu-heldout`: every held-out patient phrasing (tests/nlu_heldout.yml) sent to the real
bot over REST, a new conversation each, and scored by what the patient sees first: right only
if it is an answer the rules give to the phrasing's intent (harness/replies.py). A
clarifying question or the deflection ("I don't have an answer to that here...") counts as not
answered, unless that is the right answer (out of scope, or a question the page does not
answer). Prints each miss and a line per intent; exits 1 below the gate.

A label "ask_cost+ask_insurance" is a message asking several questions: right only when the first
reply answers each, in order (tests/nlu_two_questions_dev.yml).

Usage: python -m scripts.check_heldout [--set FILE] [--model FILE] [--minimum 0.95]
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import Counter
from pathlib import Path

from harness.bot_servers import ROOT, running_bot
from harness.evaluation_sets import nlu_examples
from harness.replies import answered, response_of, without_check_in
from services.launch import MODEL

MINIMUM = 0.95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "nlu_heldout.yml")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--minimum", type=float, default=MINIMUM)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "heldout.json")
    args = parser.parse_args(argv)
    cases = nlu_examples(args.set)
    with running_bot(args.model) as bot:
        seen = [bot.send(f"heldout-{uuid.uuid4().hex}", text) for _, text in cases]
    right: Counter = Counter()
    total: Counter = Counter()
    misses = []
    check_ins = 0
    for (intent, text), messages in zip(cases, seen, strict=True):
        total[intent] += 1
        first = (messages[0].get("text") or "") if messages else ""
        check_ins += without_check_in(first) != first
        if answered(intent, messages):
            right[intent] += 1
        else:
            misses.append({"intent": intent, "text": text,
                           "seen": response_of(first) or first[:80]})
    for miss in misses:
        print(f"  expected {miss['intent']:<28} got {miss['seen']:<28} {miss['text']}")
    print(f"\n{'intent':<28} right")
    for intent in sorted(total):
        print(f"{intent:<28} {right[intent]}/{total[intent]}")
    accuracy = sum(right.values()) / max(sum(total.values()), 1)
    print(f"\nAnswered right, as the patient sees it: {accuracy:.1%} of {sum(total.values())} "
          f"phrasings of {args.set.name} (gate {args.minimum:.0%}); {check_ins} answered with "
          f"a check-in (988) after the answer.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"accuracy": accuracy, "check_ins": check_ins,
                                    "misses": misses}, indent=1))
    return 0 if accuracy >= args.minimum else 1


if __name__ == "__main__":
    sys.exit(main())
