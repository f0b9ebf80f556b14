"""Several questions in one message ("how big is the cut and how long till im back to
normal?"): where one ask ends and the next begins.

A message is cut before a word that starts a question when it follows a question mark, a
semicolon, or a joining word ("and", "also", "plus", "&"); each piece is then classified on
its own (components/linear_intent_classifier.py). Only pieces that are clearly different
questions make a message "several": the classifier must be sure of each, and of a different
topic for each. The answers are said in order, in one reply (components/courteous_nlg.py reads
the `question` entities set here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The entity that names each further question's intent, in order, after the first one.
ENTITY = "question"

# Words that begin a question. A joining word is a cut only before one of these, so
# "less blood and scarring" or "my wife and i" stay whole.
QUESTION_STARTS = frozenset(
    "what whats how hows who whos when where which why is are was do does did can could "
    "will would should any anything may".split())
JOINING_WORDS = frozenset(["and", "also", "plus", "&", "+", "n"])
ASK_ENDS = frozenset(["?", ";"])
# A piece shorter than this many words is not a question of its own.
MIN_WORDS = 2


def pieces(words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) word indices of each ask in a message of these lower-case words."""
    cuts, listed = [0], []
    index = 1
    while index < len(words):
        start = index
        # Past the joining words and commas ("..., and also what ...") to the next word.
        while start < len(words) and _joins(words[start]):
            start += 1
        joined = any(word in JOINING_WORDS for word in words[index:start])
        if start < len(words) and words[start] in QUESTION_STARTS:
            if words[index - 1] in ASK_ENDS or joined:
                cuts.append(index)
            elif words[index] == ",":
                listed.append(index)
            index = max(index, start - 1)
        index += 1
    # A comma before a question word cuts only in a list of questions ("what is it, how big is
    # the cut and how long is recovery"): "if i have stenosis, what are my options" is one.
    if len(cuts) > 1:
        cuts = sorted([*cuts, *listed])
    found = []
    for start, end in zip(cuts, [*cuts[1:], len(words)], strict=True):
        # Each piece from its question word: "and how long..." is read as "how long...".
        while start < end and _joins(words[start]):
            start += 1
        if sum(any(c.isalnum() for c in word) for word in words[start:end]) >= MIN_WORDS:
            found.append((start, end))
    return found


def _joins(word: str) -> bool:
    return word in JOINING_WORDS or word == ","


def several(readings: Sequence[dict[str, Any]], min_confidence: float) -> bool:
    """Whether each piece's reading (its top intent) is sure and each is of its own topic."""
    names = [reading["name"] for reading in readings]
    return (len(readings) >= 2 and len(set(names)) == len(names)
            and all(reading["confidence"] >= min_confidence for reading in readings))
