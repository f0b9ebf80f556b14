"""How the assistant is trained (scripts/train.py, scripts/rasa_train.py): the checks beside the
training, a failed check stopping it with nothing published, and Rasa's training graph on two
threads. A whole training runs in `make test` (make train) and in the studio's publish test
(tests/browser/test_studio_publishing.py: from the live model's weights)."""

from __future__ import annotations

import inspect
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import rasa.model_training
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.graph_components.validators.finetuning_validator import FinetuningValidator
from rasa.shared.exceptions import InvalidConfigException

from harness.clone import lone_clone
from scripts import rasa_train
from scripts.rasa_train import ThreadedGraphRunner
from scripts.train import CHECKS_PASSED

MEETING = threading.Barrier(2, timeout=10)


class Meets(GraphComponent):
    """A step that waits, up to 10 s, for another to reach the same point."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> Meets:
        return cls()

    def meet(self) -> str:
        return f"met as {MEETING.wait()}"


def test_rasa_still_builds_its_trainer_with_the_runner_we_replace() -> None:
    # scripts/rasa_train.py swaps this module-level name; a Rasa that stopped using it would
    # train one step at a time again, silently.
    assert rasa.model_training.DaskGraphRunner is DaskGraphRunner
    assert "GraphTrainer(model_storage, cache, DaskGraphRunner)" in inspect.getsource(
        rasa.model_training._train_graph)


def test_rasa_still_refuses_a_finetune_in_the_one_method_we_watch() -> None:
    # After a topic is added, Rasa refuses to start from the current model in this method;
    # scripts/rasa_train.py notes that so that scripts/train.py trains from zero instead
    # (the whole path: tests/test_staff_workflow.py, with FINETUNE=1 as the studio runs it).
    source = inspect.getsource(FinetuningValidator._validate)
    assert source.count("self._compare_or_memorize(") == 3
    assert "raise InvalidConfigException" in inspect.getsource(
        FinetuningValidator._compare_or_memorize)


def test_a_refused_finetune_is_noted_and_still_raised(monkeypatch) -> None:
    monkeypatch.setattr(rasa_train, "refusals", [])

    def refuse(*_args: Any) -> None:
        raise InvalidConfigException("Cannot finetune because NLU training data contains new "
                                     "labels")

    with pytest.raises(InvalidConfigException):
        rasa_train.noting_refusals(refuse)("validator", "nlu", "fingerprint", "message")
    assert rasa_train.refusals == ["Cannot finetune because NLU training data contains new "
                                   "labels"]


def test_independent_steps_run_at_the_same_time(tmp_path) -> None:
    schema = GraphSchema({name: SchemaNode(needs={}, uses=Meets, constructor_name="create",
                                           fn="meet", config={}, is_target=True)
                          for name in ("intents", "risk")})
    runner = ThreadedGraphRunner.create(schema, LocalModelStorage(tmp_path),
                                        ExecutionContext(schema), hooks=[])
    # One after the other, the first would wait at the barrier alone and fail after 10 s.
    assert sorted(runner.run()) == ["intents", "risk"]


def test_a_failed_check_stops_the_training_and_publishes_nothing(tmp_path) -> None:
    project = lone_clone(tmp_path / "clone")
    topic = project / "data" / "topics" / "contact.yml"
    topic.write_text(topic.read_text(encoding="utf-8").replace(
        "Call us at {practice_phone}.", "Call us at 555-0199.", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "scripts.train"], cwd=project,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 1
    assert "The checks failed (above): nothing was trained." in result.stdout
    assert CHECKS_PASSED not in result.stdout
    assert not (project / "models" / "spine-assistant.tar.gz").exists()
    assert not list(Path(project / "models").glob("staging/*.tar.gz"))
