"""The topic importer derives intents and plain answer rules from the topic files."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.importers.importer import TrainingDataImporter

from components import topic_metadata

ROOT = Path(__file__).resolve().parent.parent


def load(data_dir: Path = ROOT / "data"):
    return TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"), domain_path=str(ROOT / "domain.yml"),
        training_data_paths=[str(data_dir)])


def rules_by_intent(importer) -> dict:
    rules = {}
    for step in importer.get_stories().story_steps:
        events = [e for e in step.events if isinstance(e, (UserUttered, ActionExecuted))]
        intents = [e.intent_name for e in events if isinstance(e, UserUttered)]
        # "..." marks where a rule may start in a conversation; it is not an action.
        actions = [e.action_name for e in events if isinstance(e, ActionExecuted)
                   and e.action_name not in ("...", "action_listen")]
        for intent in intents:
            rules.setdefault(intent, []).append(actions)
    return rules


def test_every_intent_of_the_topic_files_is_in_the_domain():
    importer = load()
    assert importer.get_nlu_data().intents <= set(importer.get_domain().intents)


def test_an_intent_with_an_answer_gets_its_rule():
    rules = rules_by_intent(load())
    assert rules["ask_cost"] == [["utter_ask_cost"]]
    # One response for MISS's and MIG-LIF's benefits, chosen by the slot procedure.
    assert rules["ask_benefits"] == [["utter_ask_benefits"]]
    assert rules["greet"] == [["utter_greet"]]


def test_intents_with_rules_of_their_own_keep_them():
    rules = rules_by_intent(load())
    assert all(actions[0] == "action_check_condition" for actions in rules["ask_condition_treated"])
    assert rules["report_emergency"] == [["utter_report_emergency"]]  # written out, not derived


def test_a_new_topic_file_is_all_staff_write(tmp_path):
    data = tmp_path / "data"
    (data / "topics").mkdir(parents=True)
    for source in (ROOT / "data").rglob("*.yml"):
        target = data / source.relative_to(ROOT / "data")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text())
    (data / "topics" / "referral.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_referral\n  examples: |\n'
        "    - do i need a referral?\n    - referral?\nresponses:\n  utter_ask_referral:\n"
        "  - text: I don't know. Please call us at {practice_phone}.\n")
    importer = load(data)
    assert "ask_referral" in importer.get_domain().intents
    assert rules_by_intent(importer)["ask_referral"] == [["utter_ask_referral"]]


def copy_of_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    for source in (ROOT / "data").rglob("*.yml"):
        target = data / source.relative_to(ROOT / "data")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text())
    return data


VISITORS = """version: "3.1"
nlu:
- intent: ask_visitors
  metadata:
    title: Visitors
    notice_words: [visitor, guest]
  examples: |
    - can my wife come with me?
    - are visitors allowed?
"""


def test_what_a_topic_says_about_its_questions_reaches_the_domain_not_the_nlu(tmp_path):
    data = copy_of_data(tmp_path)
    (data / "topics" / "visitors.yml").write_text(VISITORS)
    importer = load(data)
    metadata = topic_metadata.intent_metadata(importer.get_domain().as_dict())
    assert metadata["ask_visitors"] == {"title": "Visitors", "notice_words": ["visitor", "guest"]}
    assert metadata["ask_cost"] == {"title": "Cost", "title_es": "Costo"}
    # A notice topic gets its rule: the notice is fetched for it.
    assert rules_by_intent(importer)["ask_visitors"] == [["action_fetch_latest_notice"]]
    # Retitling a topic does not change what the NLU learns (no retraining).
    assert all("metadata" not in message.data
               for message in importer.get_nlu_data().training_examples)


def test_an_intent_domain_yml_declares_too_keeps_its_topic_files_metadata(tmp_path):
    domain_file = tmp_path / "domain.yml"
    domain_file.write_text((ROOT / "domain.yml").read_text()
                           + "\nintents:\n  - ask_cost\n  - ask_hours:\n      use_entities: []\n")
    importer = TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"), domain_path=str(domain_file),
        training_data_paths=[str(ROOT / "data")])
    metadata = topic_metadata.intent_metadata(importer.get_domain().as_dict())
    assert metadata["ask_cost"] == {"title": "Cost", "title_es": "Costo"}
    assert metadata["ask_hours"] == {"title": "Office hours", "title_es": "Horario"}


def test_benefits_follow_the_procedure_on_every_channel():
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    from harness.content import domain

    generator = TemplatedNaturalLanguageGenerator(domain().responses)
    def said(procedure: str | None, channel: str) -> str:
        return generator.generate_from_slots(
            "utter_ask_benefits", {"procedure": procedure}, channel)["text"]

    for channel in ("rest", "socketio", "sms"):
        assert "MRSA" in said("mig_lif", channel), channel
        assert "MRSA" not in said("miss", channel) + said(None, channel), channel
