"""No patient data in tracebacks: Rasa renders an exception logged through structlog with the
local variables of every frame (structlog's dict_tracebacks), and those locals can hold slot
values, trackers or messages — what a patient wrote. Here the same tracebacks are rendered
without locals: the file, line and function still point to the fault.

Installed by runtime/rasa_changes.py when the Rasa server starts (after Rasa configured structlog;
the processor list is changed in place, so loggers already in use change too).
"""

from __future__ import annotations

import structlog
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer

without_locals = ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def install() -> None:
    processors = structlog.get_config()["processors"]
    for index, processor in enumerate(processors):
        if processor is structlog.processors.dict_tracebacks:
            processors[index] = without_locals
