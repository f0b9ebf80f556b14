"""The triage's evaluation sets and its training corpus are what issue 21 asks of them, and stay
apart (tests/triage/README.md):
- the sealed sets are the pinned ones: an edit fails here unless the checksum changes in the
  same commit, with the reason in the commit message;
- at least 600 evaluation messages, traps at least as many as dangers;
- a corpus of at least 3,000 messages from several writers, traps at least as many as dangers;
- no evaluation message is a near-copy of a corpus message (the model would be measured on what
  it memorised)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from components.risk_model import corpus_files, read_examples
from harness.evaluation_sets import near_copies, normalised

TRIAGE = Path(__file__).parent / "triage"
# sha256 of each sealed set. Change only with the reason in the commit message.
# Written apart from brief_evaluation.md on 2026-12-04, never opened; scored together by
# `make triage` (a set of traps alone cannot measure recall). sealed_3 and sealed_4 were read
# and are development_fifth.yml and development_sixth.yml; sealed_5 and sealed_6, scored six
# times, are development_seventh.yml and development_eighth.yml.
SEALED: dict[str, str] = {
    # 411 mixed, sealed-7 (9 near-copies of training, corpus or other evaluation messages
    # dropped by script, unread).
    "sealed_7.yml": "e636149efe6c13dc748079e29eebbb45258e3a9732bb015dfd6abb1420724b0e",
    # 250 mostly traps (196 none), sealed-8 (none dropped).
    "sealed_8.yml": "26e5cb2dc7b7c2d2f663fd7961458ba0fb0446ea97d3908fb93791ba2cb967ae",
}
# Spanish (issue 24): written apart in Spanish from the same brief, never opened; scored as a
# measure of its own by `make triage`. 250 messages, none dropped.
SPANISH_SEALED: dict[str, str] = {
    "sealed_1.yml": "14273ea2346700d6ff3274e799d007d6b81a53d81b8968cd1cf0940398884405",
    # A third writer's 316, a third of them crises, many said indirectly (320 written; 4
    # near-copies dropped by script, unread), 2026-12-04, session 2.
    "sealed_3.yml": "bf9cfb2696e0dc7645774f0ae38029de05d62c2167cb4d62ec0cdfb746995c45",
    # A fourth writer's 316, leaning on crises said indirectly (320 written; 4 near-copies
    # dropped by script, unread), 2026-12-04, session 3. It replaces sealed_2, whose one crisis
    # miss was read after its fourth score: sealed_2 is es/development_2.yml.
    "sealed_4.yml": "009a39a8ee05cd39f25e146c4578c9aaf0665d8f67283517f1bfce780e27aa2f",
}
# Sealed sets written apart and never opened, waiting to join `make triage` (pinned the same
# way; moved to tests/triage/ unchanged).
UNOPENED: dict[str, str] = {}
MIN_EVALUATION_MESSAGES = 600
MIN_SEALED_MESSAGES = 300
MIN_CORPUS_MESSAGES = 3000
MIN_CORPUS_WRITERS = 6


def evaluation_sets() -> list[Path]:
    return sorted([*TRIAGE.glob("development*.yml"), *TRIAGE.glob("sealed_*.yml"),
                   *(TRIAGE / "es").glob("*.yml"), *(TRIAGE / "unopened").glob("*.yml")])


def labels_of(examples) -> Counter:
    return Counter(example.label for example in examples)


def test_the_sealed_sets_are_the_pinned_ones():
    found = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
             for path in TRIAGE.glob("sealed_*.yml")}
    assert found == SEALED
    spanish = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in (TRIAGE / "es").glob("sealed_*.yml")}
    assert spanish == SPANISH_SEALED
    waiting = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in (TRIAGE / "unopened").glob("*.yml")}
    assert waiting == UNOPENED


def test_there_are_enough_evaluation_messages_with_traps_at_least_as_many_as_dangers():
    examples = read_examples(evaluation_sets(), label_key="expect")
    # Written apart for issue 21: development.yml, the two former sealed sets, any sealed set.
    new = read_examples([TRIAGE / "development.yml", TRIAGE / "development_third.yml",
                         TRIAGE / "development_fourth.yml", TRIAGE / "development_fifth.yml",
                         TRIAGE / "development_sixth.yml", TRIAGE / "development_seventh.yml",
                         TRIAGE / "development_eighth.yml", *TRIAGE.glob("sealed_*.yml")],
                        label_key="expect")
    assert len(new) >= MIN_EVALUATION_MESSAGES
    sealed = read_examples(sorted(TRIAGE.glob("sealed_*.yml")), label_key="expect")
    # A sealed measure, when there is one, is large enough to mean something.
    assert not sealed or len(sealed) >= MIN_SEALED_MESSAGES
    for chosen in (examples, new, sealed):
        counts = labels_of(chosen)
        assert counts["none"] >= counts["emergency"] + counts["crisis"]


def test_the_corpus_is_large_and_broad_with_traps_at_least_as_many_as_dangers():
    examples = read_examples(corpus_files())
    counts = labels_of(examples)
    assert len(examples) >= MIN_CORPUS_MESSAGES
    assert len({example.writer for example in examples}) >= MIN_CORPUS_WRITERS
    assert counts["none"] >= counts["emergency"] + counts["crisis"]
    texts = [normalised(example.text) for example in examples]
    assert len(set(texts)) >= 0.99 * len(texts)


@pytest.mark.parametrize("path", evaluation_sets(), ids=lambda path: path.name)
def test_no_evaluation_message_is_a_near_copy_of_a_corpus_message(path):
    corpus = tuple(normalised(example.text) for example in read_examples(corpus_files()))
    texts = [example.text for example in read_examples([path], label_key="expect")]
    copies = near_copies(texts, corpus)
    # Never the sealed messages themselves in the output: only how many.
    assert not copies, f"{len(copies)} messages of {path.name} nearly copy corpus messages"
