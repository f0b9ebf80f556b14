"""`make check` finds each kind of mistake a staff member can make, in plain words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from staff.check import check, main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def topics(tmp_path) -> Path:
    """A copy of data/ to break; returns its topics folder."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data" / "topics"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def messages(topics: Path, run_rasa: bool = False) -> list[str]:
    return [str(problem) for problem in check(topics, run_rasa=run_rasa)]


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_real_topic_files_pass_every_check_including_rasas(topics):
    assert messages(topics, run_rasa=True) == []


def test_a_tab_is_pointed_out(topics):
    edit(topics / "contact.yml", "    - phone number?", "\t- phone number?")
    [problem] = messages(topics)
    assert problem.startswith(f"data/topics/contact.yml:{line_of(topics / 'contact.yml', chr(9))}:")
    assert "has a tab" in problem


def test_bad_indentation_is_explained_in_words(topics):
    edit(topics / "contact.yml", "    - phone number?", "  - phone number?")
    [problem] = messages(topics)
    assert "contact.yml:" in problem and "indented exactly like the lines above" in problem


def test_too_few_examples(topics):
    (topics / "referral.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_referral\n  examples: |\n    - need a referral?\n'
        "responses:\n  utter_ask_referral:\n  - text: Please call us at {practice_phone}.\n"
        "  - condition: [{type: slot, name: language, value: es}]\n"
        "    text: Llámenos al {practice_phone}.\n")
    [problem] = messages(topics)
    assert problem.startswith("data/topics/referral.yml:5:")
    assert "has 1 example questions; it needs at least 10" in problem


def test_the_same_question_under_two_topics(topics):
    edit(topics / "contact.yml", "    - phone number?", "    - phone number?\n    - Cost?")
    [problem] = messages(topics)
    assert problem.startswith("data/topics/not_on_page.yml:")
    line = line_of(topics / "contact.yml", "- Cost?")
    assert f"\"cost?\" is also under 'ask_phone_number' (contact.yml:{line})" in problem


def test_questions_so_alike_the_bot_will_confuse_them(topics):
    edit(topics / "contact.yml", "    - phone number?",
         "    - phone number?\n    - what does minimally invasive spine surgery cots")
    [problem] = messages(topics)
    assert "almost the same as one under" in problem
    assert "contact.yml" in problem and "not_on_page.yml" in problem


def test_a_topic_without_an_answer(topics):
    edit(topics / "contact.yml", "  utter_ask_phone_number:", "  utter_ask_phone:")
    problems = messages(topics)
    assert any("'ask_phone_number' has no answer" in p for p in problems), problems


@pytest.mark.parametrize("answer, expected", [
    ("Notwithstanding considerable physiological heterogeneity, postoperative rehabilitation "
     "trajectories demonstrate substantial interindividual variability.", "reads at US grade"),
    ("Call us at 555-123-4567.", "the phone number 555-123-4567"),
    ("A visit costs $150.", "a price"),
    ("See www.spine-example.com for more.", "web address"),
    ("Most patients stay 3 days.", '"3 day", which practice/facts.yml does not give'),
    ("The cut is 15 to 20 mm, far smaller than open surgery.", None),
    ("Recovery takes 12 weeks.", "the number 12, which is not in practice/facts.yml"),
])
def test_answers_are_plain_and_only_use_the_practices_facts(topics, answer, expected):
    edit(topics / "contact.yml", "      Call us at {practice_phone}. You can make an appointment, "
         "set up a visit with a surgeon,\n      talk with our staff or learn more.",
         "      " + answer)
    problems = messages(topics)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_an_sms_answer_over_two_segments(topics):
    edit(topics / "contact.yml", "      talk with our staff or learn more.",
         "      talk with our staff or learn more.\n  - channel: sms\n    text: >-\n"
         + "      Call us to make an appointment and talk with our staff.\n" * 6)
    problems = messages(topics)
    assert any("(SMS) takes 3 text messages" in p for p in problems), problems


def test_rasas_own_validation_is_included(topics):
    edit(topics / "notice.yml", "  - action: utter_notice_unavailable",
         "  - action: utter_notice_gone")
    problems = messages(topics, run_rasa=True)
    assert any(p.startswith("data:1: Rasa's own check:") or "Rasa's own check" in p
               for p in problems), problems


def test_exit_status_says_whether_anything_must_be_fixed(topics, capsys):
    assert main(["--skip-rasa", str(topics)]) == 0
    assert "All good" in capsys.readouterr().out
    edit(topics / "contact.yml", "  utter_ask_phone_number:", "  utter_ask_phone:")
    assert main(["--skip-rasa", str(topics)]) == 1
    assert "thing(s) to fix" in capsys.readouterr().out


@pytest.mark.parametrize("metadata, expected", [
    ("    title: How to reach us by phone, e-mail or letter\n", "a button fits 30"),
    # Reported where it comes second (not_on_page.yml, privacy.yml come after contact.yml).
    ("    title: Cost\n", "is also the title of 'ask_phone_number'"),
    ("    titel: How to reach us\n", "'titel' is not something a topic can say"),
    ("    sms_keywords: [STOP]\n", "a phone carrier's keyword"),
    ("    sms_keywords: [DELETE]\n", "already asks 'ask_phone_number'"),
    ("    notice_words: telehealth\n", "must be a list of words"),
    ("    title: [How, to reach us]\n", "must be words on one line"),
    ("    when_nothing_to_continue: ask_hlep\n", "'ask_hlep' is not a topic"),
    ("    skip_when_unsure: sometimes\n", "is true or false"),
])
def test_what_a_topic_says_about_its_questions_is_checked(topics, metadata, expected):
    edit(topics / "contact.yml", "    title: How to reach us\n", metadata)
    problems = messages(topics)
    assert any(expected in p and p.startswith("data/topics/") for p in problems), problems


def test_the_channels_own_messages_are_checked_like_answers(topics):
    edit(topics / "bot_messages.yml", "  - text: You can text us again. Send your question, or "
         "HELP for help.", "  - text: Notwithstanding the aforementioned circumstances, "
         "correspondence may recommence forthwith upon transmission of an affirmative "
         "reactivation instruction.")
    problems = messages(topics)
    assert any("utter_sms_started reads at US grade" in p for p in problems), problems


@pytest.mark.parametrize("old, new, expected", [
    ("  metadata:\n    title: How to reach us\n    title_es: Cómo comunicarse\n",
     "  metadata: How to reach us\n",
     "must be indented lines like 'title: ...'"),
    ("  examples: |\n    - i think", "  examples:\n    - i think", "'examples: |' followed by"),
])
def test_a_shape_the_bot_cannot_use_is_pointed_out_not_a_crash(topics, old, new, expected):
    edit(topics / "contact.yml", old, new)
    problems = messages(topics)
    assert any(expected in p and p.startswith("data/topics/contact.yml:") for p in problems), \
        problems


def test_a_rule_without_steps_is_pointed_out(topics):
    edit(topics / "notice.yml", "- rule: fetch the latest notice\n  steps:",
         "- rule: fetch the latest notice\n  steps:\n\n- rule: an empty one\n  steps:")
    problems = messages(topics)
    assert any("A rule needs its 'steps:'" in p for p in problems), problems


def test_the_sms_choices_must_keep_their_numbers(topics):
    edit(topics / "bot_messages.yml", "  - text: Reply {choices}.",
         "  - text: Reply with a number.")
    problems = messages(topics)
    assert any("utter_sms_choices must keep {choices}" in p for p in problems), problems
