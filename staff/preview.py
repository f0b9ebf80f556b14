"""`make preview`: what the bot will say once the topic files are trained, before publishing —
each answer that is new or changed since the model the bot runs (models/spine-assistant.tar.gz),
as the web chat patient sees it (text, buttons, the notice's card) and as the SMS patient gets
it (one text, numbered choices, how many SMS segments), and each question whose title, notice
words or SMS keywords changed. The practice's facts are filled in; other blanks show a sample
value.

Usage: python -m staff.preview [--all]     (make preview)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

from channels.responses import SMS_CHOICES
from channels.sms_format import CHOICES_TEMPLATE, compose, segments
from components import topic_metadata
from services.launch import MODEL
from staff.content_rules import with_sample_values

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 96


def domain_in_files() -> dict[str, Any]:
    """The domain as `make train` will build it (domain.yml and data/), as a dict."""
    from rasa.shared.importers.importer import TrainingDataImporter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        importer = TrainingDataImporter.load_from_config(
            str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")])
        return importer.get_domain().as_dict()


def domain_live(model: Path = MODEL) -> dict[str, Any] | None:
    """The domain of the model the bot runs (None: no model yet)."""
    if not model.exists():
        return None
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LocalModelStorage.metadata_from_archive(model).domain.as_dict()


def changed(files: dict[str, list[dict]], live: dict[str, list[dict]] | None
            ) -> list[tuple[str, str]]:
    """(response name, "new" or "changed"), in name order."""
    if live is None:
        return [(name, "new") for name in sorted(files)]
    return [(name, "new" if name not in live else "changed") for name in sorted(files)
            if live.get(name) != files[name]]


def question_changes(files: dict[str, Any], live: dict[str, Any] | None) -> list[str]:
    """One line per question whose title, notice words or SMS keywords changed."""
    now = topic_metadata.intent_metadata(files)
    before = topic_metadata.intent_metadata(live) if live is not None else {}
    lines = []
    for intent in sorted(now):
        if now[intent] == before.get(intent):
            continue
        said = []
        title = topic_metadata.titles(files).get(intent)
        if title:
            said.append(f"offered as [{title}] when the bot is unsure")
        topic = topic_metadata.notice_topic(files, intent)
        if topic:
            said.append("answered from the notice's sentences with: " + ", ".join(topic.words))
        keywords = [word for word, asked in topic_metadata.sms_keywords(files).items()
                    if asked == intent]
        if keywords:
            said.append("asked by the text " + " or ".join(keywords))
        lines.append(f"{intent} ({'changed' if intent in before else 'new'}): "
                     + ("; ".join(said) or "nothing offered or asked"))
    return lines


def for_channel(variations: list[dict], channel: str) -> list[dict]:
    """The variations a patient on this channel can get (Rasa prefers the channel's own)."""
    own = [v for v in variations if v.get("channel") == channel]
    return own or [v for v in variations if not v.get("channel")]


def condition_label(variation: dict) -> str:
    conditions = variation.get("condition") or []
    return (" when " + ", ".join(f"{c.get('name')} is {c.get('value')}" for c in conditions)
            if conditions else "")


def web_view(variation: dict) -> list[str]:
    lines = []
    card = (variation.get("custom") or {}).get("notice") \
        if isinstance(variation.get("custom"), dict) else None
    if isinstance(card, dict):
        lines.append(f"[card] {with_sample_values(str(card.get('heading', '')))}")
        lines.append(f"       {with_sample_values(str(card.get('text', '')))}")
    elif variation.get("text"):
        lines.append(with_sample_values(variation["text"]))
    buttons = [with_sample_values(str(b.get("title", ""))) for b in variation.get("buttons") or []
               if isinstance(b, dict)]
    if buttons:
        lines.append("buttons: " + "  ".join(f"[{title}]" for title in buttons))
    if not lines and variation.get("custom"):
        lines.append("(no text: a message for the chat window only)")
    return lines


def sms_view(variation: dict, choices_template: str = CHOICES_TEMPLATE) -> list[str]:
    if not variation.get("text"):
        return ["(nothing: the text channel sends no text for this)"]
    message: dict[str, Any] = {"text": with_sample_values(variation["text"]), "buttons": [
        {"title": with_sample_values(str(b.get("title", ""))), "payload": b.get("payload", "")}
        for b in variation.get("buttons") or [] if isinstance(b, dict)]}
    body, _ = compose([message], fallback="", choices_template=choices_template)
    count = segments(body)
    return [body, f"({count} SMS segment{'s' if count != 1 else ''})"]


def indented(label: str, lines: list[str]) -> list[str]:
    out = []
    for number, line in enumerate(lines):
        prefix = f"  {label:<14}" if number == 0 else " " * 16
        wrapped = textwrap.wrap(line, WIDTH - 16) or [""]
        out += [prefix + wrapped[0]] + [" " * 16 + rest for rest in wrapped[1:]]
    return out


def preview(name: str, status: str, variations: list[dict],
            choices_template: str = CHOICES_TEMPLATE) -> list[str]:
    lines = [f"{name} ({status})"]
    for variation in for_channel(variations, "socketio"):
        lines += indented("Web chat" + ("*" if condition_label(variation) else ""),
                          web_view(variation))
        if condition_label(variation):
            lines.append(" " * 16 + f"*{condition_label(variation)}")
    for variation in for_channel(variations, "sms"):
        lines += indented("Text message", sms_view(variation, choices_template))
        if condition_label(variation):
            lines.append(" " * 16 + f"*{condition_label(variation)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every answer, changed or not")
    args = parser.parse_args(argv)
    # Rasa and its libraries print deprecation warnings while loading: not for staff's eyes.
    with contextlib.redirect_stderr(io.StringIO()):
        domain = domain_in_files()
        live_domain = None if args.all else domain_live()
    if live_domain is None and not args.all:
        print("No model is published yet (models/spine-assistant.tar.gz): every answer is new.")
    files = domain.get("responses") or {}
    live = None if live_domain is None else (live_domain.get("responses") or {})
    shown = changed(files, live)
    removed = sorted(set(live or {}) - set(files))
    questions = question_changes(domain, live_domain)
    if not shown and not removed and not questions:
        print("Nothing differs from what the bot says now.")
        return 0
    choices = next((v.get("text") for v in files.get(SMS_CHOICES, []) if v.get("text")),
                   CHOICES_TEMPLATE)
    for name, status in shown:
        print("\n".join(preview(name, status, files[name], choices)) + "\n")
    for name in removed:
        print(f"{name} (removed: the bot will no longer say it)\n")
    for line in questions:
        print(line)
    print(f"\n{len(shown)} answer(s) and {len(questions)} question(s) to publish. `make check`, "
          "then `make train` puts them live.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
