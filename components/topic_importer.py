"""Training-data importer that derives what a topic file should not have to say twice.

Staff add a topic as one file in data/topics/ with the ways patients ask (nlu), what the
topic is called (the intent's `metadata:`) and the answer (responses: utter_<intent>,
optionally a `channel: sms` variant). From that:
- every intent in the NLU data is added to the domain, so domain.yml needs no intent list,
  with its `metadata:` (components/topic_metadata.py), which the domain carries to the action
  server with every call: the title a topic is offered under when the bot is unsure, the words
  that find a notice topic's sentences, the SMS keywords that ask for a topic;
- an intent that has an answer utter_<intent> and that no rule or story mentions gets the
  rule "<intent> -> utter_<intent>"; one with `notice_words` gets "<intent> ->
  action_fetch_latest_notice";
- the metadata does not reach the NLU's training data: retitling a topic does not retrain it;
- the slots that answers fill in with the practice's facts ({practice_phone},
  {practice_name}) get their values from practice/facts.yml, the facts' one home;
- the answers go to the domain only, not into the NLU training data (Rasa's reader puts them
  there too, and the NLU components' cache key covers them: rewording one answer retrained the
  classifier).
Topics whose answers depend on slots or actions (conditions, notice, benefits) keep their
own rules. Configured in config.yml (`importers:`), so rasa train, test and data validate
all see the same data.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import INTENT, METADATA, METADATA_INTENT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.common import cached_method

from components.topic_metadata import NOTICE_ACTION, how_answered
from practice.facts import practice_name, practice_phone

# Slot -> its value from practice/facts.yml. domain.yml declares the slot, without a value.
FACT_SLOTS = {"practice_phone": practice_phone, "practice_name": practice_name}


def answer_rules_yaml(answered: list[str], from_the_notice: list[str]) -> dict[str, Any]:
    """The rule "intent -> utter_<intent>" for each answered intent, and "intent ->
    action_fetch_latest_notice" for each notice topic, as parsed YAML."""
    return {
        "version": "3.1",
        "rules": [
            {"rule": f"answer {intent} (derived from its topic file)",
             "steps": [{"intent": intent}, {"action": f"utter_{intent}"}]}
            for intent in answered
        ] + [
            {"rule": f"fetch the notice on {intent} (derived from its topic file)",
             "steps": [{"intent": intent}, {"action": NOTICE_ACTION}],
             "wait_for_user_input": False}
            for intent in from_the_notice
        ],
    }


def without_metadata(message: Message) -> Message:
    """The example as the NLU learns it: what a topic is called is not part of it."""
    if METADATA not in message.data:
        return message
    return Message(data={key: value for key, value in message.data.items() if key != METADATA})


def intent_metadata(data: TrainingData) -> dict[str, dict[str, Any]]:
    """Each intent's `metadata:` from the topic files (Rasa gives it to every example)."""
    found: dict[str, dict[str, Any]] = {}
    for message in data.training_examples:
        metadata = (message.get(METADATA) or {}).get(METADATA_INTENT)
        if message.get(INTENT) and isinstance(metadata, dict):
            found.setdefault(message.get(INTENT), metadata)
    return found


def with_metadata(domain: Domain, metadata: dict[str, dict[str, Any]]) -> Domain:
    """The domain with each intent's metadata from its topic file (an intent domain.yml
    declares too keeps its own properties)."""
    if not metadata:
        return domain
    as_dict = domain.as_dict()
    intents = []
    for entry in as_dict.get("intents", []):
        name = entry if isinstance(entry, str) else next(iter(entry))
        if name in metadata:
            properties = {} if isinstance(entry, str) else dict(entry[name] or {})
            entry = {name: {**properties, "metadata": metadata[name]}}
        intents.append(entry)
    as_dict["intents"] = intents
    return Domain.from_dict(as_dict)


def with_facts(domain: Domain) -> Domain:
    """The domain with each fact slot it declares valued from practice/facts.yml."""
    as_dict = domain.as_dict()
    slots = as_dict.get("slots", {})
    declared = [name for name in FACT_SLOTS if name in slots]
    if not declared:
        return domain
    for name in declared:
        slots[name]["initial_value"] = FACT_SLOTS[name]()
    return Domain.from_dict(as_dict)


class TopicImporter(RasaFileImporter):
    @cached_method
    def topic_files(self) -> TrainingData:
        """What the topic files say: example questions and answers."""
        return super().get_nlu_data()

    @cached_method
    def get_nlu_data(self, language: str | None = "en") -> TrainingData:
        """The example questions, without the answers."""
        data = self.topic_files()
        return TrainingData(training_examples=[without_metadata(message)
                                               for message in data.training_examples],
                            entity_synonyms=data.entity_synonyms,
                            regex_features=data.regex_features,
                            lookup_tables=data.lookup_tables)

    @cached_method
    def get_domain(self) -> Domain:
        domain = super().get_domain()
        answers = self.topic_files().responses
        if answers:
            domain = domain.merge(Domain.from_dict({"responses": answers}))
        missing = sorted(self.get_nlu_data().intents - set(domain.intents))
        if missing:
            domain = domain.merge(Domain.from_dict({"intents": missing}))
        return with_facts(with_metadata(domain, intent_metadata(self.topic_files())))

    def get_stories(self, exclusion_percentage: int | None = None) -> StoryGraph:
        graph = super().get_stories(exclusion_percentage)
        nlu = self.topic_files()
        mentioned = {
            event.intent_name
            for step in graph.story_steps
            for event in step.events
            if isinstance(event, UserUttered)
        }
        metadata = intent_metadata(nlu)
        how = {intent: how_answered(intent, mentioned, set(nlu.responses),
                                    metadata.get(intent, {})) for intent in sorted(nlu.intents)}
        answerable = [intent for intent, way in how.items() if way == "answer"]
        from_the_notice = [intent for intent, way in how.items() if way == "notice"]
        if not answerable and not from_the_notice:
            return graph
        # The reader checks the rules against a domain that knows the answers.
        domain = self.get_domain().merge(Domain.from_dict({"responses": nlu.responses}))
        steps = YAMLStoryReader(domain).read_from_parsed_yaml(
            answer_rules_yaml(answerable, from_the_notice))
        return graph.merge(StoryGraph(steps))
