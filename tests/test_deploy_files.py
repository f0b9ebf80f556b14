"""The deployment files say what the code does: every setting the code reads is in the README's
table, the env file names only real settings, and the systemd units start the real programs
on loopback with restart on failure. (nginx's site runs for real: tests/test_reverse_proxy.py.)"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
CODE = [*ROOT.glob("actions/*.py"), *ROOT.glob("channels/*.py"), *ROOT.glob("services/*.py"),
        *ROOT.glob("staff/*.py"), *ROOT.glob("components/*.py"), *ROOT.glob("studio/*.py"),
        ROOT / "services" / "run.sh"]


def readme_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))


def variables_read_by_the_code() -> set[str]:
    found = set()
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"environ(?:\.get\(|\.setdefault\(|\[)\"([A-Z_]+)\"", text))
        found |= set(re.findall(r"\$\{([A-Z_]+)[:}]", text))
        # Secret keys are read by channels/keys.py's secret_key("NAME", ...), with NAME_FILE.
        for name in re.findall(r"secret_key\(\"([A-Z_]+)\"", text):
            found |= {name, f"{name}_FILE"}
    return found


def test_every_setting_the_code_reads_is_in_the_readme_table():
    assert variables_read_by_the_code() - readme_variables() == set()
    assert readme_variables() - variables_read_by_the_code() == set()


def test_the_env_file_names_only_settings_the_bot_reads():
    example = (ROOT / "deploy" / "spine-assistant.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?([A-Z_]+)=", example, re.MULTILINE))
    assert named and named <= readme_variables()


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_each_unit_runs_a_real_program_as_the_bots_user_and_restarts_on_failure(path):
    service = unit(path)["Service"]
    command = service["ExecStart"].split()
    assert command[0].startswith("/opt/spine-assistant/.venv/bin/")
    if "-m" in command:  # python -m services.<name>, or a package: python -m studio
        module = ROOT / command[command.index("-m") + 1].replace(".", "/")
        assert module.with_suffix(".py").is_file() or (module / "__main__.py").is_file(), module
    assert service["WorkingDirectory"] == "/opt/spine-assistant"
    assert service["User"] == "spine-assistant"
    assert service["Restart"] == "on-failure"
    assert service["UMask"] == "0077"


def test_the_rasa_unit_listens_on_loopback_with_the_shipped_runtime():
    command = unit(ROOT / "deploy" / "systemd" / "spine-assistant.service")["Service"]["ExecStart"]
    assert "--interface 127.0.0.1" in command and "--port 5005" in command
    assert "--endpoints endpoints.yml" in command and "--credentials credentials.yml" in command
    assert "--enable-api" not in command
    nginx = (ROOT / "deploy" / "nginx" / "spine-assistant.conf").read_text(encoding="utf-8")
    assert "server 127.0.0.1:5005;" in nginx
