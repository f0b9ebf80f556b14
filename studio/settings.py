"""The studio's settings, from the environment, with safe defaults (README's table)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from services.endpoints import endpoint_url

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StudioSettings:
    host: str = "127.0.0.1"
    port: int = 8090
    database: Path = ROOT / "state" / "studio.sqlite3"
    # The project the studio edits, checks and publishes: its own, unless told (tests edit a
    # clone).
    project: Path = ROOT
    # Cookies only over HTTPS (nginx's TLS). Off only for a browser on this machine, over
    # loopback (tests).
    secure_cookies: bool = True
    # Where the model server tells which model the bot has (services/model_server.py), so a
    # publish can say when it is live: endpoints.yml's `models` url, unless told ("" for none).
    model_status: str | None = None
    # The bot's conversations (the review and the dashboard read them): endpoints.yml's SQLite
    # tracker store, unless told.
    conversations: Path | None = None

    @property
    def topics(self) -> Path:
        return self.project / "data" / "topics"

    @classmethod
    def from_environment(cls) -> StudioSettings:
        return cls(
            host=os.environ.get("STUDIO_HOST", cls.host),
            port=port_from(os.environ.get("STUDIO_PORT"), cls.port),
            database=Path(os.environ.get("STUDIO_DATABASE", cls.database)),
            project=Path(os.environ.get("STUDIO_PROJECT", cls.project)),
            secure_cookies=os.environ.get("STUDIO_SECURE_COOKIES", "1") != "0",
            model_status=os.environ.get("STUDIO_MODEL_STATUS"),
            conversations=Path(os.environ["STUDIO_CONVERSATIONS"])
            if os.environ.get("STUDIO_CONVERSATIONS") else None)

    @property
    def conversations_db(self) -> Path | None:
        if self.conversations is not None:
            return self.conversations
        from staff.review import configured_db  # spaCy's weight, only when the page needs it

        try:
            return configured_db(self.project)
        except (OSError, ValueError):
            return None

    @property
    def model_status_url(self) -> str | None:
        if self.model_status is not None:
            return self.model_status or None
        try:
            url = urlparse(endpoint_url("models", self.project / "endpoints.yml"))
        except (OSError, ValueError):
            return None
        name = url.path.rsplit("/", 1)[-1]
        return f"{url.scheme}://{url.netloc}/status/{name}"

    @property
    def publish_log(self) -> Path:
        return self.database.parent / "studio-publish.log"


def port_from(value: str | None, default: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"STUDIO_PORT must be a port number (1-65535), not {value!r}.")
    return int(value)
