"""The demo page (services/demo_page.py) in the project's own words, its facts from
practice/facts.yml, in English and in Spanish."""

from __future__ import annotations

import html

from practice.facts import facts, practice_name, practice_phone
from services.demo_page import SPANISH_DEMO_PAGE, demo_page

SOURCE_SENTENCES = ("Bigger is Not Better", "exciting new treatment options",
                    "Major benefits of MISS")


def test_each_page_states_the_benefits_of_the_facts_file_and_no_sentence_of_the_source():
    for page, key in ((None, "benefits"), (SPANISH_DEMO_PAGE, "benefits_es")):
        text = html.unescape((demo_page("http://127.0.0.1:5005", page) if page else
                              demo_page("http://127.0.0.1:5005")).decode())
        for benefit in facts()["miss"][key]:
            assert f"<li>{benefit[:1].upper() + benefit[1:]}</li>" in text
        assert practice_name() in text and practice_phone() in text
        assert "{{" not in text
        assert not any(sentence.lower() in text.lower() for sentence in SOURCE_SENTENCES)
