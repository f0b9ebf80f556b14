"""The studio's settings: runtime/settings.py's STUDIO_ variables, and what follows from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from runtime.settings import settings_or_exit
from services.endpoints import endpoint_url


@dataclass(frozen=True)
class StudioSettings:
    host: str
    port: int
    database: Path
    # The project the studio edits, checks and publishes: its own, unless told (tests edit a
    # clone).
    project: Path
    # Cookies only over HTTPS (nginx's TLS). Off only for a browser on this machine, over
    # loopback (tests).
    secure_cookies: bool
    # Where the model server tells which model the bot has (services/model_server.py), so a
    # publish can say when it is live: endpoints.yml's `models` url, unless told ("" for none).
    model_status: str | None
    # The bot's conversations (the review and the dashboard read them): endpoints.yml's SQLite
    # tracker store, unless told.
    conversations: Path | None

    @property
    def topics(self) -> Path:
        return self.project / "data" / "topics"

    @classmethod
    def from_environment(cls) -> StudioSettings:
        settings = settings_or_exit()
        return cls(host=settings.studio_host, port=settings.studio_port,
                   database=settings.studio_database, project=settings.studio_project,
                   secure_cookies=settings.studio_secure_cookies,
                   model_status=settings.studio_model_status,
                   conversations=settings.studio_conversations)

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

