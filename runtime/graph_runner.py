"""Rasa's model graph run in order, without dask's scheduler, for each message.

Rasa runs the parse and the policies as a graph through dask's local scheduler: for a graph of
a dozen nodes run two or three times per message, building the dask graph, finding the
minimal graph again and scheduling took about a tenth of a reply. The order of the nodes for
each set of targets is found once; then each node runs with its inputs, exactly as the
DaskGraphRunner would run it (the same nodes, hooks and errors). Training keeps dask.

Installed by runtime/rasa_changes.py when the Rasa server starts (the loader then builds this
runner for every model it loads, swapped-in ones included).
"""

from __future__ import annotations

import functools
from typing import Any

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner


class SequentialGraphRunner(DaskGraphRunner):
    @functools.lru_cache(maxsize=32)  # noqa: B019 - one runner per model, a few target sets
    def _order(self, targets: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each node the targets need, after the nodes it needs, with the names of those."""
        schema = self._graph_schema.minimal_graph_schema(list(targets))
        ordered: dict[str, tuple[str, ...]] = {}

        def visit(name: str) -> None:
            if name in ordered or name not in schema.nodes:
                return  # already placed, or a run input
            needs = tuple(schema.nodes[name].needs.values())
            for source in needs:
                visit(source)
            ordered[name] = needs

        for target in targets:
            visit(target)
        return tuple(ordered.items())

    def run(self, inputs: dict[str, Any] | None = None,
            targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        # An input named like a node is refused, as DaskGraphRunner refuses it.
        self._add_inputs_to_graph(inputs, dict.fromkeys(self._graph_schema.nodes))
        # Each node is given, and gives, (name, value) pairs.
        results = {name: (name, value) for name, value in (inputs or {}).items()}
        try:
            for name, needs in self._order(run_targets):
                results[name] = self._instantiated_nodes[name](*(results[n] for n in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)


def install() -> None:
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
