"""How each of the bot's processes is started, in one place: `make run` (services/run.py),
`make run-cluster` (services/cluster.py) and the tests and benchmarks (harness/bot_servers.py)
build their commands here. The systemd units (deploy/systemd/) run the same modules."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where `make train` publishes the model (the Makefile's MODEL), within a project folder.
PUBLISHED_MODEL = Path("models") / "spine-assistant.tar.gz"
MODEL = ROOT / PUBLISHED_MODEL

# What every server process runs with: the project importable, no telemetry, TensorFlow quiet.
SERVER_ENV = {"PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
              "TF_CPP_MIN_LOG_LEVEL": "2"}


def python_module(module: str, *arguments: str) -> list[str]:
    return [sys.executable, "-m", module, *arguments]


def action_server(port: int | None = None) -> list[str]:
    """Where endpoints.yml's action_endpoint says, unless given another port."""
    return python_module("services.action_server", *(["--port", str(port)] if port else []))


def model_server(folder: Path, port: int | None = None) -> list[str]:
    """Serves the models in `folder`, where endpoints.yml's `models` url says unless given
    another port."""
    return python_module("services.model_server", "--dir", str(folder),
                         *(["--port", str(port)] if port else []))


def rasa_server(model: Path, port: int, endpoints: Path, credentials: Path,
                interface: str = "127.0.0.1", enable_api: bool = False) -> list[str]:
    """The Rasa server, always through runtime.serve; Rasa's HTTP API only when asked for
    (runtime.serve adds RASA_API_TOKEN's token, out of sight of `ps`)."""
    api = ["--enable-api"] if enable_api else []
    return python_module("runtime.serve", "--model", str(model), "--interface", interface,
                         "--port", str(port), "--endpoints", str(endpoints),
                         "--credentials", str(credentials), *api)


def demo_page(chat_server_url: str) -> list[str]:
    return python_module("services.demo_page", "--chat-server", chat_server_url)
