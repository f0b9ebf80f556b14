"""Several questions in one message ("how big is the cut and how long till im back to
normal?"): where one ask ends and the next begins.

A message is cut after a question mark, and before a word that starts a question when it
follows the end of a sentence or a joining word ("and", "also", "plus", "&"), or a comma after
a question; each piece is then classified on its own (components/linear_intent_classifier.py),
and a piece read as the same question as the one before, or as a follow-up of it, joins it.
Only pieces that are clearly different questions make a message "several": the classifier must
be sure of each, and of a different topic for each. The answers are said in order, in one
reply (components/courteous_nlg.py reads the `question` entities set here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The entity that names each further question's intent, in order, after the first one.
ENTITY = "question"

# Words that begin a question. A joining word or a comma is a cut only before one of these, so
# "less blood and scarring" or "my wife and i" stay whole.
QUESTION_STARTS = frozenset(
    "what whats how hows who whos when where wheres which why is are was am do does did can could "
    "will would should any anything may has have "
    # as texted
    "wat wats r whn wen wher hw".split())
# Words that open each item of a list of benefits ("less blood less scarring"): from the
# second on, each starts an ask of its own.
COMPARATIVES = frozenset("less fewer smaller shorter faster quicker lower".split())
# A piece with a question word this near its start asks ("after mig-lif how long is recovery");
# a verb that can start a question asks there only when a subject follows it ("after that can i
# drive"), not in a statement ("my daughter is 15", "my back has been bad").
ASKS_WITHIN = 4
QUESTION_WORDS = frozenset(
    "what whats how hows who whos when where wheres which why any anything wat wats whn wen wher "
    "hw".split())
SUBJECTS = frozenset(
    "i you u ya it they we he she there this that these those my your ur the a an someone "
    "somebody anyone anybody people patients".split())
# Requests that ask without a question word ("tell me about mig-lif. and the number?").
REQUESTS = frozenset("tell explain give show list describe".split())
JOINING_WORDS = frozenset(["and", "also", "plus", "&", "+", "n", "oh", "btw", "then"])
# The end of a sentence ("do you fix slipped discs. how do i book"): a cut before a question
# word. A question mark ends an ask whatever follows it ("wheres ur office? number?").
SENTENCE_ENDS = frozenset([".", "!", ";"])
QUESTION_MARK = "?"
# A piece read as one of these goes on the question before it ("what is that", "and for that?").
PART_OF_THE_LAST = frozenset(["follow_up"])
# Pieces that are not questions: a message with one is not "several".
NOT_QUESTIONS = frozenset(["greet", "thank", "goodbye", "affirm", "deny"])
# A piece shorter than this many words is not a question of its own, unless it ends with a
# question mark ("price??").
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
        if joined and start + 1 < len(words) and words[start].endswith("ly") \
                and words[start + 1] in QUESTION_STARTS:
            # "..., and realistically when am i back to normal"
            start += 1
        after = words[index - 1]
        if start < len(words) and after == QUESTION_MARK and words[index] != QUESTION_MARK:
            cuts.append(index)
        elif start < len(words) and words[start] in COMPARATIVES \
                and any(word in COMPARATIVES for word in words[:index]) \
                and (start > index or words[cuts[-1]] in COMPARATIVES):
            # A list of benefits asks each: "less blood, less scarring and a smaller cut?", "less
            # blood less scarring"; not "and is infection less likely" (one question).
            cuts.append(index)
            index = max(index, start)
        elif start < len(words) and words[start] in QUESTION_STARTS:
            if after in SENTENCE_ENDS or joined:
                cuts.append(index)
            elif words[index] == ",":
                listed.append(index)
            index = max(index, start - 1)
        index += 1
    # A comma before a question word cuts in a list of questions ("what is it, how big is the
    # cut and how long is recovery") or after a question ("is there less pain, how fast do
    # people recover"): "if i have stenosis, what are my options" is one.
    if len(cuts) > 1 or (words and words[0] in QUESTION_STARTS):
        cuts = sorted({*cuts, *listed})
    found: list[tuple[int, int]] = []
    told = None  # the start of a statement that goes with the question after it
    for start, end in zip(cuts, [*cuts[1:], len(words)], strict=True):
        # Each piece from its question word: "and how long..." is read as "how long...".
        while start < end and _joins(words[start]):
            start += 1
        content = sum(any(c.isalnum() for c in word) for word in words[start:end])
        if not (content >= MIN_WORDS or (content and words[end - 1] == QUESTION_MARK)):
            continue
        if start < end and QUESTION_MARK not in words[start:end] and end < len(words) \
                and not asks_near_its_start(words[start:end]):
            # "im a mail carrier. how long till i can go back": what the patient tells is the
            # setting of the question that follows, not a question of its own.
            told = start if told is None else told
            continue
        found.append((start if told is None else told, end))
        told = None
    return found


def merged(spans: Sequence[tuple[int, int]], names: Sequence[str],
           subjects: Sequence[frozenset[str]] | None = None) -> list[tuple[int, int]]:
    """The spans with each piece joined to the one before when it reads as the same question
    ("i have a bulging disc, do you treat that?") or as a follow-up of it ("miglif?? what is
    that"): one question said in two breaths is answered once. A piece that names another
    subject (its conditions) is a question of its own: "do you treat kyphosis? what about
    tumors on the spine" asks twice."""
    subjects = subjects or [frozenset()] * len(spans)
    joined: list[tuple[int, int]] = []
    last, about = None, frozenset()
    for (start, end), name, subject in zip(spans, names, subjects, strict=True):
        if joined and (name == last or name in PART_OF_THE_LAST) \
                and not another_subject(about, subject):
            joined[-1] = (joined[-1][0], end)
            about |= subject
        else:
            joined.append((start, end))
            last, about = name, subject
    return joined


def another_subject(before: frozenset[str], now: frozenset[str]) -> bool:
    """Whether a piece names only subjects the question before it did not."""
    return bool(before and now and before.isdisjoint(now))


def asks_near_its_start(words: Sequence[str]) -> bool:
    """Whether a piece reads as a question (or a request) from its first few words."""
    if words and words[0] in QUESTION_STARTS:
        return True
    near = words[:ASKS_WITHIN]
    return bool(set(near) & (QUESTION_WORDS | REQUESTS | COMPARATIVES)) or any(
        word in QUESTION_STARTS and following in SUBJECTS
        for word, following in zip(near, words[1:ASKS_WITHIN + 1], strict=False))


def _joins(word: str) -> bool:
    return word in JOINING_WORDS or word == ","


def several(readings: Sequence[dict[str, Any]], min_confidence: float) -> bool:
    """Whether each piece's reading (its top intent) is sure and each is of its own topic, a
    question (not a greeting or thanks: components/courtesy.py answers those). Two pieces of
    one intent are two questions when they name other subjects (`about`: conditions)."""
    asks = [(reading["name"], reading.get("about") or frozenset()) for reading in readings]
    names = [name for name, _ in asks]
    return (len(readings) >= 2 and len(set(asks)) == len(asks)
            and not set(names) & NOT_QUESTIONS
            and all(reading["confidence"] >= min_confidence for reading in readings))
