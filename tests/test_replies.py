"""The scorer of what the patient saw (harness/replies.py) cannot be fooled: a reply that
is the right kind of answer about the wrong thing is a miss."""

from __future__ import annotations

import re

import pytest

from harness.content import domain
from harness.replies import answers_each, answers_right, in_language

SLOTS = {"practice_phone": "501-661-0077", "notice_date": "March 16, 2020"}


def said(response: str, **slots: str) -> list[dict]:
    """The message the patient would read for a response, its slots filled in."""
    template = domain().responses[response][0]["text"]
    values = {**SLOTS, **slots}
    return [{"text": re.sub(r"\{([a-z_]+)\}", lambda match: values[match.group(1)], template)}]


def listed(page_words: str) -> list[dict]:
    return said("utter_condition_listed", condition_on_page=page_words)


def test_a_yes_for_the_condition_asked_is_right_and_for_another_is_a_miss():
    assert answers_right("ask_condition_treated/herniated_disc", listed("herniated discs"))
    assert not answers_right("ask_condition_treated/herniated_disc", listed("spinal tumors"))
    assert not answers_right("ask_condition_treated/herniated_disc",
                             said("utter_condition_not_listed", condition_name="Herniated disc"))


def test_a_spanish_yes_names_the_condition_as_the_spanish_page_words_do():
    spanish = next(variation["text"] for variation in domain().responses["utter_condition_listed"]
                   if any(condition.get("value") == "es"
                          for condition in variation.get("condition") or []))
    def listed_es(words: str) -> list[dict]:
        return [{"text": spanish.replace("{condition_on_page}", words)}]
    assert answers_right("ask_condition_treated/herniated_disc", listed_es("hernias de disco"))
    assert not answers_right("ask_condition_treated/herniated_disc",
                             listed_es("tumores de la columna"))


def test_a_condition_the_page_does_not_list_never_counts_a_yes():
    not_listed = "ask_condition_treated/not_listed"
    assert answers_right(not_listed, said("utter_condition_not_listed", condition_name="Gout"))
    assert answers_right(not_listed, said("utter_ask_conditions_treated"))
    assert not answers_right(not_listed, listed("herniated discs"))


def test_a_condition_question_without_its_condition_is_a_labelling_error():
    with pytest.raises(ValueError):
        answers_right("ask_condition_treated", listed("herniated discs"))


def test_a_notice_answer_must_be_about_the_topic_asked():
    about_telehealth = "We offer telehealth visits for patients who cannot come in."
    assert answers_right("ask_telehealth",
                         said("utter_notice_quote", notice_quote=about_telehealth))
    assert not answers_right("ask_elective_procedures",
                             said("utter_notice_quote", notice_quote=about_telehealth))
    assert answers_right("ask_telehealth",
                         said("utter_notice_no_mention", notice_topic="telehealth"))
    assert not answers_right("ask_telehealth",
                             said("utter_notice_no_mention", notice_topic="elective procedures"))


def test_could_not_look_it_up_is_never_an_answer():
    assert not answers_right("ask_telehealth", said("utter_notice_unavailable"))
    assert not answers_right("ask_latest_news", said("utter_notice_unavailable"))


def test_another_topics_answer_or_nothing_is_a_miss():
    assert answers_right("ask_phone_number", said("utter_ask_phone_number"))
    assert not answers_right("ask_phone_number", said("utter_ask_recovery_time"))
    assert not answers_right("ask_phone_number", [])
    assert not answers_right("ask_phone_number", [{"text": "Something no response says."}])


def test_a_question_the_page_does_not_answer_is_right_only_when_said_so():
    assert answers_right("ask_not_on_page", said("utter_ask_not_on_page"))
    assert answers_right("ask_not_on_page", said("utter_default"))
    # Any answer that says the page does not have it, with the number, is that plain word.
    assert answers_right("ask_not_on_page", said("utter_ask_hours"))
    assert answers_right("ask_not_on_page", said("utter_ask_medical_advice"))
    not_on_page = said("utter_ask_not_on_page")[0]["text"]
    nearest = said("utter_nearest_topic", topic="our surgeons")[0]["text"]
    assert answers_right("ask_not_on_page", [{"text": f"{not_on_page} {nearest}"}])
    assert not answers_right("ask_not_on_page", said("utter_ask_not_on_page",
                                                     practice_phone="555-000-1111"))
    assert not answers_right("ask_not_on_page", said("utter_ask_miglif_developer"))
    assert not answers_right("ask_not_on_page", said(
        "utter_clarify_topic", clarify_first_title="Cost", clarify_first_payload="/ask_cost",
        clarify_second_title="Telehealth", clarify_second_payload="/ask_telehealth"))


def test_several_answers_are_right_only_when_each_answers_its_question_in_order():
    cost, insurance = said("utter_ask_cost")[0]["text"], said("utter_ask_insurance")[0]["text"]
    both = [{"text": f"{cost}\n\n{insurance}"}]
    assert answers_each(["ask_cost", "ask_insurance"], both)
    assert not answers_each(["ask_insurance", "ask_cost"], both)
    assert not answers_each(["ask_cost", "ask_insurance"], said("utter_ask_cost"))
    assert not answers_each(["ask_cost"], both)
    # A message answering several is judged by its first answer where one is asked.
    assert answers_right("ask_cost", both)


def test_triage_reads_the_check_in_at_the_end_of_several_answers():
    from safety.scoring import CHECK_IN, EMERGENCY
    from scripts.check_triage import check_in_texts, told_first

    cost, insurance = said("utter_ask_cost"), said("utter_ask_insurance")
    # Over REST each answer is a message; the check-in ends the last one, in either language.
    assert len(check_in_texts()) == 2
    for check_in in check_in_texts():
        assert told_first([cost[0], {"text": f"{insurance[0]['text']} {check_in}"}]) == CHECK_IN
    assert told_first([cost[0], insurance[0]]) is None
    assert told_first(said("utter_report_emergency")) == EMERGENCY


def test_a_spanish_set_is_answered_right_only_in_spanish():
    english = said("utter_ask_recovery_time")
    spanish_template = next(v["text"] for v in domain().responses["utter_ask_recovery_time"]
                            if any(c.get("value") == "es" for c in v.get("condition") or [])
                            and not any(c.get("name") == "procedure"
                                        for c in v.get("condition") or []))
    spanish = [{"text": spanish_template.replace("{practice_phone}", SLOTS["practice_phone"])}]
    assert answers_right("ask_recovery_time", spanish)
    assert in_language(spanish, "es") and not in_language(english, "es")
    assert in_language(english, "en")
