"""The deployment files say what the code does: the README's table is the settings class
(runtime/settings.py, the one reader of the environment), the env file names only real
settings, and the systemd units start the real programs on loopback with restart on failure.
(nginx's site runs for real: tests/test_reverse_proxy.py.)"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from runtime.settings import Settings, readme_table

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
PRODUCT = [path for folder in ("actions", "channels", "components", "harness", "practice",
                               "runtime", "safety", "scripts", "services", "staff", "storage",
                               "studio")
           for path in (ROOT / folder).rglob("*.py")]
# Reading a variable, not handing the environment on to a child process or setting one for it.
READS_THE_ENVIRONMENT = re.compile(r"os\.environ\.get\(|os\.environ\[[^]]+\](?!\s*=)|os\.getenv\(")


def readme_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))


def test_the_readme_table_is_the_settings_class_printed():
    assert readme_table() in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "python -m runtime.settings prints the table the README should have")


def test_only_the_settings_module_reads_the_environment():
    readers = [str(path.relative_to(ROOT)) for path in PRODUCT
               if READS_THE_ENVIRONMENT.search(path.read_text(encoding="utf-8"))]
    assert readers == ["runtime/settings.py"] or readers == [], readers


def test_the_runtime_files_name_only_settings():
    for name in ("endpoints.yml", "credentials.yml"):
        lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
        named = {variable for line in lines if not line.lstrip().startswith("#")
                 for variable in re.findall(r"\$\{([A-Z_]+)", line)}
        assert named <= readme_variables(), name


def test_the_env_file_names_only_settings_the_bot_reads():
    example = (ROOT / "deploy" / "spine-assistant.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?([A-Z_]+)=", example, re.MULTILINE))
    assert named and named <= {name.upper() for name in Settings.__fields__}


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
