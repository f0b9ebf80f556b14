"""A new model swapped in without stalling the conversations in progress.

Rasa's model-server worker (rasa.core.agent._update_model_from_server) loads the new model on
the event loop: for the 1 to 15 seconds it takes, no chat message, REST request or SMS is
answered (Twilio gives up after 15 s). Here the model is loaded in a worker thread, and only
the finished processor is put in place on the event loop, in one step: a message is answered
by the old model or the new one, never by half of each. Everything else is Rasa's own (the
pull, the fingerprint, the temporary folder, the error handling).

Rasa gives a model's domain to the response generator only as its responses; ours also needs
each topic's title (components/courteous_nlg.py names the nearest topic), so every model put in
place, the first included, hands the generator its whole domain.

Installed by runtime/rasa_changes.py when the Rasa server starts.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import aiohttp
import rasa.core.agent
from rasa.core.agent import Agent
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.nlu.utils import is_url
from rasa.utils.common import TempDirectoryPath, get_temp_dir_name
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


def put_in_place(agent: Agent, processor: MessageProcessor, fingerprint: str) -> None:
    """What Agent.load_model does once the processor is built (no await: one step)."""
    agent.processor = processor
    agent.domain = processor.domain
    agent._set_fingerprint(fingerprint)
    agent.tracker_store.domain = agent.domain
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = agent.domain.responses if agent.domain else {}
    domain_to_nlg(agent)


def domain_to_nlg(agent: Agent) -> None:
    """The loaded model's domain to a response generator that reads more than responses."""
    use_domain = getattr(agent.nlg, "use_domain", None)
    if use_domain is not None and agent.domain is not None:
        use_domain(agent.domain)


load_model = Agent.load_model


def load_model_and_tell_nlg(agent: Agent, *args: Any, **kwargs: Any) -> None:
    load_model(agent, *args, **kwargs)
    domain_to_nlg(agent)


async def update_model_from_server(model_server: EndpointConfig, agent: Agent) -> None:
    """Rasa's _update_model_from_server, with the model loaded off the event loop."""
    if not is_url(model_server.url):
        raise aiohttp.InvalidURL(model_server.url)
    with TempDirectoryPath(get_temp_dir_name()) as directory:
        try:
            fingerprint = await rasa.core.agent._pull_model_and_fingerprint(
                model_server, agent.fingerprint, directory)
            if not fingerprint:
                logger.debug("No new model found at %s", model_server.url)
                return
            logger.info("A new model was published: loading it beside the current one.")
            build = functools.partial(
                MessageProcessor, model_path=directory, tracker_store=agent.tracker_store,
                lock_store=agent.lock_store, action_endpoint=agent.action_endpoint,
                generator=agent.nlg, http_interpreter=agent.http_interpreter)
            processor = await asyncio.get_running_loop().run_in_executor(None, build)
            put_in_place(agent, processor, fingerprint)
            logger.info("The new model is live.")
            # Tell the model server at once which model is live, rather than at the next pull
            # (the staff studio's publish waits for it): one more pull, answered "not modified".
            await rasa.core.agent._pull_model_and_fingerprint(model_server, fingerprint,
                                                              directory)
        except Exception:  # noqa: BLE001 (Rasa's own policy: keep the model that works)
            logger.exception("Failed to update model. The previous model will stay loaded.")


def install() -> None:
    rasa.core.agent._update_model_from_server = update_model_from_server
    Agent.load_model = load_model_and_tell_nlg
