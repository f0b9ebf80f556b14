"""Red flags judged in context: does a message describe an emergency or a crisis happening now?

Plain Python over spaCy and medspaCy, no Rasa (components/safety_net.py is the Rasa glue):
- medspaCy's TargetMatcher finds the red flags of lexicon/red_flags.yml;
- medspaCy's ConText judges each with the rules of lexicon/red_flag_context.yml: denied
  ("no fever"), over ("a stroke years ago", "it's gone now") or a risk question ("is there a
  risk of paralysis?") does not count; about someone else still counts ("my husband fell and
  can't move his legs").
ConText's own rules are written for clinical notes ("ruled out", "patient denies"), so the
rules are the project's own, in patient words; the algorithm (scope, direction, termination)
is medspaCy's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import spacy
import yaml
from medspacy.common import medspacy_matcher
from medspacy.common.regex_matcher import RegexMatcher
from medspacy.context import ConText, ConTextRule
from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.language import Language
from spacy.tokens import Doc

ROOT = Path(__file__).resolve().parent.parent
RED_FLAGS = ROOT / "lexicon" / "red_flags.yml"
CONTEXT_RULES = ROOT / "lexicon" / "red_flag_context.yml"
KINDS = ("crisis", "emergency")  # the order they are answered in when both are found
# A gap ".{0,N}" in a red flag stops at a sentence's end and at the words that judge a red
# flag, so a red flag never swallows them ("is bleeding normal after a stitch?").
GAP = re.compile(r"\.\{0,(\d+)\}")
JUDGING_WORDS = (r"but|no|not|never|if|normal|risk|chance|ago|gone|healed|said|isn'?t|aren'?t|"
                 r"wasn'?t|jk")


def bounded(pattern: str) -> str:
    """The pattern with each gap bounded (a decimal point, as in 102.5, is no sentence end)."""
    return GAP.sub(lambda gap: rf"(?:(?!\b(?:{JUDGING_WORDS})\b|\.\s)[^;!?]){{0,{gap[1]}}}",
                   pattern)


class _DocReadOnce:
    """A Doc whose text is joined once, and in lower case. spaCy joins every token each time
    `text_with_ws` is read, and medspaCy's RegexMatcher reads it once per pattern and per
    match: with about 120 patterns a message cost patterns x tokens (docs/performance.md).
    Matching lower case text is half the work of matching case-insensitively
    (the lexicon's patterns are lower case; "İ" is the one letter whose lower case is longer)."""

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self.text_with_ws = doc.text_with_ws.replace("İ", "i").lower()

    def __getattr__(self, name: str):
        return getattr(self._doc, name)

    def __len__(self) -> int:
        return len(self._doc)

    def __getitem__(self, index):
        return self._doc[index]

    def __iter__(self):
        return iter(self._doc)

    def char_span(self, start: int, end: int, **options):
        # A match that starts or ends inside a token ("suicid" in "suicidal") takes the whole
        # token, as medspaCy's own resolution does by walking every token of the doc.
        return self._doc.char_span(start, end, alignment_mode="expand", **options)


class _RegexMatcherReadingOnce(RegexMatcher):
    """medspaCy's RegexMatcher, but for the text it reads: joined once, in lower case."""

    def __init__(self, vocab, flags: int = 0, **options) -> None:
        super().__init__(vocab, flags=flags, **options)

    def __call__(self, doc: Doc):
        return super().__call__(_DocReadOnce(doc))


# The red-flag and ConText matchers build their regex matchers from this name (medspacy 1.3.1,
# pinned): every matcher built after this import reads a message's text as above.
medspacy_matcher.RegexMatcher = _RegexMatcherReadingOnce


class RedFlagEntities:
    """medspaCy's TargetMatcher, its matches set as the doc's entities at once. The
    TargetMatcher adds them one at a time (`doc.ents += (span,)`, each a rebuild of them all,
    an earlier one winning an overlap): a message with dozens of red flags cost their square."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = TargetMatcher(nlp, result_type=None)

    def __call__(self, doc: Doc) -> Doc:
        kept: list = []
        taken: set[int] = set()
        for span in self.matcher(doc):
            tokens = set(range(span.start, span.end))
            if not tokens & taken:
                kept.append(span)
                taken |= tokens
        doc.ents = sorted(kept, key=lambda span: span.start)
        return doc


# No annotations: spaCy validates a factory's arguments from them, and this module's are
# strings (from __future__ import annotations).
@Language.factory("spine_red_flags")
def red_flag_entities(nlp, name):  # noqa: ANN001, ANN201
    return RedFlagEntities(nlp)


@dataclass(frozen=True)
class Finding:
    words: str  # as the patient wrote them
    kind: str  # crisis or emergency
    negated: bool
    over: bool
    hypothetical: bool

    @property
    def current(self) -> bool:
        """Happening now (to the patient or someone with them). Thoughts of suicide or
        self-harm always count, even under an "if" or beside a past attempt ("if this fails
        I'll kill myself", "I tried last month and think about trying again"): only a denial
        right before them takes them off."""
        if self.kind == "crisis":
            return not self.negated
        return not (self.negated or self.over or self.hypothetical)


def build_pipeline(red_flags: Path = RED_FLAGS, context_rules: Path = CONTEXT_RULES) -> Language:
    """A blank English spaCy pipeline: sentences, red flags, ConText."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher: TargetMatcher = nlp.add_pipe("spine_red_flags").matcher
    flags = yaml.safe_load(red_flags.read_text(encoding="utf-8")) or {}
    matcher.add([TargetRule(pattern, kind.upper(), pattern=bounded(pattern))
                 for kind in KINDS for pattern in flags.get(kind) or []])
    spec = yaml.safe_load(context_rules.read_text(encoding="utf-8")) or {}
    context: ConText = nlp.add_pipe("medspacy_context", config={
        "rules": None,
        # A cue inside a red flag ("can't" in "can't feel my legs") is part of the red flag.
        "prune_on_target_overlap": True,
    })
    context.add([ConTextRule(rule["literal"], rule["category"],
                             pattern=rule.get("pattern"),
                             direction=rule.get("direction", "BIDIRECTIONAL"),
                             max_scope=rule.get("max_scope"),
                             # Thoughts of suicide have a judge of their own (crisis_denial).
                             excluded_types={"CRISIS"})
                 for rule in spec.get("rules") or []])
    return nlp


@functools.cache
def pipeline() -> Language:
    return build_pipeline()


@functools.cache
def crisis_denial(context_rules: Path = CONTEXT_RULES) -> re.Pattern[str]:
    spec = yaml.safe_load(context_rules.read_text(encoding="utf-8")) or {}
    return re.compile(spec["crisis_denial"], re.IGNORECASE)


@functools.cache
def animals(context_rules: Path = CONTEXT_RULES) -> re.Pattern[str]:
    spec = yaml.safe_load(context_rules.read_text(encoding="utf-8")) or {}
    return re.compile(spec["animals"], re.IGNORECASE)


def mentions_an_animal(text: str) -> bool:
    return bool(animals().search(text))


def findings(text: str, nlp: Language | None = None) -> list[Finding]:
    """Every red flag in a message, with how its context reads."""
    doc = (nlp or pipeline())(text)
    found = []
    for ent in doc.ents:
        kind = ent.label_.lower()
        if kind == "crisis":  # denied only right before: "i'm not suicidal"
            negated = bool(crisis_denial().search(doc[max(ent.start - 3, 0):ent.start].text))
        else:
            negated = ent._.is_negated
        found.append(Finding(words=ent.text, kind=kind, negated=negated,
                             over=ent._.is_historical, hypothetical=ent._.is_hypothetical))
    return found


def judge(found: list[Finding]) -> str | None:
    """crisis or emergency when a red flag of that kind is current, else None."""
    for kind in KINDS:
        if any(finding.kind == kind and finding.current for finding in found):
            return kind
    return None
