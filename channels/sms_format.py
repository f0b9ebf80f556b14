"""Turn the bot's messages into one text message: plain text, numbered choices, few segments.

Plain Python, no Rasa. An SMS is sent in 160-character segments when every character is in
the GSM 7-bit alphabet, and in 70-character ones otherwise (one curly quote or bullet is
enough), so the bot's typography is folded to GSM characters before counting.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

# Twilio refuses a message body longer than this.
MAX_SMS_CHARS = 1600

# The phone carriers' keywords (and Twilio's): their replies are the channel's own
# (data/topics/bot_messages.yml); a topic file's sms_keywords must not be one of them.
# Spanish-speaking patients' words for the same: answered in Spanish.
SPANISH_OPT_OUT_WORDS = {"PARAR", "CANCELAR"}
SPANISH_HELP_WORDS = {"AYUDA"}
OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", *SPANISH_OPT_OUT_WORDS}
OPT_IN_WORDS = {"START", "UNSTOP", "YES"}
HELP_WORDS = {"HELP", "INFO", *SPANISH_HELP_WORDS}
CARRIER_KEYWORDS = OPT_OUT_WORDS | OPT_IN_WORDS | HELP_WORDS
SPANISH_KEYWORDS = SPANISH_OPT_OUT_WORDS | SPANISH_HELP_WORDS


def keyword(body: str) -> str:
    """The keyword a text is, if any: "stop." and " Stop " are STOP."""
    return body.strip().strip(".!").upper()

# The GSM 03.38 basic character set (plus its extension table, which costs 2 characters).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")

# Typography the bot's answers use, as the GSM characters closest to it.
TO_GSM = {
    "•": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...",
    "\u00a0": " ", "×": "x",
}
MARKUP = re.compile(r"(\*\*|__|\*|`|<[^>]+>)")


def to_gsm(text: str) -> str:
    """Plain text in the GSM alphabet where an equivalent exists; markup removed."""
    text = MARKUP.sub("", text)
    return "".join(TO_GSM.get(char, char) for char in text)


def is_gsm(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENDED for char in text)


def segments(text: str) -> int:
    """How many SMS segments a message takes."""
    if not text:
        return 0
    if is_gsm(text):
        length = sum(2 if char in GSM_EXTENDED else 1 for char in text)
        return 1 if length <= 160 else math.ceil(length / 153)
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= 70 else math.ceil(length / 67)


# How buttons read by SMS, {choices} being "1 for X, 2 for Y": the response utter_sms_choices
# (data/topics/bot_messages.yml) in the running model; this when a model has none.
CHOICES_TEMPLATE = "Reply {choices}."


def numbered_choices(buttons: Sequence[dict[str, str]], template: str = CHOICES_TEMPLATE
                     ) -> tuple[str, list[str]]:
    """ "Reply 1 for X, 2 for Y." and the payloads in the same order."""
    if not buttons:
        return "", []
    options = ", ".join(f"{index} for {to_gsm(b['title'])}" for index, b in enumerate(buttons, 1))
    if "{choices}" not in template:
        template = CHOICES_TEMPLATE  # the numbers must be said (make check asks for {choices})
    return to_gsm(template.replace("{choices}", options)), [b["payload"] for b in buttons]


def compose(messages: Sequence[dict], fallback: str, choices_template: str = CHOICES_TEMPLATE
            ) -> tuple[str, list[str]]:
    """One SMS for a turn's bot messages, and the payloads its numbered choices stand for.

    Only the last message's buttons become choices: earlier ones are already answered.
    """
    texts = [to_gsm(m["text"]).strip() for m in messages if (m.get("text") or "").strip()]
    buttons = next((m["buttons"] for m in reversed(messages) if m.get("buttons")), [])
    choices_text, payloads = numbered_choices(buttons, choices_template)
    body = "\n\n".join(texts + ([choices_text] if choices_text else [])) or fallback
    if len(body) > MAX_SMS_CHARS:
        ending = "...\n\n" + fallback
        body = body[: MAX_SMS_CHARS - len(ending)].rstrip() + ending
    return body, payloads


def choice_reply(text: str, payloads: Sequence[str]) -> str:
    """The payload a reply of "1" (or " 2." ) stands for; the text itself otherwise."""
    match = re.fullmatch(r"\s*#?(\d{1,2})[.)]?\s*", text)
    if match and payloads and 1 <= int(match.group(1)) <= len(payloads):
        return payloads[int(match.group(1)) - 1]
    return text
