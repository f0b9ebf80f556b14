"""The patient's language, per message and per conversation (components/language.py)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.courtesy import reply_for
from components.language import LanguageMark, language_of


@pytest.mark.parametrize("text, language", [
    # Asked for outright, whatever the rest is in.
    ("en español por favor", "es"),
    ("hablas español?", "es"),
    ("do you speak spanish", "es"),
    ("oye y eso de minimally invasive spine surgery q es, en español pls", "es"),
    ("in english please", "en"),
    ("can you answer in English", "en"),
    # Plainly one language.
    ("cuanto tiempo tarda uno en recuperarse despues de la cirugia", "es"),
    ("gracias", "es"),
    ("hola", "es"),
    ("la MISS es segura?", "es"),
    ("soy buen candidato?", "es"),
    ("how long is recovery after the surgery", "en"),
    # Too short for the detector; the words only one language uses tell.
    ("lo tratan?", "es"),
    ("q es MISS", "es"),
    ("chao", "es"),
    ("toman medicare?", "es"),
    ("hernia of the disc?", "en"),
    # Nobody can place these: the conversation keeps its language.
    ("ok", None),
    ("MIG-LIF?", None),
    ("si", None),
    ("hernia?", None),
    ("12345", None),
    ("", None),
])
def test_a_message_sets_a_language_only_when_it_is_plain(text, language):
    assert language_of(text) == language


def test_the_language_is_marked_as_an_entity_only_when_set():
    spanish, unsure = Message(data={"text": "tienen cita en línea?"}), Message(data={"text": "ok"})
    LanguageMark().process([spanish, unsure])
    assert [(e["entity"], e["value"]) for e in spanish.get("entities")] == [("language", "es")]
    assert not unsure.get("entities")


def test_the_reply_before_an_answer_follows_the_conversation():
    assert reply_for("thank", "es") == "¡De nada!"
    assert reply_for("thank", None) == reply_for("thank", "en") == "You're welcome!"
