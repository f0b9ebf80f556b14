"""The linear intent classifier (components/linear_intent_classifier.py): learns from lemmas
and character n-grams, and a saved model loads back to the same answers without pickle."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack

from components.linear_intent_classifier import WEIGHTS_FILE, LinearIntentClassifier

EXAMPLES = {
    "ask_recovery_time": ["how long is recovery", "when can i go back to work",
                          "how many weeks to heal", "recovery time after surgery"],
    "ask_cost": ["how much does it cost", "what is the price", "is it expensive",
                 "what will i pay"],
    "greet": ["hello", "hi there", "good morning", "hey"],
}


def messages(texts: list[str], intent: str | None = None) -> list[Message]:
    data = [Message(data={"text": t, **({"intent": intent} if intent else {})}) for t in texts]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    return tokenizer.process(data)


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage) -> tuple[LinearIntentClassifier, Resource]:
    resource = Resource("classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = LinearIntentClassifier.create({}, storage, resource, context)
    examples = [m for intent, texts in EXAMPLES.items() for m in messages(texts, intent)]
    classifier.train(TrainingData(examples))
    return classifier, resource


def test_it_learns_intents_and_tolerates_typos(storage):
    classifier, _ = trained(storage)
    for text, intent in [("how long is the recovry", "ask_recovery_time"),
                         ("what does it cost me", "ask_cost"), ("hello!", "greet")]:
        [message] = classifier.process(messages([text]))
        assert message.get("intent")["name"] == intent
        ranking = message.get("intent_ranking")
        assert abs(sum(r["confidence"] for r in ranking) - 1) < 1e-6


def test_a_saved_model_loads_back_to_the_same_answers_without_pickle(storage):
    classifier, resource = trained(storage)
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentClassifier.load({}, storage, resource, context)
    texts = ["how long is recovery", "price?", "", "qwerty"]
    assert np.allclose(classifier.probabilities(texts), loaded.probabilities(texts))
    with storage.read_from(resource) as directory:
        # Readable with pickle refused: numbers and words only.
        np.load(directory / WEIGHTS_FILE, allow_pickle=False)["classes"].tolist()


def test_an_untrained_classifier_leaves_messages_alone(storage):
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = LinearIntentClassifier.load({}, storage, Resource("nothing"), context)
    [message] = classifier.process(messages(["hello"]))
    assert message.get("intent") is None


def test_its_scores_are_sklearns_tfidf_and_linear_model(storage):
    # The scorer computes TF-IDF itself, for speed; it must give what sklearn gives.
    classifier, _ = trained(storage)
    texts = ["how long is the recovery recovery", "price?", "", "qwerty", "héllo wörld",
             "how much does it cost to heal when i go back to work"]
    features = hstack([v.transform(texts) for v in classifier.vectorizers]).tocsr()
    expected = features @ classifier.coef.T + classifier.intercept
    actual = np.array([classifier.scorer.scores(text) for text in texts])
    assert np.allclose(actual, expected, atol=1e-10)


def test_a_reading_whose_topic_the_message_never_names_is_dropped():
    from types import SimpleNamespace

    from components.linear_intent_classifier import LinearIntentClassifier

    classifier = LinearIntentClassifier.__new__(LinearIntentClassifier)
    classifier.config = {"about": {"ask_miglif_developer": ["mig", "lif", "it"]}}
    ranking = [{"name": "ask_miglif_developer", "confidence": 0.8},
               {"name": "out_of_scope", "confidence": 0.1}]
    tokens = lambda text: [SimpleNamespace(text=word) for word in text.split()]  # noqa: E731
    assert classifier.about_its_topic(ranking, tokens("who invented the internet")) == \
        ranking[1:]
    assert classifier.about_its_topic(ranking, tokens("who invented MIG-LIF")) == ranking
    assert classifier.about_its_topic(ranking, tokens("who made it")) == ranking
    # Nothing left would be no reading at all: the ranking stays whole.
    assert classifier.about_its_topic(ranking[:1], tokens("who is he")) == ranking[:1]
