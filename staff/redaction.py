"""Personal details out of patients' messages before staff read them (`make review`).

Each detail becomes a tag in brackets, the words around it stay: "call me at [phone]",
"my MRN is [record number]", "Dr. [name] said". Tags: [e-mail], [phone], [date], [name],
[address], [zip], [record number], [insurance number], and [id number] for a long number
nobody named.

spaCy rules, not Microsoft Presidio. Presidio (presidio-analyzer 2.2.360, tried with spaCy
3.4.4 in a scratch environment) finds names and places only through a spaCy NER model: its
default engine downloads en_core_web_lg when it starts, which this machine cannot do; run on
the project's own pipeline (models/spacy-en-spine, no NER) it found no name, address, ZIP,
record or member number in our examples, tagged "L4-L5" as a driver's licence, and its URL
rule fetched a list from the internet. Everything it could do here would be rules we write
anyway, plus a dependency. So: regular expressions for what has a shape (numbers, addresses),
and for names, which show only by the words around them ("my name is", "I'm", "Dr.", "my wife",
"thanks,"), spaCy's Matcher on a blank English pipeline: its tokenizer reads I'm, Im, I am
and I’m alike, and it knows English stop words.

Lean to hiding: a word hidden by mistake costs staff a little context, a name shown costs a
patient their privacy. A name typed in lower case counts after those words when it is no
English word spacy-lookups-data knows ("i'm jane doe", "my daughter emily"; not "i'm dizzy",
"my husband fell"), so a lower case name that is also a word ("rose", "will") is missed. A
name with none of those words around it ("Jane Doe has sciatica") is not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import load_lookups
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

# --- Numbers and places: regular expressions, applied in this order. -------------------------
# Labelled numbers come first, so the phone and ZIP rules never see half of a member ID; the
# label stays ("policy number [insurance number]").
_LINK = r"(?:\s*(?i:id|number|num|no|is|was|card)\b|\s*[#:=.])*\s*"
# A value to hide has a digit and 4+ characters; a year is not one ("support group 2025").
_VALUE = (r"(?=[A-Za-z-]*\d)(?!(?:19|20)\d\d\b)(?=[A-Za-z0-9-]{4})"
          r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")


def _labelled(labels: str, tag: str) -> tuple[re.Pattern, str]:
    return re.compile(rf"(\b(?i:{labels})\b{_LINK}){_VALUE}"), rf"\1{tag}"


_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|"
           "NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")


def _none_of(words: set[str]) -> str:
    """A lookahead: the next word (any case) is none of words."""
    return rf"(?i:(?!(?:{'|'.join(map(re.escape, words))})\b))"


# Street names are words that are not English function words, nor the units in "2 weeks ago
# dr said" or "a 3 hour drive": both would otherwise read as a house number and a street.
_STREET_WORD = _none_of(STOP_WORDS | {
    "ago", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
    "yr", "yrs", "yo", "old", "times", "mg", "mile", "miles", "block", "blocks", "level",
    "levels", "step", "steps", "pill", "pills", "am", "pm"}) + r"[A-Za-z][A-Za-z'-]*\.?"
_CITY_WORD = r"\b" + _none_of(STOP_WORDS) + "[A-Z][a-z]+"  # not the "Is" of "Is 72201 near you?"
_DIRECTION = r"(?i:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?"
# Suffixes that are also everyday words (way, drive, court) count only when capitalised; "Dr"
# followed by a capitalised word is a doctor ("2 shots Dr Patel gave").
_SUFFIX = (r"(?:(?i:st|street|ave|av|avenue|rd|road|blvd|boulevard|ln|lane|pkwy|parkway|hwy|"
           r"highway|ct|cir|ter|trl|pl|sq|cv|expy|fwy)\b|(?i:dr)\b(?!\.?\s+[A-Z][a-z])|"
           r"(?:Way|Drive|Court|Place|Circle|Trail|Terrace|Loop|Cove|Pike|Plaza|Square|Row|"
           r"Run|Point|Path|Crossing)\b)\.?")
_UNIT = r"(?:(?i:apt|apartment|unit|suite|ste|lot|room|rm|bldg)\.?\s*#?|#)\s*[A-Za-z0-9-]{1,6}\b"

_MONTH = (r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
          r"sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)")

REDACTIONS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[e-mail]"),
    _labelled(r"insurance|ins|member|subscriber|policy|group|grp|medicaid|medicare|claim",
              "[insurance number]"),
    _labelled(r"mrn|medical\s+records?|med\s+rec|records?|chart|patient|account|acct",
              "[record number]"),
    _labelled(r"id|identification", "[id number]"),
    (re.compile(r"\b(?i:p\.?\s?o\.?\s*box|post\s+office\s+box)\s*#?\s*\d+\b"), "[address]"),
    (re.compile(r"\b\d{1,6}\s+(?i:(?:state\s+)?highway|hwy|county\s+road|cr|route|rte)\s*#?\s*\d+\b"),
     "[address]"),
    (re.compile(rf"\b\d{{1,6}}[A-Za-z]?\s+(?:{_DIRECTION}\s+)?(?:{_STREET_WORD}\s+){{1,3}}{_SUFFIX}"
                rf"(?:\s+{_DIRECTION}(?![A-Za-z]))?(?:,?\s*{_UNIT})?"), "[address]"),
    # The town and state just before a ZIP code go with it ("Little Rock, AR 72201").
    (re.compile(rf"(?:(?:{_CITY_WORD}\s+){{0,2}}{_CITY_WORD},?\s+)?(?:\b(?:{_STATES})\.?,?\s+)?"
                r"(?<![$\d.,-])\b\d{5}(?:-\d{4})?\b(?![.,]\d)"
                r"(?!\s*(?i:steps|dollars|mg|miles|calories|feet|ft)\b)"), "[zip]"),
    # Two numbers make a date only with a slash: "6-8 weeks" and "38.9" stay, and so do halves,
    # quarters and pain scores ("1/2 a pill", "pain is 8/10") unless a year follows.
    (re.compile(r"\b(?!(?:1/[234]|2/3|3/4|\d{1,2}/10)(?![/\d]))\d{1,2}/\d{1,2}(/\d{2,4})?\b|"
                r"\b\d{1,2}([.-])\d{1,2}\2\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"), "[date]"),
    (re.compile(rf"\b{_MONTH}\.? \d{{1,2}}(st|nd|rd|th)?(,? \d{{4}})?\b", re.IGNORECASE),
     "[date]"),
    # Day first, as much of the world writes it: "3rd April 1980", "the 3rd of april". "May"
    # only with an ordinal, "of" or a year: "3 may be too many" is no date.
    (re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)?( of)? (?!may\b){_MONTH}\b\.?(,? \d{{4}}\b)?|"
                r"\b\d{1,2}((st|nd|rd|th)( of)?| of) may\b(,? \d{4}\b)?|\b\d{1,2} may,? \d{4}\b",
                re.IGNORECASE), "[date]"),
    # Before the phone rule, which would leave the letters of "W123456789" behind.
    (re.compile(r"\b(?:[A-Za-z]{1,4}-?\d{5,}[A-Za-z0-9]*|\d{6,7})\b"), "[id number]"),
    (re.compile(r"(\+?\d[\d\s().-]{6,}\d)"), "[phone]"),
]

# --- Names: the words a patient puts around one. -------------------------------------------
_nlp = spacy.blank("en")
_matcher = Matcher(_nlp.vocab)
_KIN = ["wife", "husband", "son", "daughter", "mom", "mother", "dad", "father", "sister",
        "brother", "friend", "partner", "spouse", "caregiver", "boyfriend", "girlfriend",
        "fiance", "fiancee", "aunt", "uncle", "grandma", "grandmother", "grandpa",
        "grandfather", "niece", "nephew", "cousin", "neighbor", "neighbour", "child", "kid",
        "surgeon"]
# Match name -> what comes after it; each is checked in _name_spans.
_matcher.add("told", [  # "my name is jane doe": after this, any word can be the name
    [{"LOWER": "name"}, {"NORM": {"IN": ["is", "'s", ":", "-", "="]}}],
    [{"LOWER": "name"}, {"NORM": {"IN": ["is", "'s"]}}, {"ORTH": ":"}],
    [{"LOWER": {"IN": ["signed", "sincerely", "regards"]}}, {"ORTH": ",", "OP": "?"}],
])
_matcher.add("intro", [  # "I'm John Smith", "this is Maria": only capitalised words
    [{"LOWER": "i"}, {"NORM": {"IN": ["am", "m"]}}],
    [{"LOWER": "this"}, {"LOWER": "is"}],
])
_matcher.add("known_as", [  # "my wife Susan", "Dr. Patel", "patient name Jane"
    [{"LOWER": "my"}, {"LOWER": {"IN": _KIN}}, {"ORTH": ",", "OP": "?"}],
    [{"LOWER": {"IN": ["dr", "dr.", "doctor", "mr", "mr.", "mrs", "mrs.", "ms", "ms.",
                       "miss", "nurse"]}}],
    [{"LOWER": {"IN": ["name", "named", "called"]}}],
])
_matcher.add("thanks", [  # "thanks, Bob"; "thx bob" when the name ends the message
    [{"LOWER": {"IN": ["thanks", "thank", "thx", "ty", "cheers", "love"]}},
     {"LOWER": "you", "OP": "?"}, {"ORTH": {"IN": [",", "-", "!", "."]}, "OP": "?"}],
    [{"ORTH": {"IN": ["-", "--", "—", "–"]}, "SPACY": True}],  # "- Bob", not "X-Ray"
])
_matcher.add("before", [[{"LOWER": {"IN": ["here", "calling", "speaking"]}}]])  # "Jane here,"

# Words that follow those cues yet are no name ("thanks doc", "I'm Sorry", "this is Urgent").
_NOT_NAMES = {"doctor", "doc", "dr", "nurse", "patient", "team", "everyone", "guys", "bot",
              "sir", "maam", "staff", "office", "urgent", "sorry", "sore", "sick", "ok", "okay",
              "fine", "good", "better", "worse", "afraid", "nervous", "anxious", "pregnant",
              "diabetic", "allergic", "unable", "able", "home", "post", "ready", "sure", "glad",
              "happy", "curious", "new", "due", "hurt", "hurting", "stuck", "calling", "here",
              # after "thanks" at the end of a message
              "u", "mate", "heaps", "bye", "goodbye", "folks", "man", "dude", "buddy", "pal",
              "tons", "lots", "loads", "bunch", "again", "anyway", "tho", "though",
              # contractions typed without the apostrophe
              "isnt", "cant", "wont", "dont", "didnt", "doesnt", "hasnt", "wasnt", "aint",
              "couldnt", "wouldnt", "shouldnt", "havent", "werent", "arent",
              # feelings the lemma table does not know as English words
              "nauseous", "nauseated", "feverish", "achy", "queasy", "woozy", "lightheaded"}
_OPENERS = {"hi", "hello", "hey", "dear", ",", ".", "!", "-"}  # before "Jane here"


def _is_name_word(token: Token, any_case: bool, unknown_lower: bool = False) -> bool:
    """Whether a word can be part of a name: capitalised and not a stop word; with `any_case`,
    any word but a stop word; with `unknown_lower`, also a lower case word that is no English
    word we know ("my daughter emily", but not "my husband fell")."""
    word = token.text
    if not re.fullmatch(r"[^\W\d_]+(?:'[^\W\d_]+)?|[A-Z]\.", word) or word.lower() in _NOT_NAMES:
        return False
    if word.istitle():  # "Will" is a stop word, and a name after "my name is"
        return word != "I" and (any_case or not token.is_stop)
    if any_case:
        return not token.is_stop and word.islower()
    return unknown_lower and word.islower() and len(word) > 2 and not token.is_stop \
        and not _is_english_word(word)


def _lowercase_name_end(doc: Doc, start: int) -> int:
    """Where a lower case name starting at doc[start] ends (== start: none): a first word
    that is no English word we know ("jane", not "dizzy"), then any words but stop words
    ("i'm jane doe", "my daughter emily")."""
    if start >= len(doc) or not _is_name_word(doc[start], False, True):
        return start
    end = start + 1
    while end < len(doc) and end - start < 3 and _is_name_word(doc[end], True) \
            and not _looks_inflected(doc[end]) and not _is_verb_form(doc[end]):
        end += 1
    return end


def _is_verb_form(token: Token) -> bool:
    """An inflected form the lemma table knows ("drives", "fell"): "emily drives" ends at emily."""
    return _LEMMAS.get(token.lower_, token.lower_) != token.lower_


def _name_end(doc: Doc, start: int, any_case: bool, most: int = 4) -> int:
    """Where a name starting at doc[start] ends (== start: no name there). Names may be
    hyphenated (Garcia-Lopez) and carry initials (Jane Q. Doe)."""
    end = start
    while end < len(doc) and end - start < most:
        if _is_name_word(doc[end], any_case):
            end += 1
        elif (end > start and doc[end].text == "-" and not doc[end - 1].whitespace_
              and end + 1 < len(doc) and _is_name_word(doc[end + 1], any_case)):
            end += 2
        else:
            break
    return end


def _ends_message(doc: Doc, index: int) -> bool:
    return all(token.is_punct for token in doc[index:])


# spacy-lookups-data's English lemmas: "having" -> "have", while "jared" stays "jared".
_LEMMAS = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
# Every English word form the table knows, inflected or base ("fell", "fall", "drove"): a lower
# case word among them is read as a word, not a name.
_BASE_WORDS = frozenset(_LEMMAS.values())


def _is_english_word(word: str) -> bool:
    return word in _LEMMAS or word in _BASE_WORDS


def _looks_inflected(token: Token) -> bool:
    # "I'm Having", "I'm Scared": a form of an English verb, not a name. Only -ing and -ed
    # forms: the table also has Latin plurals ("maria" -> "mare").
    word = token.lower_
    return word.endswith(("ing", "ed")) and _LEMMAS.get(word, word) != word


def _name_spans(doc: Doc) -> Iterator[tuple[int, int]]:
    """Token ranges of the names in doc."""
    for key, start, end in _matcher(doc):
        kind = _nlp.vocab.strings[key]
        if kind == "before":
            for begin in range(max(0, start - 4), start):
                if (_name_end(doc, begin, any_case=False) == start
                        and (begin == 0 or doc[begin - 1].lower_ in _OPENERS)
                        and (doc[start].lower_ != "here" or _ends_message(doc, start + 1)
                             or doc[start + 1].text in {",", "-", "!"})):
                    yield begin, start
                    break
            continue
        stop = _name_end(doc, end, any_case=kind == "told")
        if kind == "intro" and stop > end and _looks_inflected(doc[end]):
            stop = end
        if stop == end and kind in ("intro", "known_as") and end < len(doc) \
                and doc[end].text.islower():
            # Lower case: "i'm jane doe", "my daughter emily" (but "i'm dizzy", "my husband
            # fell": English words).
            stop = _lowercase_name_end(doc, end)
        if kind == "thanks" and stop == end:
            stop = _name_end(doc, end, any_case=True, most=2)
            if not _ends_message(doc, stop):
                stop = end
        if stop > end:
            yield end, stop


def _redact_names(text: str) -> str:
    doc = _nlp(text)
    spans = sorted((doc[start].idx, doc[stop - 1].idx + len(doc[stop - 1]))
                   for start, stop in _name_spans(doc))
    merged: list[list[int]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    for begin, end in reversed(merged):
        text = text[:begin] + "[name]" + text[end:]
    return text


def redact(text: str) -> str:
    """text with the personal details a patient may type replaced by tags."""
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return _redact_names(text)
