"""The one way the Rasa server starts: `python -m runtime.serve` with `rasa run`'s arguments
(make run, make run-cluster, the tests and the systemd unit all start it so).

Before Rasa builds its app, the installed Rasa is checked against the one this bot's changes
were written for (runtime/rasa_changes.py); once it is built, the changes are applied and the
app is set up (runtime/server.py): the same server whatever channels credentials.yml lists.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import rasa.core.run
from rasa.__main__ import main as rasa_main
from sanic import Sanic

from runtime import rasa_changes, server
from runtime.settings import Settings, settings_or_exit

logger = logging.getLogger(__name__)


def set_up(configure_app: Callable[..., Sanic]) -> Callable[..., Sanic]:
    """Rasa's configure_app, then this bot's changes and the server's own set-up."""

    @functools.wraps(configure_app)
    def configured(*args: Any, **kwargs: Any) -> Sanic:
        app = configure_app(*args, **kwargs)
        rasa_changes.apply()  # Rasa has set up its logging by now: log_privacy needs it
        server.configure(app)
        return app

    return configured


def with_api_token(args: list[str], settings: Settings) -> list[str]:
    """Rasa's HTTP API (it can read and change the bot) only with a token, and that token from
    RASA_API_TOKEN rather than the command line, where `ps` shows it to every local user."""
    if "--enable-api" not in args or any(
            arg in ("-t", "--auth-token") or arg.startswith("--auth-token=") for arg in args):
        return args
    if settings.rasa_api_token is None:
        sys.exit("Not started: --enable-api needs RASA_API_TOKEN (Rasa's HTTP API can read and "
                 "change the bot).")
    return [*args, "--auth-token", settings.rasa_api_token.get_secret_value()]


def main(argv: list[str] | None = None) -> None:
    settings = settings_or_exit()
    rasa_changes.check_version()
    rasa.core.run.configure_app = set_up(rasa.core.run.configure_app)
    args = with_api_token(sys.argv[1:] if argv is None else list(argv), settings)
    sys.argv = ["rasa", "run", *args]
    rasa_main()


if __name__ == "__main__":
    main()
