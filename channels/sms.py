"""SMS channel: patients text the practice's number; the SMS gateway (Twilio's messaging
webhook, or one that copies its format) posts each text here and sends our TwiML reply.

POST /webhooks/sms/webhook (form-encoded From, To, Body, MessageSid, ...). Unlike Rasa's
built-in Twilio channel, this one:
- checks every request's X-Twilio-Signature (twilio's RequestValidator) and refuses all
  requests when no auth token is configured (fail closed);
- replies in the webhook response (TwiML <Message>): no outbound API call, no credentials;
- speaks SMS: plain GSM text, buttons as "Reply 1 for ...", few segments (channels/sms_format.py);
- honours STOP / START / HELP, remembers opt-outs across restarts, answers a MessageSid once
  however many deliveries arrive (an atomic claim before the bot is asked), rate-limits each
  number (keyword replies too), and answers bad input with a reply or a 400;
- reads a text too long or over the rate limit for a red flag before refusing it
  (channels/safety_first.py): an emergency or a crisis gets its guidance;
- checks signatures against SMS_PUBLIC_URL only, never a URL taken from the request;
- never sees a raw phone number past this door: the sender id is a keyed hash of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels.keys import secret_key
from channels.limits import storable, too_long
from channels.privacy_notice import confirms_deletion, privacy_notice
from channels.rate_limits import RateLimiter, SharedRateLimiter, positive_setting, rate_limiter
from channels.responses import (
    CANNOT_ANSWER,
    SMS_CHOICES,
    SMS_EMPTY,
    SMS_HELP,
    SMS_STARTED,
    SMS_STOPPED,
    TOO_LONG,
    TOO_MANY,
    channel_says,
    sms_keyword_intents,
    template,
)
from channels.safety_first import OverLimitSafety, guidance_for
from channels.sms_format import (
    CHOICES_TEMPLATE,
    HELP_WORDS,
    OPT_IN_WORDS,
    OPT_OUT_WORDS,
    SPANISH_KEYWORDS,
    choice_reply,
    compose,
    keyword,
)
from channels.sms_state import SmsState
from components.language import SPANISH, language_of
from runtime.settings import Settings, load_settings
from storage.retention import PURGE_EVERY_SECONDS

logger = logging.getLogger(__name__)

# Twilio waits 15 s for a webhook's answer; leave room for the network.
BOT_TIMEOUT_SECONDS = 12.0
# Twilio's message ids: "SM" (or "MM" for MMS) and 32 hex digits. Nothing else is stored or
# claimed, so a forged id cannot fill the database or the log.
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")
# A number in E.164, or a short code or sender name: short and printable.
SENDER = re.compile(r"[^\x00-\x1f\x7f]{1,64}")


class SmsOutput(CollectingOutputChannel):
    """Collects the bot's replies; named "sms" so responses' `channel: sms` variants apply."""

    @classmethod
    def name(cls) -> str:
        return "sms"


DEFAULT_RATE_LIMIT = 8


def rate_limit(setting: int | None, credentials: dict[str, Any]) -> int:
    """Texts per number per window: SMS_RATE_LIMIT, else credentials.yml's rate_limit, else 8."""
    if setting is not None:
        return setting
    return positive_setting("SMS", "rate_limit", credentials, DEFAULT_RATE_LIMIT)


class SmsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials, settings = credentials or {}, load_settings()
        token = settings.twilio_auth_token
        return cls(
            auth_token=token.get_secret_value() if token else None,
            public_url=settings.sms_public_url,
            id_key=sender_id_key(settings),
            state=SmsState(settings.sms_state_location),
            limiter=rate_limiter(rate_limit(settings.sms_rate_limit, credentials),
                                 float(credentials.get("rate_window_seconds", 60)), "sms:sender"),
        )

    def __init__(self, auth_token: str | None, public_url: str | None, id_key: bytes,
                 state: SmsState, limiter: RateLimiter | SharedRateLimiter) -> None:
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.public_url = public_url
        self.id_key = id_key
        self.state = state
        self.limiter = limiter
        self.over_limit = OverLimitSafety()
        if not auth_token:
            logger.error("SMS channel: TWILIO_AUTH_TOKEN is not set, so every SMS webhook "
                         "request is refused (403). Set it to the gateway's auth token.")
        elif not public_url:
            # Signatures cover the URL the gateway called; taking it from the request would
            # let a client choose it (the Host header). Fail closed, like a missing token.
            logger.error("SMS channel: SMS_PUBLIC_URL is not set, so every SMS webhook request "
                         "is refused (403). Set it to the webhook URL the gateway calls.")

    async def _expire_every_hour(self, days: int) -> None:
        """Answered message ids after a day; privacy notices with the conversations."""
        while True:
            self.state.expire_conversations(days)
            await asyncio.sleep(PURGE_EVERY_SECONDS)

    def sender_id(self, phone_number: str) -> str:
        digest = hmac.new(self.id_key, phone_number.encode(), hashlib.sha256).hexdigest()
        return f"sms-{digest[:32]}"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        sms_webhook = Blueprint("sms_webhook", __name__)

        @sms_webhook.listener("after_server_start")
        async def expire_every_hour(app: Sanic, _loop: Any) -> None:
            app.add_task(self._expire_every_hour(
                load_settings().conversation_retention_days))

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = form_fields(request)
            if not self._signed(request, params):
                return response.text("Forbidden", status=403)
            return await self._answer(params, on_new_message, request.app)

        return sms_webhook

    def _signed(self, request: Request, params: dict[str, str]) -> bool:
        if self.validator is None or self.public_url is None:
            logger.warning("SMS webhook request refused: TWILIO_AUTH_TOKEN or SMS_PUBLIC_URL "
                           "is not configured.")
            return False
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.validator.validate(self.public_url, params, signature):
            logger.warning("SMS webhook request refused: missing or wrong X-Twilio-Signature.")
            return False
        return True

    async def _answer(self, params: dict[str, str], on_new_message, app: Sanic) -> HTTPResponse:
        number, body, message_sid = params.get("From"), params.get("Body"), params.get("MessageSid")
        if number is None or body is None or message_sid is None:
            return response.text("Bad request: From, Body and MessageSid are required.",
                                 status=400)
        if not SENDER.fullmatch(number) or not MESSAGE_SID.fullmatch(message_sid):
            return response.text("Bad request: From or MessageSid is not well-formed.",
                                 status=400)
        sender = self.sender_id(number)
        if not self.state.claim(message_sid, sender):
            # A retry, or the same delivery twice at once: the first one asks the bot.
            logger.info("SMS: a repeated delivery is answered by its first delivery's reply.")
            return twiml_response(await self._answer_given(message_sid))
        replies = await self._reply(sender, storable(body), on_new_message, app)
        twiml = str(twiml_for(*replies))
        self.state.remember_answer(message_sid, twiml, sender)
        return twiml_response(twiml)

    async def _answer_given(self, message_sid: str) -> str:
        """The reply the first delivery of this message id sent, once it is ready (an empty
        TwiML if it never is: better no second reply than a second answer)."""
        deadline = asyncio.get_running_loop().time() + BOT_TIMEOUT_SECONDS + 1
        while asyncio.get_running_loop().time() < deadline:
            earlier = self.state.answer_for(message_sid)
            if earlier is not None:
                return earlier
            await asyncio.sleep(0.1)
        return str(twiml_for())

    async def _reply(self, sender: str, body: str, on_new_message, app: Sanic) -> list[str]:
        """The texts to send back (none: silence). Every text counts against the rate limit,
        keywords too: each reply is a billed message. The words are the running model's
        (data/topics/bot_messages.yml)."""
        word = keyword(body)
        # A Spanish keyword (PARAR, AYUDA) or a message plainly in Spanish: answered in Spanish.
        language = SPANISH if word in SPANISH_KEYWORDS else language_of(body)

        async def says(response: str) -> list[str]:
            return [await channel_says(app, response, self.name(), language)]

        verdict = self.limiter.check(sender)
        if word in OPT_OUT_WORDS:
            self.state.opt_out(sender)  # always honoured, even in a flood
            return [] if verdict == RateLimiter.DROP else await says(SMS_STOPPED)
        opted_out = self.state.is_opted_out(sender)
        if word in OPT_IN_WORDS and opted_out:
            # "yes" or "start" opts in only a number that opted out; from anyone else it is
            # a message for the bot.
            self.state.opt_in(sender)
            return [] if verdict == RateLimiter.DROP else await says(SMS_STARTED)
        if verdict != RateLimiter.ALLOW:
            # Safety before the refusal (channels/safety_first.py): a red flag gets its
            # guidance, at most once a minute; else one "slow down", then silence.
            guidance = None if opted_out else await self.over_limit.guidance_for(
                app, sender, body, self.name())
            if guidance:
                return [guidance]
            return await says(TOO_MANY) if verdict == RateLimiter.WARN else []
        if word in HELP_WORDS:
            return await says(SMS_HELP)
        if opted_out:
            return []
        if not body.strip():
            return await says(SMS_EMPTY)
        if too_long(body):
            return [await guidance_for(app, body, self.name()) or
                    await channel_says(app, TOO_LONG, self.name(), language)]
        # A keyword a topic file gives its question (sms_keywords: DELETE asks forget_me).
        asked = sms_keyword_intents(app).get(word or "")
        if asked:
            body = f"/{asked}"
        answer, deleted = await self._ask_bot(
            sender, choice_reply(body, self.state.choices_for(sender)), on_new_message, app)
        if deleted:  # the conversation was deleted ("forget me"): so is what this channel kept
            self.state.forget(sender)
            return [answer]
        # The answer first (an emergency's guidance before anything else), then, once per
        # conversation, what the bot is and what not to share.
        notice = (await privacy_notice(app, self.name(), language)
                  if self.state.first_message(sender) else None)
        return [answer, notice] if notice else [answer]

    async def _ask_bot(self, sender: str, text: str, on_new_message, app: Sanic
                       ) -> tuple[str, bool]:
        """The bot's answer as one SMS (utter_cannot_answer if it fails), and whether it
        confirmed "forget me"."""
        fallback = await channel_says(app, CANNOT_ANSWER, self.name())
        collector = SmsOutput()
        try:
            await asyncio.wait_for(
                on_new_message(UserMessage(text, collector, sender, input_channel=self.name())),
                timeout=BOT_TIMEOUT_SECONDS,
            )
        except asyncio.TimeoutError:
            logger.error("SMS: the bot did not answer within %ss.", BOT_TIMEOUT_SECONDS)
            return fallback, False
        # The channel's boundary: whatever failed, the patient gets an answer, not a 500.
        except Exception as error:  # noqa: BLE001
            # The type only: an exception's message can quote what the patient wrote.
            logger.error("SMS: the bot failed to answer (%s).", type(error).__name__)
            return fallback, False
        body, payloads = compose(collector.messages, fallback,
                                 template(app, SMS_CHOICES, self.name()) or CHOICES_TEMPLATE)
        if confirms_deletion(collector.messages):
            return body, True
        self.state.remember_choices(sender, payloads)
        return body, False


def form_fields(request: Request) -> dict[str, str]:
    """The webhook's form fields, blank ones included: Twilio signs them, and an empty Body
    deserves a reply. (Sanic's request.form drops blank fields.)"""
    if not request.content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    body = request.body.decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def twiml_for(*texts: str) -> MessagingResponse:
    """One <Message> per text: each arrives as its own SMS."""
    twiml = MessagingResponse()
    for text in texts:
        if text:
            twiml.message(text)
    return twiml


def twiml_response(twiml: str) -> HTTPResponse:
    return response.text(twiml, content_type="text/xml")


def sender_id_key(settings: Settings) -> bytes:
    """The secret for hashing phone numbers (SMS_ID_KEY, else a key kept in a file), so ids
    survive restarts."""
    return secret_key("SMS_ID_KEY", settings.sms_id_key, settings.sms_id_key_location)
