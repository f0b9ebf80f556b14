"""The one way the Rasa server starts (runtime/serve.py): with a credentials.yml that lists REST
alone, the server is the same server (the request cap, this bot's changes to Rasa, logged),
Rasa's HTTP API takes its token from the settings, never the command line, and a Rasa other
than the one the changes were written for stops it with a clear error."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import rasa

from harness.bot_servers import running_bot
from runtime import rasa_changes
from tests.conftest import MODEL, ROOT

pytestmark = pytest.mark.e2e


def test_with_rest_alone_the_server_refuses_a_huge_body_and_logs_its_changes(tmp_path):
    assert MODEL.exists(), f"{MODEL} is missing: run `make train` first"
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("channels.rest.RestInput:\n", encoding="utf-8")
    with running_bot(MODEL, workdir=tmp_path / "bot", credentials=credentials) as bot:
        request = urllib.request.Request(
            f"{bot.rasa_url}/webhooks/rest/webhook", data=b'{"sender": "a", "message": "' +
            b"x" * 2_000_000 + b'"}', headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 413
        log = (bot.workdir / "rasa-server.log").read_text(encoding="utf-8")
    changes = f"Rasa {rasa_changes.RASA_VERSION} with {len(rasa_changes.CHANGES)} changes"
    assert changes in log
    assert all(f"{change.name} (" in log for change in rasa_changes.CHANGES)


def test_rasas_api_takes_its_token_from_the_settings_out_of_sight_of_ps(tmp_path):
    token = "api-token-0123456789abcdef"
    with running_bot(MODEL, workdir=tmp_path / "bot", enable_api=True,
                     env={"RASA_API_TOKEN": token}) as bot:
        assert token.encode() not in Path(f"/proc/{bot.rasa_pid}/cmdline").read_bytes()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{bot.rasa_url}/status", timeout=30)
        assert refused.value.code == 401
        with urllib.request.urlopen(f"{bot.rasa_url}/status?token={token}", timeout=30) as answer:
            assert answer.status == 200


def test_rasas_api_without_a_token_is_refused_at_start(tmp_path):
    result = subprocess.run([sys.executable, "-m", "runtime.serve", "--enable-api"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert result.returncode != 0
    assert "--enable-api needs RASA_API_TOKEN" in result.stderr


def test_another_rasa_version_stops_the_server_with_its_reason():
    with pytest.raises(rasa_changes.RasaVersionError, match="Rasa 3.7.0 is installed"):
        rasa_changes.check_version("3.7.0")
    rasa_changes.check_version(rasa.__version__)  # the pinned one


def test_the_launcher_refuses_before_loading_anything_on_another_rasa(tmp_path):
    script = ("import rasa; rasa.__version__ = '3.7.0'\n"
              "from runtime.serve import main\nmain(['--help'])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode != 0 and "RasaVersionError" in result.stderr
    assert "Install the pinned packages" in result.stderr
