"""The website chat channel: Rasa's socket.io channel, open only to listed origins, and the
widget that talks to it, served by the same Rasa server at /widget/ (so a practice pastes
one script tag and needs no other web server).

Fixes over Rasa's SocketIOInput:
- It turns python-engineio's origin check off (`cors_allowed_origins=[]`), so any website
  could open a chat socket to the bot. Here it is on, with an exact list of origins (never a
  pattern: a regex also matches look-alike domains) from CHAT_ALLOWED_ORIGINS,
  comma-separated; by default only the demo page's own origin.
- Its conversation id was whatever the browser sent (even "1"), in every message: anyone who
  knew or guessed it received that patient's replies and spoke as them. Here the server issues
  the conversation: an unguessable id in a signed token (PyJWT, HS256, a day long) that the
  widget keeps for its tab; a socket is bound to its conversation when it asks for a session,
  and any id sent with a message is ignored. A reload continues only with the token the
  server gave that browser.
- Messages are checked before anything else runs: an event of the wrong shape is dropped
  (logged at debug, no traceback), and a message over the length cap (channels/limits.py) is
  answered with a request to shorten it, not passed to the bot.
- Connections per network address, and messages per conversation and per address, are
  rate-limited (channels/rate_limits.py): over a limit, the patient is told once to slow down,
  then further messages are dropped until the minute has passed.
- But safety comes before every refusal (channels/safety_first.py): a message too long, over a
  limit, or sent before the socket has a session is read for a red flag first, and one that
  describes an emergency or a crisis gets that guidance instead.
- With session persistence, Rasa 3.6 calls `sio.enter_room` without `await`
  (RasaHQ/rasa#13027). Since python-socketio 5.10 that is a coroutine, so the socket never
  joins its session's room and every reply is lost. The handlers are replaced here.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from channels.keys import secret_key
from channels.limits import storable, too_long
from channels.privacy_notice import privacy_notice
from channels.rate_limits import (
    ALLOW,
    DROP,
    ChannelLimits,
    client_address,
    positive_setting,
    rate_limiter,
    strictest,
)
from channels.responses import (
    TOO_LONG,
    TOO_MANY,
    WEB_NO_ANSWER,
    WEB_UNREACHABLE,
    PerModel,
    channel_says,
    response_text,
    running_agent,
)
from channels.safety_first import OverLimitSafety, guidance_for
from channels.turn_ids import VALID_MESSAGE_ID, answer_already_given
from channels.widget_files import WidgetFile, load_widget_files
from components.language import language_of
from runtime.settings import load_settings

logger = logging.getLogger(__name__)

# How long a browser tab may come back to its conversation.
SESSION_TTL_SECONDS = 24 * 3600
CONVERSATION_PREFIX = "web-"
# A socket.io message: far above any real message (MAX_MESSAGE_CHARS, even as JSON-escaped
# emoji), far below what would strain the server.
MAX_SOCKET_MESSAGE_BYTES = 32 * 1024
# Per minute: a patient opens a chat or two and types a few messages.
CONVERSATION_RATE_LIMIT = 20
ADDRESS_RATE_LIMIT = 60
CONNECTION_RATE_LIMIT = 20


# What the chat window says on its own (its server unreachable, no answer in time), by the
# key the widget reads (web/static/spine-chat.js): staff's words, from the running model.
WIDGET_MESSAGES = {"unreachable": WEB_UNREACHABLE, "noAnswer": WEB_NO_ANSWER}


def widget_blueprint(files: dict[str, WidgetFile], allowed_origins: list[str]) -> Blueprint:
    """GET /widget/<file>: the widget and its socket.io client, with cache headers; GET
    /widget/messages.json: the window's own messages, read by the widget when a page opens."""
    blueprint = Blueprint("spine_chat_widget", url_prefix="/widget")

    rendered = PerModel()  # rendered once per model, like a file

    @blueprint.route("/messages.json", methods=["GET", "HEAD"])
    async def widget_messages(request: Request) -> response.HTTPResponse:
        domain = getattr(running_agent(request.app), "domain", None)
        # The page's language (?lang=es: a Spanish page); English otherwise.
        language = "es" if request.args.get("lang") == "es" else "en"
        by_language = rendered.get(domain) or rendered.keep(domain, {})
        texts = by_language.get(language)
        if texts is None:
            found = {key: await response_text(request.app, name, WebChatInput.name(), language)
                     for key, name in WIDGET_MESSAGES.items()}
            texts = by_language[language] = {key: text for key, text in found.items() if text}
        headers = {"Cache-Control": "max-age=60", "X-Content-Type-Options": "nosniff",
                   "Vary": "Origin"}
        origin = (request.headers.get("Origin") or "").rstrip("/")
        if origin in allowed_origins:  # the practice's pages, on another origin
            headers["Access-Control-Allow-Origin"] = origin
        return response.json(texts, headers=headers)

    @blueprint.route("/<name:path>", methods=["GET", "HEAD"])
    async def widget_file(request: Request, name: str) -> response.HTTPResponse:
        file = files.get(name)
        if file is None:
            return response.text("Not found", status=404)
        headers = {
            "ETag": file.etag,
            "Cache-Control": file.cache_control,
            "X-Content-Type-Options": "nosniff",
            # Loaded by the practice's pages, which live on another origin.
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if request.headers.get("If-None-Match") == file.etag:
            return response.empty(status=304, headers=headers)
        return response.raw(file.body, content_type=file.content_type, headers=headers)

    return blueprint


class ChatRoutes(Blueprint):
    """Rasa's socket.io blueprint, under the prefix Rasa gives the channel, and the widget's
    files at /widget/ of the same server (Rasa registers one blueprint per channel)."""

    def __init__(self, chat: Blueprint, widget: Blueprint) -> None:
        super().__init__("spine_chat_routes")
        # Sanic's blueprints take no new attributes; ctx is theirs for such things.
        self.ctx.chat, self.ctx.widget = chat, widget

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        app.blueprint(self.ctx.chat, **options)
        app.blueprint(self.ctx.widget)


class SessionTokens:
    """Conversation ids the server issued, carried by the browser as signed tokens."""

    def __init__(self, key: bytes, ttl: float = SESSION_TTL_SECONDS) -> None:
        self._key, self._ttl = key, ttl

    def issue(self) -> tuple[str, str]:
        """A new conversation id and its token."""
        conversation = f"{CONVERSATION_PREFIX}{uuid.uuid4().hex}"
        claims = {"sub": conversation, "exp": int(time.time() + self._ttl)}
        return conversation, jwt.encode(claims, self._key, algorithm="HS256")

    def conversation_of(self, token: Any) -> str | None:
        """The conversation a token names, if this server signed it and it has not expired."""
        if not isinstance(token, str) or len(token) > 512:
            return None
        try:
            claims = jwt.decode(token, self._key, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        subject = claims.get("sub")
        if isinstance(subject, str) and subject.startswith(CONVERSATION_PREFIX):
            return subject
        return None


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, with a custom payload sent as `{"custom": ...}` in a bot
    message (Rasa's spreads the payload into socket.io's own arguments): the widget reads the
    "forget me" confirmation from it."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    """socket.io for the chat widget: exact origins only, server-issued conversations."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        settings = load_settings()
        channel.allowed_origins = settings.allowed_origins
        channel.app = None
        channel.tokens = SessionTokens(secret_key("WEB_SESSION_KEY", settings.web_session_key,
                                                  settings.web_session_key_file))
        channel.limits = ChannelLimits.from_credentials(
            "Web chat", credentials, CONVERSATION_RATE_LIMIT, ADDRESS_RATE_LIMIT)
        channel.over_limit = OverLimitSafety()
        channel.connections = rate_limiter(
            positive_setting("Web chat", "connection_rate_limit", credentials or {},
                             CONNECTION_RATE_LIMIT),
            channel.limits.window, "web-chat:connection")
        return channel

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        # Checked by engineio on every request, the websocket upgrade included.
        sio.eio.cors_allowed_origins = self.allowed_origins
        # A chat event is one short message: engine.io's default buffer is 1 MB.
        sio.eio.max_http_buffer_size = MAX_SOCKET_MESSAGE_BYTES
        logger.info("Web chat accepts connections from: %s", ", ".join(self.allowed_origins))
        # Which conversation each connected socket speaks in (socket id -> conversation id),
        # and where it connected from (None: this host itself, not through the proxy).
        bound: dict[str, str] = {}
        addresses: dict[str, str | None] = {}

        # A client can emit events named "connect" and "disconnect" itself, and python-socketio
        # hands them to these handlers: such an event must change nothing (it could otherwise
        # forget the socket's address and so its limit).
        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Any = None, *_auth: Any) -> bool:
            if sid in addresses or not isinstance(environ, dict):
                return False
            request = environ.get("sanic.request")
            address = (client_address(request.ip, request.headers.get("X-Forwarded-For"))
                       if request is not None else None)
            if request is not None:
                self.app = request.app  # where the loaded model is, for the privacy notice
            if address is not None and self.connections.check(address) != ALLOW:
                logger.info("Web chat: a connection refused (too many from one address).")
                return False
            addresses[sid] = address
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None, *_more: Any) -> None:
            if self.limits.check_address(addresses.get(sid)) == DROP:
                return
            token = data.get("session_id") if isinstance(data, dict) else None
            conversation = self.tokens.conversation_of(token)
            new = conversation is None
            if new:
                conversation, token = self.tokens.issue()
            earlier = bound.get(sid)
            if earlier is not None and earlier != conversation:
                # A new conversation after "forget me": the socket hears only the new one.
                await sio.leave_room(sid, earlier, namespace=self.namespace)
            bound[sid] = conversation
            await sio.enter_room(sid, conversation, namespace=self.namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)
            # A Spanish page's widget asks for Spanish: the notice is said in it.
            language = "es" if isinstance(data, dict) and data.get("language") == "es" else None
            notice = (await privacy_notice(self.app, self.name(), language)
                      if new and self.app else None)
            if notice:
                # Before the patient types anything: what the bot is, and what not to share.
                await WebChatOutput(sio, self.bot_message_evt).send_text_message(
                    conversation, notice)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def user_uttered(sid: str, data: Any = None, *_more: Any) -> None:
            conversation = bound.get(sid)
            message = data.get("message") if isinstance(data, dict) else None
            if isinstance(message, str):
                message = storable(message)
            if not isinstance(message, str) or not message.strip():
                logger.debug("Web chat: an event without a text was dropped.")
                return
            output = WebChatOutput(sio, self.bot_message_evt)
            if conversation is None:
                # No session to speak in: only a red flag is answered, to this socket alone.
                guidance = await self.over_limit.guidance_for(
                    self.app, f"address:{addresses.get(sid)}", message, self.name())
                if guidance:
                    await output.send_text_message(sid, guidance)
                return
            verdict = strictest(self.limits.check_address(addresses.get(sid)),
                                self.limits.check_sender(conversation))
            if verdict != ALLOW:
                guidance = await self.over_limit.guidance_for(self.app, conversation, message,
                                                              self.name())
                if guidance or verdict != DROP:
                    await output.send_text_message(
                        conversation,
                        guidance or await channel_says(self.app, TOO_MANY, self.name(),
                                                       language_of(message)))
                return
            if too_long(message):
                await output.send_text_message(
                    conversation, await guidance_for(self.app, message, self.name())
                    or await channel_says(self.app, TOO_LONG, self.name(), language_of(message)))
                return
            # The widget names each message, and sends one again that got no answer (its
            # server died): a message already answered gets that answer, not a second run.
            message_id = data.get("message_id")
            if not (isinstance(message_id, str) and VALID_MESSAGE_ID.match(message_id)):
                message_id = None
            if message_id is not None:
                answer = await answer_already_given(self.app, conversation, message_id)
                if answer is not None:
                    for reply in answer:
                        await output.send_response(conversation, reply)
                    return
            await on_new_message(UserMessage(message, output, conversation,
                                             input_channel=self.name(), message_id=message_id))

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_reason: Any) -> None:
            if sio.manager.is_connected(sid, self.namespace or "/"):
                return  # an event the client sent, not a disconnection
            bound.pop(sid, None)
            addresses.pop(sid, None)

        return ChatRoutes(blueprint, widget_blueprint(load_widget_files(), self.allowed_origins))
