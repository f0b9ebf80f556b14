"""A socket.io client as the chat widget is one, against the real Rasa server."""

from __future__ import annotations

import threading
import time

import socketio

ORIGIN = "http://localhost:8080"


class Chat:
    def __init__(self, bot, token=None, address=None) -> None:
        self.answers: list[str] = []
        self.customs: list[dict] = []
        self.tokens: list[str] = []
        self.notice: str | None = None
        self._confirmed = threading.Event()
        self.client = socketio.Client(reconnection=False,
                                      websocket_extra_options={"origin": ORIGIN})
        self.client.on("session_confirm", self._confirm)
        self.client.on("bot_uttered", self._uttered)
        # As nginx names the client of a proxied connection.
        headers = {"X-Forwarded-For": address} if address else {}
        self.client.connect(bot.rasa_url, transports=["websocket"], wait_timeout=20,
                            headers=headers)
        self.client.emit("session_request", {"session_id": token})
        assert self._confirmed.wait(20), "no session_confirm"
        if self.token != token:
            # A new conversation opens with the privacy notice, before anything is asked.
            deadline = time.monotonic() + 10
            while not self.answers and time.monotonic() < deadline:
                time.sleep(0.02)
            assert self.answers, "no privacy notice at the start of a new conversation"
            self.notice = self.answers.pop(0)

    def _confirm(self, token) -> None:
        self.tokens.append(token)
        self._confirmed.set()

    def _uttered(self, data) -> None:
        if isinstance(data.get("custom"), dict):
            self.customs.append(data["custom"])
        else:
            self.answers.append(data.get("text", ""))

    @property
    def token(self) -> str:
        return self.tokens[-1]

    def ask(self, message, **extra) -> list[str]:
        before, cards = len(self.answers), len(self.customs)
        self.client.emit("user_uttered", {"message": message, **extra})
        deadline = time.monotonic() + 30
        # A reply is text, or a payload for the widget (the notice's card).
        while (len(self.answers) == before and len(self.customs) == cards
               and time.monotonic() < deadline):
            time.sleep(0.05)
        time.sleep(0.3)  # a reply may be several messages
        return self.answers[before:]

    def close(self) -> None:
        self.client.disconnect()
