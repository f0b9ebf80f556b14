"""Intent classification by a linear model: TF-IDF of the message's lemmas (words and word
pairs) and of its character n-grams (typos: "recovry"), then logistic regression
(scikit-learn). It trains in seconds, answers in about a millisecond and needs no TensorFlow;
on the held-out patient phrasings it answers as many right as DIET did (docs/performance.md
has the measurements that chose it).

Saved as plain numbers and words (JSON and a NumPy archive read without pickle): loading a
model never runs code from the model file (the class of bug behind CVE-2024-49375).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from components import several_questions, warm_start

logger = logging.getLogger(__name__)

WEIGHTS_FILE, VOCABULARY_FILE = "weights.npz", "vocabulary.json"


def lemmas(message: Message) -> str:
    """The message as the classifier reads it: lower-case lemmas, so "recovering" and
    "recovery" count as one word (the project's spaCy pipeline sets them)."""
    return lemmas_of(message.get(TOKENS_NAMES[TEXT]) or [])


def lemmas_of(tokens: list[Any]) -> str:
    return " ".join((token.lemma or token.text).lower() for token in tokens)


def vectorizers(config: dict[str, Any]) -> list[TfidfVectorizer]:
    # Accents folded: Spanish patients write "ciática" and "ciatica" alike.
    words = TfidfVectorizer(analyzer="word", token_pattern=r"(?u)\b\w+\b", sublinear_tf=True,
                            ngram_range=tuple(config["word_ngrams"]), strip_accents="unicode")
    characters = TfidfVectorizer(analyzer="char_wb", sublinear_tf=True, strip_accents="unicode",
                                 ngram_range=tuple(config["char_ngrams"]))
    return [words, characters]


class LinearScorer:
    """The trained model's scores for one text, computed as sklearn's TfidfVectorizer would
    (sublinear tf, idf, l2 norm per vectorizer) but directly from the message's own n-grams:
    sklearn's transform, with its checks and sparse matrices, costs about ten times as much
    (docs/performance.md). tests/test_linear_intent_classifier.py holds the two to the same
    numbers."""

    def __init__(self, fitted: list[TfidfVectorizer], coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.analyzers = [vectorizer.build_analyzer() for vectorizer in fitted]
        self.vocabularies = [vectorizer.vocabulary_ for vectorizer in fitted]
        self.idfs = [vectorizer.idf_ for vectorizer in fitted]
        sizes = [len(vocabulary) for vocabulary in self.vocabularies]
        self.offsets = np.cumsum([0, *sizes[:-1]])
        # One row per feature, contiguous: a feature's weights for every intent side by side.
        self.weights = np.ascontiguousarray(coef.T)
        self.intercept = intercept

    def scores(self, text: str) -> np.ndarray:
        total = self.intercept.copy()
        for analyzer, vocabulary, idf, offset in zip(self.analyzers, self.vocabularies,
                                                     self.idfs, self.offsets, strict=True):
            counts = Counter(vocabulary[term] for term in analyzer(text) if term in vocabulary)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = 1 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))
            values = tf * idf[index]
            values /= np.linalg.norm(values)
            total += values @ self.weights[offset + index]
        return total


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # C: little regularisation, so a clear message gets a confident answer (the
        # fallback's thresholds read these probabilities). Chosen on tests/nlu_dev.yml.
        # several_questions_confidence: how sure of each piece of a message the classifier
        # must be to answer it as several questions (components/several_questions.py).
        # asked_per_subject: intents whose answer depends on the subject the question names
        # (an entity of these labels): "do you treat kyphosis? what about tumors" asks twice.
        return {"C": 100.0, "word_ngrams": [1, 2], "char_ngrams": [2, 5],
                "max_iter": 3000, "ranking_length": 10, "several_questions_confidence": 0.5,
                "about": {}, "asked_per_subject": {"ask_condition_treated": ["condition"]}}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource, finetuning: bool = False) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage, self._resource = model_storage, resource
        # Loaded to be trained again (rasa train --finetune): training starts from these weights.
        self.finetuning = finetuning
        self.vectorizers: list[TfidfVectorizer] = []
        self.classes = np.array([], dtype=str)
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)
        self.scorer: LinearScorer | None = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.debug("LinearIntentClassifier: fewer than two intents, nothing to learn.")
            return self._resource
        texts = [lemmas(m) for m in examples]
        start = self.weights() if self.finetuning else None
        self.vectorizers = vectorizers(self.config)
        features = hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        model = warm_start.fit(features, [m.get(INTENT) for m in examples], self.vectorizers,
                               start, C=float(self.config["C"]),
                               max_iter=self.config["max_iter"], random_state=42)
        self.classes = model.classes_.astype(str)
        self.coef, self.intercept = model.coef_, model.intercept_
        self.scorer = LinearScorer(self.vectorizers, self.coef, self.intercept)
        self.persist()
        return self._resource

    def weights(self) -> warm_start.Weights | None:
        if self.scorer is None:
            return None
        return warm_start.Weights(self.vectorizers, self.classes, self.coef, self.intercept)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Softmax of the linear scores: the multinomial model's probabilities."""
        scores = np.array([self.scorer.scores(text) for text in texts])
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        if not len(self.classes) or not messages:
            return messages
        for message, row in zip(messages, self.probabilities([lemmas(m) for m in messages]),
                                strict=True):
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            ranking = self.about_its_topic(self.ranking(row), tokens)
            asks = self.several_questions(message)
            if asks:
                # The first question is the message's intent, the rules answer it; the others
                # are named in order for the reply to answer after it.
                ranking = asks[0][1]
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), *(
                    {"entity": several_questions.ENTITY, "value": asked[0]["name"],
                     "start": start, "end": end, "extractor": type(self).__name__}
                    for (start, end), asked in asks[1:])], add_to_output=True)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def ranking(self, row: np.ndarray) -> list[dict[str, Any]]:
        order = np.argsort(-row)[: self.config["ranking_length"]]
        return [{"name": str(self.classes[i]), "confidence": float(row[i])} for i in order]

    def about_its_topic(self, ranking: list[dict[str, Any]], tokens: list[Any]
                        ) -> list[dict[str, Any]]:
        """The ranking without the likeliest readings whose topic the message never names
        (the `about` words of config.yml): "who invented the internet" reads like "who
        invented MIG-LIF", but a fact about MIG-LIF is no answer to it. What is left keeps its
        confidence, so the message usually falls to the unsure path."""
        words = {part for token in tokens for part in re.split(r"[\W_]+", token.text.lower())}
        about = self.config["about"]
        kept = ranking
        while kept and kept[0]["name"] in about and not words & set(about[kept[0]["name"]]):
            kept = kept[1:]
        return kept or ranking

    def several_questions(self, message: Message
                          ) -> list[tuple[tuple[int, int], list[dict[str, Any]]]]:
        """((start, end) characters, ranking) of each question, if the message asks several
        different ones; else nothing."""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        pieces = several_questions.pieces([token.text.lower() for token in tokens])
        if len(pieces) < 2:
            return []
        rankings = self.rankings_of(tokens, pieces)
        if not all(rankings):
            return []
        subjects = self.subjects_of(message, tokens, pieces, rankings)
        joined = several_questions.merged(pieces, [ranking[0]["name"] for ranking in rankings],
                                          subjects)
        if joined != pieces:
            pieces, rankings = joined, self.rankings_of(tokens, joined)
            subjects = self.subjects_of(message, tokens, pieces, rankings)
        readings = [{**ranking[0], "about": subject}
                    for ranking, subject in zip(rankings, subjects, strict=True)]
        if not several_questions.several(readings, self.config["several_questions_confidence"]):
            return []
        return [((tokens[start].start, tokens[end - 1].end), ranking)
                for (start, end), ranking in zip(pieces, rankings, strict=True)]

    def subjects_of(self, message: Message, tokens: list[Any], pieces: list[tuple[int, int]],
                    rankings: list[list[dict[str, Any]]]) -> list[frozenset[str]]:
        """What each piece asks about, for the intents whose answer depends on it (the lexicon's
        entities in the piece's words: "kyphosis" -> spinal_deformity). A follow-up that names
        another subject ("...? what about tumors") asks the question before it again, about
        that subject: its ranking is read so."""
        doc = message.get(SPACY_DOCS[TEXT])
        per_subject = self.config["asked_per_subject"]
        subjects: list[frozenset[str]] = []
        asked = None
        for (start, end), ranking in zip(pieces, rankings, strict=True):
            name = ranking[0]["name"]
            if name in several_questions.PART_OF_THE_LAST and asked in per_subject:
                name = asked
            labels = per_subject.get(name, [])
            first, last = tokens[start].start, tokens[end - 1].end
            subject = frozenset(ent.ent_id_ or ent.text for ent in (doc.ents if doc else [])
                                if ent.label_ in labels
                                and first <= ent.start_char and ent.end_char <= last)
            if subject and name != ranking[0]["name"]:
                ranking[0] = {**ranking[0], "name": name}
            subjects.append(subject)
            asked = name
        return subjects

    def rankings_of(self, tokens: list[Any], pieces: list[tuple[int, int]]
                    ) -> list[list[dict[str, Any]]]:
        rows = self.probabilities([lemmas_of(tokens[start:end]) for start, end in pieces])
        return [self.about_its_topic(self.ranking(row), tokens[start:end])
                for row, (start, end) in zip(rows, pieces, strict=True)]

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, coef=self.coef, intercept=self.intercept,
                     classes=self.classes,
                     **{f"idf{i}": v.idf_ for i, v in enumerate(self.vectorizers)})
            vocabularies = [{term: int(index) for term, index in v.vocabulary_.items()}
                            for v in self.vectorizers]
            (directory / VOCABULARY_FILE).write_text(json.dumps(vocabularies), encoding="utf-8")

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource, execution_context.is_finetuning)
        try:
            with model_storage.read_from(resource) as directory:
                weights = np.load(directory / WEIGHTS_FILE, allow_pickle=False)
                vocabularies = json.loads((directory / VOCABULARY_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            logger.debug("LinearIntentClassifier: no trained model; it will not classify.")
            return component
        component.coef, component.intercept = weights["coef"], weights["intercept"]
        component.classes = weights["classes"]
        component.vectorizers = vectorizers(component.config)
        for index, (vectorizer, vocabulary) in enumerate(
                zip(component.vectorizers, vocabularies, strict=True)):
            vectorizer.set_params(vocabulary=vocabulary)
            vectorizer.fit(["-"])  # fixes the vocabulary; the trained weights replace the idf
            vectorizer.idf_ = weights[f"idf{index}"]
        component.scorer = LinearScorer(component.vectorizers, component.coef,
                                        component.intercept)
        return component
