"""Every environment variable the bot reads, in one validated object: `load_settings()`.

A blank value (an empty line in the deployment's env file) means the default. A wrong value
stops each process at start, with the variable's name and what it must be, whichever process
it is meant for: they share one env file, and a mistake should show on the first restart, not
the day its feature is first used. The Rasa server (runtime/serve.py), the action server, the
demo page, the studio, `make run` and `make run-cluster` all load the settings before they
serve anyone. The README's configuration table is printed from this class
(`python -m runtime.settings`) and tests/test_settings.py checks they agree.

Rasa expands ${VARIABLES} in endpoints.yml and credentials.yml itself; those files name none
(see the README).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseSettings, Field, SecretStr, ValidationError, root_validator, validator

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "state"
PORT = {"gt": 0, "lt": 65536, "must_be": "a port number (1-65535)"}
SECRET = {"must_be": "text"}
NUMBER_ABOVE_ZERO = {"gt": 0, "must_be": "a whole number above zero"}

# Azure Health Bot allows 1 to 180 days; a practice may have reason to keep records longer.
MAX_RETENTION_DAYS = 3650


class SettingsError(ValueError):
    """A setting that cannot be used, said so that whoever set it can mend it."""


class Settings(BaseSettings):
    # --- The Rasa server (`make run`; the systemd unit gives its own command line) ---
    rasa_interface: str = Field(
        "127.0.0.1", must_be="an interface address",
        about="Interface the Rasa server listens on (`make run`; systemd unit: `--interface`)")
    rasa_port: int = Field(5005, **PORT, about="Port of the Rasa server (`make run`)")
    rasa_enable_api: bool = Field(
        False, must_be="true or false", about="`true` turns on Rasa's HTTP API, which can read "
        "and change the bot (`make run`)")
    rasa_api_token: SecretStr | None = Field(
        None, readme_default="—", **SECRET,
        about="Required with `RASA_ENABLE_API=true` (or `--enable-api`): the token Rasa's "
        "API asks for, given to Rasa by `runtime.serve`, never on a command line")

    # --- The web chat ---
    chat_allowed_origins: str = Field(
        "http://localhost:8080,http://127.0.0.1:8080", must_be="origins, comma-separated",
        about="Exact origins (comma-separated) whose pages may open the web chat")
    web_session_key: SecretStr | None = Field(
        None, readme_default="the key in `WEB_SESSION_KEY_FILE`", **SECRET,
        about="Secret that signs the web chat's conversation tokens (changing it ends every "
        "open web chat); the same rules as `SMS_ID_KEY`")
    web_session_key_file: Path = Field(
        STATE / "web-session.key", readme_default="`state/web-session.key` (created when "
        "missing)", must_be="a file path",
        about="Where the web session key is kept when `WEB_SESSION_KEY` is empty")

    # --- The practice's notice (the action server) ---
    practice_notice_url: str | None = Field(
        None, readme_default="unset: the notice in `practice/facts.yml` (April 30, 2020)",
        must_be="a URL or a file path",
        about="RSS 2.0 / Atom feed URL, `file://` URL or file path of the practice's notices")
    practice_notice_ttl: float = Field(
        300, ge=0, must_be="a number of seconds, 0 or more",
        about="Seconds a fetched notice is reused; `0` fetches on every question")

    # --- The SMS channel ---
    twilio_auth_token: SecretStr | None = Field(
        None, readme_default="unset: the SMS webhook refuses all requests", **SECRET,
        about="Auth token that signs the SMS gateway's webhooks")
    sms_public_url: str | None = Field(
        None, readme_default="— (required for SMS)", must_be="a URL",
        about="The SMS webhook URL as the gateway calls it; signatures are checked against it, "
        "and without it every SMS request is refused")
    sms_id_key: SecretStr | None = Field(
        None, readme_default="the key in `SMS_ID_KEY_FILE`", **SECRET,
        about="Secret for the keyed hash of phone numbers: at least 64 hexadecimal characters "
        "(`openssl rand -hex 32`); a shorter or empty one stops the server")
    sms_id_key_file: Path | None = Field(
        None, readme_default="`SMS_STATE_DIR/sms-id.key` (created, random, mode 0600, when "
        "missing)", must_be="a file path",
        about="Where the SMS id key is kept when `SMS_ID_KEY` is empty: keep it away from the "
        "data it protects")
    sms_state_dir: Path = Field(
        STATE, readme_default="`state/`", must_be="a folder path",
        about="Where opt-outs and answered message ids are kept (SQLite)")
    sms_state_url: str | None = Field(
        None, readme_default="unset: `SMS_STATE_DIR/sms.sqlite3`", must_be="a database URL",
        about="A database URL (`postgresql://...`) for the SMS channel's state, shared by "
        "several Rasa servers")
    sms_rate_limit: int | None = Field(
        None, **NUMBER_ABOVE_ZERO, readme_default="`8` (`rate_limit` in `credentials.yml`)",
        about="Texts per number per minute before the bot asks them to call")

    # --- What every channel shares ---
    conversation_retention_days: int = Field(
        30, ge=1, le=MAX_RETENTION_DAYS,
        must_be=f"a whole number of days from 1 to {MAX_RETENTION_DAYS}",
        about=f"Conversations older than this many days (1–{MAX_RETENTION_DAYS}) are deleted, "
        "every hour by the running bot and by `make purge`")
    rate_limit_redis_url: str | None = Field(
        None, readme_default="unset: each server counts alone", must_be="a Redis URL",
        about="A Redis URL (`redis://host:6379/0`) where every Rasa server counts the rate "
        "limits, so a limit holds across servers")

    # --- Several Rasa servers (`make run-cluster`) ---
    replicas: int = Field(2, **NUMBER_ABOVE_ZERO,
                          about="Rasa servers `make run-cluster` starts")
    # Rasa's lock store reads this itself; it is here to be checked and listed.
    ticket_lock_lifetime: int | None = Field(
        None, **NUMBER_ABOVE_ZERO,
        readme_default="`10` in `make run-cluster` (Rasa's own default: 60)",
        about="Seconds a conversation's lock in Redis outlives a server that died mid-turn")
    cluster_port: int = Field(
        8000, **PORT, about="Port on 127.0.0.1 where `make run-cluster`'s nginx answers")

    # --- The demo page and the action server (`make run`) ---
    demo_interface: str = Field(
        "127.0.0.1", must_be="an interface address",
        about="Interface of the demo page server (`make run`)")
    demo_port: int = Field(8080, **PORT, about="Port of the demo page server (`make run`)")
    chat_server_url: str | None = Field(
        None, readme_default="`http://localhost:$RASA_PORT`", must_be="a URL",
        about="The Rasa server's URL as browsers reach it, for the demo page's snippet")
    # rasa-sdk reads this itself; it is here to be listed.
    sanic_host: str | None = Field(
        None, readme_default="the host of `action_endpoint` in `endpoints.yml`",
        must_be="an interface address",
        about="Interface of the action server (rasa-sdk reads it)")

    # --- The staff studio ---
    studio_host: str = Field("127.0.0.1", must_be="an interface address",
                             about="Interface of the staff studio (`make studio`)")
    studio_port: int = Field(8090, **PORT, about="Port of the staff studio")
    studio_database: Path = Field(
        STATE / "studio.sqlite3", readme_default="`state/studio.sqlite3`", must_be="a file path",
        about="The studio's accounts, sessions and change record (SQLite, mode 0600)")
    studio_project: Path = Field(
        ROOT, readme_default="this folder", must_be="a folder path",
        about="The project whose topic files the studio edits")
    studio_secure_cookies: bool = Field(
        True, readme_default="`1`", must_be="1 or 0",
        about="`0` lets the studio's cookies travel over plain HTTP: only for a browser on the "
        "same machine")
    studio_model_status: str | None = Field(
        None, readme_default="endpoints.yml's model server + `/status/<model>`", must_be="a URL",
        blank_is_a_value=True,
        about="Where a publish asks whether the bot has the new model (empty: it does not "
        "wait)")
    studio_conversations: Path | None = Field(
        None, readme_default="endpoints.yml's SQLite tracker store", must_be="a file path",
        about="The conversations the review and the dashboard read")

    class Config:
        # Only the variables named here are read; the rest of the environment is not.
        case_sensitive = False

    @validator("*", pre=True)
    def blank_means_default(cls, value: Any, field: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value and not field.field_info.extra.get("blank_is_a_value"):
                return field.default
        return value

    @root_validator(skip_on_failure=True)
    def api_needs_a_token(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("rasa_enable_api") and values.get("rasa_api_token") is None:
            raise ValueError("RASA_ENABLE_API=true needs RASA_API_TOKEN")
        return values

    @property
    def allowed_origins(self) -> list[str]:
        return [origin.strip().rstrip("/") for origin in self.chat_allowed_origins.split(",")
                if origin.strip()]

    @property
    def sms_state_location(self) -> Path | str:
        """Where the SMS records are: the database several Rasa servers share, or
        sms.sqlite3 in the state folder. The channel and `make purge` both read them here."""
        return self.sms_state_url or self.sms_state_dir / "sms.sqlite3"

    @property
    def sms_id_key_location(self) -> Path:
        return self.sms_id_key_file or self.sms_state_dir / "sms-id.key"


def load_settings() -> Settings:
    """The settings as the environment gives them now; SettingsError names each wrong one."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(" ".join(map(explained, error.errors()))) from None


def settings_or_exit() -> Settings:
    """The settings, for a process about to start: a wrong one stops it, saying which."""
    try:
        return load_settings()
    except SettingsError as error:
        sys.exit(f"Not started: {error}")


def explained(error: dict[str, Any]) -> str:
    name = str(error["loc"][0])
    if name == "__root__":
        return f"{error['msg']}."
    field = Settings.__fields__[name]
    variable, must_be = name.upper(), field.field_info.extra["must_be"]
    if field.type_ is SecretStr:  # never repeated, not even in an error
        return f"{variable} must be {must_be}."
    return f"{variable} must be {must_be}, not {os.environ.get(variable, '')!r}."


def readme_table() -> str:
    """The README's configuration table, as this class says it."""
    rows = ["| Variable | Default | What it does |", "| --- | --- | --- |"]
    for name, field in Settings.__fields__.items():
        extra = field.field_info.extra
        default = extra.get("readme_default") or f"`{readme_value(field.default)}`"
        rows.append(f"| `{name.upper()}` | {default} | {extra['about']} |")
    return "\n".join(rows)


def readme_value(default: Any) -> str:
    return str(default).lower() if isinstance(default, bool) else str(default)


if __name__ == "__main__":
    sys.stdout.write(readme_table() + "\n")
