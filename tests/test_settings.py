"""The settings (runtime/settings.py): a blank value is the default, a wrong one is refused with
the variable's name and what it must be (a secret never repeated), and the processes that read
them refuse to start on a wrong one. The README's table: tests/test_deploy_files.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

from runtime.settings import ROOT, STATE, Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in Settings.__fields__:
        monkeypatch.delenv(name.upper(), raising=False)


def test_with_nothing_set_every_default_is_safe():
    settings = load_settings()
    assert settings.rasa_interface == settings.demo_interface == settings.studio_host == (
        "127.0.0.1")
    assert not settings.rasa_enable_api and settings.studio_secure_cookies
    assert settings.conversation_retention_days == 30
    assert settings.sms_state_location == STATE / "sms.sqlite3"
    assert settings.sms_id_key_location == STATE / "sms-id.key"
    assert settings.allowed_origins == ["http://localhost:8080", "http://127.0.0.1:8080"]


@pytest.mark.parametrize("variable", ["CONVERSATION_RETENTION_DAYS", "RASA_PORT", "SMS_ID_KEY",
                                      "PRACTICE_NOTICE_TTL", "STUDIO_SECURE_COOKIES"])
def test_a_blank_value_is_the_default(monkeypatch, variable):
    monkeypatch.setenv(variable, "  ")
    assert getattr(load_settings(), variable.lower()) == Settings.__fields__[
        variable.lower()].default


@pytest.mark.parametrize("variable, value, days_or_seconds", [
    ("CONVERSATION_RETENTION_DAYS", " 180 ", 180), ("PRACTICE_NOTICE_TTL", "0", 0.0),
    ("SMS_RATE_LIMIT", "12", 12), ("TICKET_LOCK_LIFETIME", "10", 10)])
def test_a_number_is_read_as_one(monkeypatch, variable, value, days_or_seconds):
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(), variable.lower()) == days_or_seconds


@pytest.mark.parametrize("variable, value", [
    ("CONVERSATION_RETENTION_DAYS", "0"), ("CONVERSATION_RETENTION_DAYS", "thirty"),
    ("CONVERSATION_RETENTION_DAYS", "1.5"), ("CONVERSATION_RETENTION_DAYS", "99999"),
    ("PRACTICE_NOTICE_TTL", "-5"), ("PRACTICE_NOTICE_TTL", "soon"),
    ("SMS_RATE_LIMIT", "0"), ("SMS_RATE_LIMIT", "many"), ("RASA_PORT", "70000"),
    ("STUDIO_PORT", "http"), ("STUDIO_SECURE_COOKIES", "maybe"), ("REPLICAS", "-1")])
def test_a_wrong_value_is_refused_saying_which_and_why(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{variable} must be .*, not {value!r}\\.$"):
        load_settings()


def test_every_wrong_value_is_named_at_once(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "x")
    monkeypatch.setenv("DEMO_PORT", "y")
    with pytest.raises(SettingsError, match="RASA_PORT must be .* DEMO_PORT must be"):
        load_settings()


def test_a_secret_is_never_repeated_not_even_in_an_error(monkeypatch):
    monkeypatch.setenv("RASA_ENABLE_API", "true")
    with pytest.raises(SettingsError, match="RASA_ENABLE_API=true needs RASA_API_TOKEN"):
        load_settings()
    monkeypatch.setenv("RASA_API_TOKEN", "token-0123456789")
    settings = load_settings()
    assert "token-0123456789" not in repr(settings) and "token-0123456789" not in str(settings)
    assert settings.rasa_api_token.get_secret_value() == "token-0123456789"


def test_a_blank_model_status_means_do_not_wait(monkeypatch):
    assert load_settings().studio_model_status is None  # unset: endpoints.yml's model server
    monkeypatch.setenv("STUDIO_MODEL_STATUS", "")
    assert load_settings().studio_model_status == ""


def test_the_sms_records_and_key_follow_their_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("SMS_STATE_DIR", str(tmp_path))
    assert load_settings().sms_state_location == tmp_path / "sms.sqlite3"
    assert load_settings().sms_id_key_location == tmp_path / "sms-id.key"
    monkeypatch.setenv("SMS_STATE_URL", "postgresql://bot@127.0.0.1/spine")
    monkeypatch.setenv("SMS_ID_KEY_FILE", str(tmp_path / "keys" / "sms-id.key"))
    assert load_settings().sms_state_location == "postgresql://bot@127.0.0.1/spine"
    assert load_settings().sms_id_key_location == tmp_path / "keys" / "sms-id.key"


def test_allowed_origins_are_exact_and_trimmed(monkeypatch):
    monkeypatch.setenv("CHAT_ALLOWED_ORIGINS", " https://practice.example/ ,, https://b.example")
    assert load_settings().allowed_origins == ["https://practice.example", "https://b.example"]


@pytest.mark.parametrize("module", ["runtime.serve", "services.action_server", "services.demo_page",
                                    "services.run", "services.cluster", "studio"])
def test_a_process_with_a_wrong_setting_does_not_start_and_says_why(module):
    result = subprocess.run(
        [sys.executable, "-m", module, *(["models/none.tar.gz"] if "run" in module
                                          or "cluster" in module else [])],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PRACTICE_NOTICE_TTL": "soon",
             "CLUSTER_PORT": "soon", "DEMO_PORT": "soon", "STUDIO_PORT": "soon"})
    assert result.returncode != 0
    assert "Not started:" in result.stderr and "must be" in result.stderr, result.stderr
