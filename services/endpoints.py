"""Where the Rasa server finds its helpers, read from endpoints.yml: their one home.

The action server and the model server listen where endpoints.yml tells the Rasa server to
find them, so a port or interface is changed in that file alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ROOT / "endpoints.yml"


def endpoint(name: str, path: Path = ENDPOINTS) -> dict:
    """The settings of endpoint `name` (action_endpoint, models, tracker_store, ...), with
    environment variables expanded as Rasa expands them."""
    endpoints = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    settings = endpoints.get(name)
    if not isinstance(settings, dict):
        raise ValueError(f"{path.name} has no '{name}'")
    return {key: os.path.expandvars(value) if isinstance(value, str) else value
            for key, value in settings.items()}


def endpoint_url(name: str, path: Path = ENDPOINTS) -> str:
    url = endpoint(name, path).get("url")
    if not url:
        raise ValueError(f"{path.name} has no url for '{name}'")
    return str(url)


def listen_address(name: str, path: Path = ENDPOINTS) -> tuple[str, int]:
    """(interface, port) a helper listens on: the host and port of its url in endpoints.yml."""
    url = urlparse(endpoint_url(name, path))
    if not url.hostname or not url.port:
        raise ValueError(f"the url of '{name}' in {path.name} needs a host and a port: {url}")
    return url.hostname, url.port


def endpoints_with(path: Path, action_url: str, model_url: str | None,
                   tracker_store: dict[str, Any], lock_store: dict[str, Any] | None = None
                   ) -> Path:
    """endpoints.yml as shipped, with the helpers where this run has them (a test's or a
    cluster's ports and stores), written to `path`, readable by its owner alone (it may hold
    a database's password). Without a model server, the bot keeps the model it started with."""
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = action_url
    if model_url:
        endpoints["models"]["url"] = model_url
    else:
        endpoints.pop("models", None)
    endpoints["tracker_store"].update(tracker_store)
    if lock_store is not None:
        endpoints["lock_store"] = lock_store
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    path.chmod(0o600)
    return path
