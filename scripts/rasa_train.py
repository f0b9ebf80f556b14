"""`rasa train`, with the training graph's independent steps on two threads.

Rasa runs the training graph one step after another (dask's synchronous scheduler), though
the intent classifier, the risk model and the condition describer each need only the
tokenized training data: on two cores the risk model can learn while the intent classifier
does. A staff member's new example questions retrain both, and the studio's publish should go
live within a minute (docs/studio.md has the timings). The steps and their order of needs are
Rasa's own; only the scheduler differs: dask's threaded one, on two threads.

With --finetune, Rasa refuses to start from a model whose topics differ (a topic added or
removed changes the labels and the domain: its FinetuningValidator). That refusal ends this
process with CANNOT_FINETUNE, apart from every other failure, so that scripts/train.py can
train from zero instead.

Every other `rasa train` argument is Rasa's. Run as scripts/train.py runs it:
    python -m scripts.rasa_train --fixed-model-name spine-assistant --out models/staging
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import dask.threaded
import rasa.model_training
from rasa.__main__ import main as rasa_main
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.graph_components.validators.finetuning_validator import FinetuningValidator
from rasa.shared.exceptions import InvalidConfigException

from scripts.train import CANNOT_FINETUNE

THREADS = 2
refusals: list[str] = []


class ThreadedGraphRunner(DaskGraphRunner):
    """DaskGraphRunner.run, on dask's threaded scheduler instead of its synchronous one."""

    def run(self, inputs: dict[str, Any] | None = None,
            targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        minimal_schema = self._graph_schema.minimal_graph_schema(run_targets)
        run_graph = self._build_dask_graph(minimal_schema)
        if inputs:
            self._add_inputs_to_graph(inputs, run_graph)
        try:
            return dict(dask.threaded.get(run_graph, run_targets, num_workers=THREADS))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error


def noting_refusals(compare: Callable[..., None]) -> Callable[..., None]:
    """FinetuningValidator's one comparison of the old model with the new data, its refusal
    noted before Rasa reports it like any other error."""

    @functools.wraps(compare)
    def compare_or_memorize(*args: Any, **kwargs: Any) -> None:
        try:
            compare(*args, **kwargs)
        except InvalidConfigException as error:
            refusals.append(str(error))
            raise

    return compare_or_memorize


def main(argv: list[str] | None = None) -> None:
    # Training builds its GraphTrainer with this name (rasa/model_training.py, 3.6); the
    # test of this module fails if Rasa stops doing so.
    rasa.model_training.DaskGraphRunner = ThreadedGraphRunner
    FinetuningValidator._compare_or_memorize = noting_refusals(
        FinetuningValidator._compare_or_memorize)
    sys.argv = ["rasa", "train", *(sys.argv[1:] if argv is None else argv)]
    try:
        rasa_main()
    except SystemExit:
        if refusals:
            sys.exit(CANNOT_FINETUNE)
        raise


if __name__ == "__main__":
    main()
