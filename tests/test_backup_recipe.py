"""The backup recipe of docs/deploy.md, run for real (sqlite3, gpg) on scratch folders: the data
copies and the secrets land in different folders, each encrypted to its own key, so that a
copy of the conversations never travels with the SMS id key that would name its senders."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "docs" / "deploy.md"


def recipe() -> str:
    text = DEPLOY.read_text(encoding="utf-8")
    match = re.search(r"cat > /etc/cron\.daily/spine-assistant-backup <<'EOF'\n(.*?)\nEOF\n",
                      text, re.S)
    assert match, "docs/deploy.md has no backup script"
    return match.group(1)


def setting(script: str, name: str, value: str) -> str:
    pattern = re.compile(rf"^{name}=.*$", re.M)
    assert pattern.search(script), f"the backup script sets no {name}"
    return pattern.sub(f"{name}={value}", script, count=1)


def new_key(home: Path, name: str) -> bytes:
    """A GnuPG key pair in its own home (its owner alone can decrypt); its public key."""
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", f"{name}@example",
                    "future-default", "default", "never"], env=env, check=True,
                   capture_output=True)
    return subprocess.run(["gpg", "--armor", "--export", f"{name}@example"], env=env,
                          check=True, capture_output=True).stdout


def decrypt(home: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["gpg", "--batch", "--decrypt", str(path)], capture_output=True,
                          env={**os.environ, "GNUPGHOME": str(home)})


def test_data_and_secrets_are_backed_up_apart_each_to_its_own_key(tmp_path):
    etc, state, out, secrets_out = (tmp_path / name for name in
                                    ("etc", "state", "out", "secrets-out"))
    for folder in (etc, state, out, secrets_out):
        folder.mkdir()
    (etc / "backup-key.asc").write_bytes(new_key(tmp_path / "data-keys", "data"))
    (etc / "secrets-key.asc").write_bytes(new_key(tmp_path / "secret-keys", "secrets"))
    (etc / "env").write_text("SMS_AUTH_TOKEN=canary-token\n")
    (state / "sms-id.key").write_text("ab" * 32)
    for db in ("conversations.db", "sms.sqlite3"):
        with sqlite3.connect(state / db) as connection:
            connection.execute("CREATE TABLE events (text TEXT)")
            connection.execute("INSERT INTO events VALUES ('canary conversation')")
    script = recipe()
    for name, value in [("keep_days", "30"), ("etc", etc), ("state", state), ("out", out),
                        ("secrets_out", secrets_out), ("as_bot", '""')]:
        script = setting(script, name, str(value))
    (tmp_path / "backup.sh").write_text(script)
    subprocess.run(["sh", str(tmp_path / "backup.sh")], check=True, capture_output=True)

    data = sorted(path.name for path in out.iterdir())
    assert len(data) == 2 and all(name.endswith(".gpg") for name in data)
    secrets = list(secrets_out.iterdir())
    assert len(secrets) == 1
    for path in out.iterdir():
        copy = decrypt(tmp_path / "data-keys", path)
        assert copy.returncode == 0 and b"canary conversation" in copy.stdout
        assert decrypt(tmp_path / "secret-keys", path).returncode != 0
    archive = decrypt(tmp_path / "secret-keys", secrets[0])
    assert archive.returncode == 0
    listing = subprocess.run(["tar", "-tf", "-"], input=archive.stdout, capture_output=True,
                             check=True).stdout.decode()
    assert "env" in listing and "sms-id.key" in listing
    # The data key alone cannot open the secrets.
    assert decrypt(tmp_path / "data-keys", secrets[0]).returncode != 0
    assert not list(etc.glob(".sms-id.key*")) and not list(state.glob("backup-*"))


@pytest.mark.parametrize("tool", ["gpg", "sqlite3", "tar"])
def test_the_tools_the_recipe_needs_are_installed(tool):
    assert subprocess.run(["which", tool], capture_output=True).returncode == 0
