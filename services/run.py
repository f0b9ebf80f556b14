"""`make run`: the bot's processes on this host, together; Ctrl-C (or any one of them
stopping) stops them all. What they run with is in endpoints.yml and credentials.yml.

    action server   where endpoints.yml says (127.0.0.1:5055)
    model server    where endpoints.yml says (127.0.0.1:5056)
    Rasa server     RASA_INTERFACE:RASA_PORT (127.0.0.1:5005)
    demo page       DEMO_INTERFACE:DEMO_PORT (127.0.0.1:8080)

Usage: python -m services.run MODEL   (make run builds MODEL first)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from runtime.settings import Settings, settings_or_exit
from services import launch
from services.processes import stop

ROOT = Path(__file__).resolve().parent.parent


def commands(model: Path, settings: Settings) -> dict[str, list[str]]:
    return {
        "action server": launch.action_server(),
        "model server": launch.model_server(model.parent),
        "Rasa server": launch.rasa_server(
            model, settings.rasa_port, ROOT / "endpoints.yml", ROOT / "credentials.yml",
            interface=settings.rasa_interface,
            # Rasa's HTTP API (/model, /conversations, ...) can read and change the bot: off
            # unless asked for, and then only with RASA_API_TOKEN (settings insist on it).
            enable_api=settings.rasa_enable_api),
        "demo page": launch.demo_page(settings.chat_server_url
                                      or f"http://localhost:{settings.rasa_port}"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    to_start = commands(args.model, settings)
    # Conversations are health data: the folder that keeps them, and every file the processes
    # create (databases, keys, logs), are the bot's alone.
    os.umask(0o077)
    (ROOT / "state").mkdir(exist_ok=True)
    (ROOT / "state").chmod(0o700)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in to_start.items():
            processes[name] = subprocess.Popen(command, cwd=ROOT,
                                               env={**os.environ, **launch.SERVER_ENV})
        print(f"Starting: Rasa server on {settings.rasa_interface}:{settings.rasa_port} (REST at "
              "/webhooks/rest/webhook, widget at /widget/spine-chat.js), demo page on "
              f"http://localhost:{settings.demo_port}", flush=True)
        # Whichever stops first (a crash, or Ctrl-C) takes the others down with it.
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        stopped = next(name for name, process in processes.items() if process.poll() is not None)
        print(f"The {stopped} stopped; stopping the others.", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes.values():
            stop(process)


if __name__ == "__main__":
    sys.exit(main())
