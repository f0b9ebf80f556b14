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

Spanish too: the same cues in Spanish ("soy", "me llamo", "mi esposo", "Dra.", "gracias,"),
labels ("expediente", "póliza"), dates ("3 de marzo") and streets ("calle 5 de mayo 123"),
accents optional, since patients skip them. The same tokenizer serves; spaCy's Spanish stop
words and spacy-lookups-data's Spanish tables tell its ordinary words.

Lean to hiding: a word hidden by mistake costs staff a little context, a name shown costs a
patient their privacy. A name typed in lower case counts after those words when it is no
English word spacy-lookups-data knows ("i'm jane doe", "my daughter emily"; not "i'm dizzy",
"my husband fell"), or, in a message that reads as Spanish, no Spanish word it knows ("soy
maria", not "soy diabetico"). So a lower case name that is also a word ("rose", "will", "rosa",
"luz") is missed. A name with none of those words around it ("Jane Doe has sciatica") is not
found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import NamedTuple

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lang.es.stop_words import STOP_WORDS as SPANISH_STOP_WORDS
from spacy.lookups import load_lookups
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token
from spacy.util import load_language_data, registry

# --- Numbers and places: regular expressions, applied in this order. -------------------------
# Labelled numbers come first, so the phone and ZIP rules never see half of a member ID; the
# label stays ("policy number [insurance number]").
_LINK = (r"(?:\s*(?i:id|number|num|no|is|was|card|es|era|de|del|n[uú]mero|n[uú]m|tarjeta)\b"
         r"|\s*n[º°]|\s*[#:=.])*\s*")
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
_UNIT = (r"(?:(?i:apt|apartment|unit|suite|ste|lot|room|rm|bldg|depto|dpto|departamento|apto|"
         r"apartamento|interior|int|piso)\.?\s*#?|#)\s*[A-Za-z0-9-]{1,6}\b")
# Spanish puts the street type first and the house number last ("calle 5 de mayo 123", "Av.
# Reforma 222"). Not "camino" or "paseo", which are also "I walk"; and the words between are
# no function words nor units, so "la calle hace 2 semanas" or "avenida 20 minutos" stay.
_CALLE = (r"(?i:calle|c/|avenida|avda|av|carrera|cra|calzada|privada|prolongaci[oó]n|bulevar|"
          r"carretera|callej[oó]n|pasaje)")
_CALLE_WORD = _none_of((SPANISH_STOP_WORDS - {"de", "del", "la", "las", "los"}) | {
    "hora", "horas", "minuto", "minutos", "dia", "día", "dias", "días", "semana", "semanas",
    "mes", "meses", "año", "años", "ano", "anos", "vez", "veces", "cuadra", "cuadras", "paso",
    "pasos", "km", "kilometros", "kilómetros", "milla", "millas", "mg", "pastillas"}) \
    + r"[^\W_][\w'-]*\.?"

_MONTH = (r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
          r"sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)")
_MES = (r"(?i:ene(ro)?|feb(rero)?|mar(zo)?|abr(il)?|may(o)?|jun(io)?|jul(io)?|ago(sto)?|"
        r"sep(t(iembre)?)?|set(iembre)?|oct(ubre)?|nov(iembre)?|dic(iembre)?)")
# Month first only when spelled out: "mar 3" is March already, and "may 5" English.
_MES_ENTERO = (r"(?i:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
               r"octubre|noviembre|diciembre)")
_PHONE_LABELS = r"phone|cell|mobile|tel[eé]fono|tel|cel|celular|m[oó]vil|whatsapp"

REDACTIONS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[e-mail]"),
    _labelled(r"insurance|ins|member|subscriber|policy|group|grp|medicaid|medicare|claim|"
              r"seguro|aseguranza|p[oó]liza|miembro|afiliado|asegurado|grupo|reclamo",
              "[insurance number]"),
    _labelled(r"mrn|medical\s+records?|med\s+rec|records?|chart|patient|account|acct|"
              r"expediente|historia\s+cl[ií]nica|registro|paciente", "[record number]"),
    # "seguro social" here, after "seguro" found no value right behind it.
    _labelled(r"id|identification|identificaci[oó]n|c[eé]dula|ssn|social\s+security|"
              r"seguro\s+social|passport|pasaporte|licen[cs]e|licencia|dni|curp", "[id number]"),
    # A number the patient calls a phone is one, however short ("mi cel es 448812").
    (re.compile(rf"(\b(?i:{_PHONE_LABELS})\b{_LINK})\+?\d[\d\s().-]{{2,}}\d"), r"\1[phone]"),
    (re.compile(r"\b(?i:p\.?\s?o\.?\s*box|post\s+office\s+box)\s*#?\s*\d+\b"), "[address]"),
    (re.compile(r"\b\d{1,6}\s+(?i:(?:state\s+)?highway|hwy|county\s+road|cr|route|rte)\s*#?\s*\d+\b"),
     "[address]"),
    (re.compile(rf"\b\d{{1,6}}[A-Za-z]?\s+(?:{_DIRECTION}\s+)?(?:{_STREET_WORD}\s+){{1,3}}{_SUFFIX}"
                rf"(?:\s+{_DIRECTION}(?![A-Za-z]))?(?:,?\s*{_UNIT})?"), "[address]"),
    (re.compile(rf"\b{_CALLE}\.?\s+(?:{_CALLE_WORD}\s+){{1,4}}?(?:#\s*|(?i:n[uú]m(?:ero)?|no)"
                rf"\.?\s*)?\d+[A-Za-z]?(?:-\d+)?\b(?:,?\s*{_UNIT})?"), "[address]"),
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
    # "el 3 de marzo de 1961", "1ro de mayo", "marzo 3, 2026"; "de" keeps "5 mar" a number.
    (re.compile(rf"\b\d{{1,2}}(?:ro|ero|º|°)?\s+de\s+{_MES}\b\.?(?:,?\s+(?:de|del)?\s*\d{{4}}\b)?|"
                rf"\b{_MES_ENTERO}\s+\d{{1,2}}\b(?:,?\s+(?:de|del)?\s*\d{{4}}\b)?"), "[date]"),
    # Before the phone rule, which would leave the letters of "W123456789" behind.
    (re.compile(r"\b(?:[A-Za-z]{1,4}-?\d{5,}[A-Za-z0-9]*|\d{6,7})\b"), "[id number]"),
    (re.compile(r"(\+?\d[\d\s().-]{6,}\d)"), "[phone]"),
]

# --- Names: the words a patient puts around one. -------------------------------------------
_nlp = spacy.blank("en")  # its tokenizer splits Spanish well enough: "Dra." -> "Dra", "."
_matcher = Matcher(_nlp.vocab)
_KIN = ["wife", "husband", "son", "daughter", "mom", "mother", "dad", "father", "sister",
        "brother", "friend", "partner", "spouse", "caregiver", "boyfriend", "girlfriend",
        "fiance", "fiancee", "aunt", "uncle", "grandma", "grandmother", "grandpa",
        "grandfather", "niece", "nephew", "cousin", "neighbor", "neighbour", "child", "kid",
        "surgeon"]
_KIN_ES = ["esposo", "esposa", "marido", "mujer", "pareja", "hijo", "hija", "mamá", "mama",
           "madre", "papá", "papa", "padre", "hermano", "hermana", "abuelo", "abuela", "tío",
           "tio", "tía", "tia", "novio", "novia", "primo", "prima", "sobrino", "sobrina", "nieto",
           "nieta", "suegro", "suegra", "cuñado", "cuñada", "cunado", "cunada", "amigo", "amiga",
           "vecino", "vecina", "cuidador", "cuidadora", "cirujano", "cirujana"]
_TITLES = ["dr", "dr.", "doctor", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "nurse",
           "dra", "doctora", "sr", "sra", "srta", "señor", "señora", "señorita", "don", "doña",
           "enfermera", "enfermero"]
# Match name -> what comes after it; each is checked in _name_spans.
_matcher.add("told", [  # "my name is jane doe", "me llamo juan": any word can be the name
    [{"LOWER": {"IN": ["name", "nombre"]}}, {"LOWER": "completo", "OP": "?"},
     {"NORM": {"IN": ["is", "'s", "es", ":", "-", "="]}}],
    [{"LOWER": "name"}, {"NORM": {"IN": ["is", "'s"]}}, {"ORTH": ":"}],
    [{"LOWER": "me"}, {"LOWER": "llamo"}],
    [{"LOWER": {"IN": ["signed", "sincerely", "regards", "atentamente", "cordialmente",
                       "saludos", "atte"]}}, {"LOWER": "cordiales", "OP": "?"},
     {"ORTH": ".", "OP": "?"}, {"ORTH": ",", "OP": "?"}],
])
_matcher.add("intro", [  # "I'm John Smith", "soy Maria": capitalised words, or no known word
    [{"LOWER": "i"}, {"NORM": {"IN": ["am", "m"]}}],
    [{"LOWER": "this"}, {"LOWER": "is"}],
    [{"LOWER": {"IN": ["soy", "habla"]}}],
    [{"LOWER": {"IN": ["le", "les", "te"]}}, {"LOWER": "escribe"}],
])
_matcher.add("known_as", [  # "my wife Susan", "Dr. Patel", "patient name Jane", "mi hija ana"
    [{"LOWER": {"IN": ["my", "mi"]}}, {"LOWER": {"IN": _KIN + _KIN_ES}},
     {"ORTH": ",", "OP": "?"}],
    [{"LOWER": {"IN": _KIN_ES}}, {"LOWER": "de"}],  # "soy la mamá de juan"
    [{"LOWER": {"IN": _TITLES}}, {"ORTH": ".", "OP": "?"}],
    [{"LOWER": {"IN": ["name", "named", "called", "llamado", "llamada"]}}],
    [{"LOWER": "se"}, {"LOWER": "llama"}],  # "mi doctor se llama Gomez"
])
_matcher.add("thanks", [  # "thanks, Bob"; "thx bob" when the name ends the message
    [{"LOWER": {"IN": ["thanks", "thank", "thx", "ty", "cheers", "love", "gracias"]}},
     {"LOWER": "you", "OP": "?"}, {"ORTH": {"IN": [",", "-", "!", "."]}, "OP": "?"}],
    [{"ORTH": {"IN": ["-", "--", "—", "–"]}, "SPACY": True}],  # "- Bob", not "X-Ray"
])
_matcher.add("before", [[{"LOWER": {"IN": ["here", "calling", "speaking"]}}]])  # "Jane here,"

# Words that follow those cues yet are no name ("thanks doc", "I'm Sorry", "this is Urgent").
# Compared without accents (_fold).
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
              "nauseous", "nauseated", "feverish", "achy", "queasy", "woozy", "lightheaded",
              # Spanish: "gracias doctora", "saludos cordiales", "¿alguien habla español?"
              "doctora", "dra", "paciente", "senor", "senora", "senorita", "amigo", "amiga",
              "igualmente", "mil", "cordiales", "bendiciones", "espanol", "ingles"}
_OPENERS = {"hi", "hello", "hey", "dear", ",", ".", "!", "-"}  # before "Jane here"
# "María del Carmen", "Juan de la Cruz": one name.
_PARTICLES = (("de", "la"), ("de", "los"), ("de", "las"), ("del",), ("de",))


def _is_stop(token: Token) -> bool:
    return token.is_stop or _fold(token.text) in _SPANISH_STOPS


def _is_name_word(token: Token, any_case: bool) -> bool:
    """Whether a word can be part of a name: capitalised and not a stop word; with `any_case`,
    any word but a stop word."""
    word = token.text
    if not re.fullmatch(r"[^\W\d_]+(?:'[^\W\d_]+)?|[A-Z]\.", word) or _fold(word) in _NOT_NAMES:
        return False
    if word.istitle():  # "Will" is a stop word, and a name after "my name is"
        return word != "I" and (any_case or not _is_stop(token))
    return any_case and word.islower() and not _is_stop(token)


def _starts_lowercase_name(token: Token, spanish: bool) -> bool:
    """A lower case word that is no word we know in the message's language: "jane", "juan";
    not "dizzy", "diabetico"."""
    return token.text.islower() and len(token) > 2 and _is_name_word(token, any_case=True) \
        and not (_is_spanish_word(token.text) if spanish else _is_english_word(token.text))


def _joiner_length(doc: Doc, index: int) -> int:
    """How many tokens at doc[index] join two parts of a name: the hyphen of Garcia-Lopez,
    the "del" of María del Carmen; 0: none."""
    if doc[index].text == "-" and not doc[index - 1].whitespace_:
        return 1
    words = tuple(token.lower_ for token in doc[index:index + 2])
    return next((len(particle) for particle in _PARTICLES if words[:len(particle)] == particle), 0)


def _lowercase_name_end(doc: Doc, start: int, spanish: bool) -> int:
    """Where a lower case name starting at doc[start] ends (== start: none): a first word we
    do not know, then any words but stop words and verb forms ("i'm jane doe", "my daughter
    emily drives", "soy maria lopez y", "mi hija maria del carmen se cayo")."""
    if start >= len(doc) or not _starts_lowercase_name(doc[start], spanish):
        return start
    return _walk_name(
        doc, start, start + 1, most=3,
        is_part=lambda token: (_is_name_word(token, True)
                               and not _is_verb_form(token.text, spanish)),
        is_joined=lambda token: _starts_lowercase_name(token, spanish))


def _is_verb_form(word: str, spanish: bool) -> bool:
    """An inflected form the lemma table knows ("drives", "fell"; in Spanish only verbs:
    "tiene", "cayo"): "emily drives" ends at emily."""
    word = _fold(word)
    if spanish:
        return word in _spanish_words().verb_forms
    return _LEMMAS.get(word, word) != word


def _name_end(doc: Doc, start: int, any_case: bool, most: int = 4) -> int:
    """Where a name starting at doc[start] ends (== start: no name there). Names may be
    hyphenated (Garcia-Lopez), carry initials (Jane Q. Doe) and particles (María del Carmen)."""
    def is_part(token: Token) -> bool:
        return _is_name_word(token, any_case)

    return _walk_name(doc, start, start, most, is_part, is_part)


def _walk_name(doc: Doc, start: int, end: int, most: int, is_part: Callable[[Token], bool],
               is_joined: Callable[[Token], bool]) -> int:
    """From doc[end], where a name that began at doc[start] ends, at most `most` tokens in:
    words while `is_part`, and across a joiner (a hyphen, "del") to a word `is_joined`."""
    while end < len(doc) and end - start < most:
        skip = _joiner_length(doc, end) if end > start else 0
        if is_part(doc[end]):
            end += 1
        elif skip and end + skip < len(doc) and is_joined(doc[end + skip]):
            end += skip + 1
        else:
            break
    return end


def _ends_message(doc: Doc, index: int) -> bool:
    return all(token.is_punct for token in doc[index:])


# --- Which words are ordinary words: spacy-lookups-data, not a hand list. ------------------
# A hand list misses the next patient's word ("soy asmatica"); the lemma tables know hundreds of
# thousands of forms in each language.
# English lemmas: "having" -> "have", while "jared" stays "jared".
_LEMMAS = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
# Every English word form the table knows, inflected or base ("fell", "fall", "drove"): a lower
# case word among them is read as a word, not a name.
_BASE_WORDS = frozenset(_LEMMAS.values())


def _is_english_word(word: str) -> bool:
    # The table also turns Latin plurals into singulars ("maria" -> "mare", "data" -> "datum");
    # no English verb or adjective form ends in "a", so such a word may be a name.
    return word in _BASE_WORDS or (word in _LEMMAS and not word.endswith("a"))


def _looks_inflected(token: Token) -> bool:
    # "I'm Having", "I'm Scared": a form of an English verb, not a name. Only -ing and -ed
    # forms: the table also has Latin plurals ("maria" -> "mare").
    return token.lower_.endswith(("ing", "ed")) and _is_verb_form(token.text, spanish=False)


# Spanish, compared without accents: patients skip them ("cayo" is "cayó", "diabetico").
_FOLD = str.maketrans("áéíóúüñ", "aeiouun")
_SPANISH_STOPS = frozenset(word.translate(_FOLD) for word in SPANISH_STOP_WORDS)


def _fold(word: str) -> str:
    return word.lower().translate(_FOLD)


class _SpanishWords(NamedTuple):
    known: frozenset[str]  # the words a lower case name is not
    verb_forms: frozenset[str]  # "tiene", "cayo": where a lower case name ends


@cache  # Built at the first Spanish message, not at import: half a million forms to fold.
def _spanish_words() -> _SpanishWords:
    """From spacy-lookups-data's Spanish tables: known are the lemma index (the commoner
    words), the stop words, and each form and lemma of the lookup table but nouns known only by
    their plural: that is how it holds given names ("marias" -> "maria", "anas" -> "ana"),
    while an adjective comes with its other forms ("diabetica" -> "diabetico"). Read as plain
    dicts: load_lookups' tables keep only hashes of their keys, and keys must be folded."""
    tables = registry.lookups.get("es")
    index = load_language_data(tables["lemma_index"])
    known = {_fold(word) for pos_words in index.values() for word in pos_words} | _SPANISH_STOPS
    verb_forms = set()
    for form, lemma in load_language_data(tables["lemma_lookup"]).items():
        form, lemma = _fold(form), _fold(lemma)
        if form not in (lemma + "s", lemma + "es"):
            known.update((form, lemma))
        if form != lemma and lemma.endswith(("ar", "er", "ir")):
            verb_forms.add(form)
    return _SpanishWords(frozenset(known), frozenset(verb_forms))


def _is_spanish_word(word: str) -> bool:
    word = _fold(word)
    return word in _spanish_words().known or word.endswith("mente")  # no -mente in the tables


def _reads_spanish(doc: Doc) -> bool:
    """Whether more of doc's words are Spanish function words than English ones: it picks the
    dictionary that tells a lower case name from a word ("el doctor dijo" is no name)."""
    spanish = sum(_fold(token.text) in _SPANISH_STOPS and not token.is_stop for token in doc)
    english = sum(token.is_stop and _fold(token.text) not in _SPANISH_STOPS for token in doc)
    return spanish > english


# --- Finding and hiding them. --------------------------------------------------------------
def _name_spans(doc: Doc) -> Iterator[tuple[int, int]]:
    """Token ranges of the names in doc."""
    spanish = _reads_spanish(doc)
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
            # Lower case: "i'm jane doe", "mi hija maria" (but "i'm dizzy", "my husband
            # fell", "soy diabetico": words).
            stop = _lowercase_name_end(doc, end, spanish)
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
