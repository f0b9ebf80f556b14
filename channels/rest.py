"""REST channel of the project's own: POST /webhooks/rest/webhook
{"sender": "...", "message": "..."}, answered with the bot's messages as JSON like Rasa's
RestInput, but bounded:
- the body is validated (pydantic): anything that is not a JSON object with a non-empty string
  `sender` and a string `message` gets 400 and a JSON error, not a 500 (Rasa's channel failed
  on an empty body, `[]`, `null` or a string, and put a missing sender into one shared
  "default" conversation);
- what else the client sends (`metadata`, `input_channel`) is ignored: nothing the client
  chooses is stored beside the conversation;
- `?stream=true` is refused (Rasa's stream held a connection for up to an hour on failure);
- a message over the length cap is answered with a request to shorten it, not passed to the
  bot (channels/limits.py);
- each sender and each network address is rate-limited (channels/rate_limits.py): over the
  limit, 429 with the same words the other channels use, before the bot runs;
- but safety comes before every refusal (channels/safety_first.py): a message too long, over a
  limit or in an otherwise malformed request is read for a red flag first, and one that
  describes an emergency or a crisis gets that guidance (over a limit: a 200 with the guidance
  as the bot's message; malformed: the 400 carries it as `guidance`);
- whatever fails inside the bot, the client gets an answer with the phone number, not a 500;
- a turn may carry the client's `message_id`: sent again (a retry, or nginx passing it on
  after a server died), it gets the reply already given and is not run twice
  (channels/turn_ids.py);
- a REST sender names a conversation of REST's own (`rest-<sender>`): the client chooses the
  name, so it must never reach a web chat's or an SMS number's conversation (`web-<id>` is
  readable from a web chat token; REST would have spoken in it, heard its context and could
  have deleted it). Replies name the sender as the client sent it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, Extra, StrictStr, ValidationError, constr
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.limits import storable, too_long
from channels.rate_limits import ALLOW, ChannelLimits, client_address
from channels.responses import CANNOT_ANSWER, TOO_LONG, TOO_MANY, channel_says
from channels.safety_first import OverLimitSafety, guidance_for
from channels.turn_ids import MESSAGE_ID_PATTERN, replies_already_given
from components.language import language_of

logger = logging.getLogger(__name__)

# A sender id names one conversation: printable, no spaces, short.
SENDER_PATTERN = r"^[A-Za-z0-9._:@+\-]{1,128}$"
CONVERSATION_PREFIX = "rest-"
# Messages per minute: a patient types a few; a script types hundreds.
SENDER_RATE_LIMIT = 20
ADDRESS_RATE_LIMIT = 60


class RestRequest(BaseModel):
    sender: constr(strict=True, regex=SENDER_PATTERN)  # type: ignore[valid-type]
    message: StrictStr
    # The client's name for this turn: sent again, it gets the reply already given
    # (channels/turn_ids.py).
    message_id: constr(strict=True, regex=MESSAGE_ID_PATTERN) | None = None  # type: ignore[valid-type]

    class Config:
        extra = Extra.ignore


def error(reason: str, status: int = 400, guidance: str | None = None) -> HTTPResponse:
    body = {"error": reason}
    if guidance:
        body["guidance"] = guidance
    return response.json(body, status=status)


def problems(exc: ValidationError) -> str:
    """Which fields are wrong, in words (never the values sent)."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


async def too_many(request: Request, window: int) -> HTTPResponse:
    return response.json({"error": await channel_says(request.app, TOO_MANY, "rest")},
                         status=429, headers={"Retry-After": str(window)})


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(ChannelLimits.from_credentials("REST", credentials, SENDER_RATE_LIMIT,
                                                  ADDRESS_RATE_LIMIT))

    def __init__(self, limits: ChannelLimits | None = None) -> None:
        self.limits = limits or ChannelLimits.from_credentials(
            "REST", {}, SENDER_RATE_LIMIT, ADDRESS_RATE_LIMIT)
        self.over_limit = OverLimitSafety()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        rest_webhook = Blueprint("rest_webhook", __name__)

        @rest_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            address = client_address(request.ip, request.headers.get("X-Forwarded-For"))
            address_verdict = self.limits.check_address(address)
            if "stream" in request.args:
                return error("Streaming is not supported: leave out ?stream.")
            try:
                body = json.loads(request.body or b"")
            # RecursionError: JSON nested thousands deep ("[[[[...").
            except (ValueError, UnicodeDecodeError, RecursionError):
                body = None
            if address_verdict != ALLOW:
                return await self._over_limit(request, f"address:{address}", body)
            if not isinstance(body, dict):
                return error('The body must be a JSON object: {"sender": "...", "message": "..."}.')
            try:
                parsed = RestRequest.parse_obj(body)
            except ValidationError as exc:
                return error(f"Invalid request: {problems(exc)}.", guidance=await guidance_for(
                    request.app, storable(text_in(body)), self.name()))
            if self.limits.check_sender(parsed.sender) != ALLOW:
                return await self._over_limit(request, f"sender:{parsed.sender}", body)
            return response.json(await self._answer(parsed, on_new_message, request.app))

        return rest_webhook

    async def _over_limit(self, request: Request, key: str, body: Any) -> HTTPResponse:
        """429, unless the message describes a red flag (and this client has not had the
        guidance this minute): then the guidance, as the bot's answer."""
        guidance = await self.over_limit.guidance_for(request.app, key, storable(text_in(body)),
                                                      self.name())
        if guidance is None:
            return await too_many(request, self.limits.window)
        sender = body.get("sender") if isinstance(body, dict) else None
        return response.json([{"recipient_id": sender if isinstance(sender, str) else None,
                                "text": guidance}])

    async def _answer(self, parsed: RestRequest, on_new_message, app: Any
                      ) -> list[dict[str, Any]]:
        if too_long(parsed.message):
            text = (await guidance_for(app, storable(parsed.message), self.name())
                    or await channel_says(app, TOO_LONG, self.name(),
                                          language_of(storable(parsed.message))))
            return [{"recipient_id": parsed.sender, "text": text}]
        conversation = conversation_id(parsed.sender)
        collector = CollectingOutputChannel()
        try:
            if parsed.message_id is not None:
                given = await replies_already_given(app, conversation, parsed.message_id,
                                                    parsed.sender)
                if given is not None:
                    return given
            await on_new_message(UserMessage(storable(parsed.message), collector, conversation,
                                             input_channel=self.name(),
                                             message_id=parsed.message_id))
        # The channel's boundary: whatever failed, the patient gets an answer, not a 500.
        except Exception:  # noqa: BLE001
            logger.exception("REST: the bot failed to answer.")
            return [{"recipient_id": parsed.sender,
                     "text": await channel_says(app, CANNOT_ANSWER, self.name())}]
        return [{**message, "recipient_id": parsed.sender} for message in collector.messages]


def conversation_id(sender: str) -> str:
    """The conversation a REST sender names: in REST's namespace, whatever the client sent."""
    return f"{CONVERSATION_PREFIX}{sender}"


def text_in(body: Any) -> str:
    """The message a request's body carries, if it carries one as text ("" otherwise)."""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""
