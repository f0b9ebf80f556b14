"""The website chat channel: Rasa's socket.io channel, open only to listed origins, and the
widget that talks to it, served by the same Rasa server at /widget/ (so a practice pastes
one script tag and needs no other web server).

Two fixes over Rasa's SocketIOInput:
- It turns python-engineio's origin check off (`cors_allowed_origins=[]`), so any website
  could open a chat socket to the bot. Here it is on, with an exact list of origins (never a
  pattern: a regex also matches look-alike domains) from CHAT_ALLOWED_ORIGINS,
  comma-separated; by default only the demo page's own origin.
- With session persistence, Rasa 3.6 calls `sio.enter_room` without `await`
  (RasaHQ/rasa#13027). Since python-socketio 5.10 that is a coroutine, so the socket never
  joins its session's room and every reply is lost. The handler is replaced here.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from channels.widget_files import WidgetFile, load_widget_files

logger = logging.getLogger(__name__)

DEFAULT_ALLOWED_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")
# The widget's session ids are UUIDs; anything else is replaced by a fresh one.
MAX_SESSION_ID_LENGTH = 64


def allowed_origins_from_env() -> list[str]:
    raw = os.environ.get("CHAT_ALLOWED_ORIGINS", "")
    origins = [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]
    return origins or list(DEFAULT_ALLOWED_ORIGINS)


def widget_blueprint(files: dict[str, WidgetFile]) -> Blueprint:
    """GET /widget/<file>: the widget and its socket.io client, with cache headers."""
    blueprint = Blueprint("spine_chat_widget", url_prefix="/widget")

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
        app.register_listener(warn_if_listening_on_every_interface, "before_server_start")


async def warn_if_listening_on_every_interface(app: Sanic, _loop: Any) -> None:
    """`rasa run` listens on every interface unless told `--interface`: say so loudly."""
    try:
        unspecified = ipaddress.ip_address(app.state.host or "").is_unspecified
    except ValueError:
        return  # a host name or a socket file
    if unspecified:
        logger.warning(
            "The Rasa server listens on every network interface (%s). Behind a reverse proxy, "
            "start it with --interface 127.0.0.1 (make run and deploy/ do).", app.state.host)


class WebChatInput(SocketIOInput):
    """socket.io for the chat widget, accepting connections from exact origins only."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.allowed_origins = allowed_origins_from_env()
        return channel

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        # Checked by engineio on every request, the websocket upgrade included.
        sio.eio.cors_allowed_origins = self.allowed_origins
        logger.info("Web chat accepts connections from: %s", ", ".join(self.allowed_origins))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID_LENGTH:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return ChatRoutes(blueprint, widget_blueprint(load_widget_files()))
