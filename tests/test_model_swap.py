"""A newly published model is swapped in while the bot keeps answering (runtime/model_swap.py):
Rasa alone loaded it on the event loop, and nothing was answered until it was done. How long
answers wait during a swap is measured by `make bench`; here, that they are answered at all."""

from __future__ import annotations

import shutil
import threading
import time
import uuid

import pytest

from harness.bot_servers import free_port, running_bot
from services.model_server import serve_in_background
from tests.conftest import MODEL

pytestmark = pytest.mark.e2e
LOADING, LIVE = "loading it beside the current one", "The new model is live"


def test_patients_are_answered_while_a_new_model_loads(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy2(MODEL, models / MODEL.name)
    server = serve_in_background(models, free_port())
    url = f"http://127.0.0.1:{server.server_address[1]}/{MODEL.name}"
    try:
        with running_bot(models / MODEL.name, model_server_url=url,
                         workdir=tmp_path / "bot") as bot:
            log = bot.workdir / "rasa-server.log"
            deadline = time.monotonic() + 60  # the first pull may load the same model again
            while time.monotonic() < deadline and log.read_text().count(LOADING) != \
                    log.read_text().count(LIVE):
                time.sleep(0.5)
            swaps_before = log.read_text().count(LIVE)
            answered_during_load: list[str] = []
            stop = threading.Event()

            def patient() -> None:
                while not stop.is_set():
                    reply = bot.send(f"p-{uuid.uuid4().hex}", "how long is recovery?")
                    text = log.read_text()
                    if text.count(LOADING) > text.count(LIVE):
                        answered_during_load.append(reply[0]["text"])

            asker = threading.Thread(target=patient, daemon=True)
            asker.start()
            shutil.copy(MODEL, models / "staging.tar.gz")  # publish as make train does
            (models / "staging.tar.gz").rename(models / MODEL.name)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and log.read_text().count(LIVE) == swaps_before:
                time.sleep(0.2)
            stop.set()
            asker.join(timeout=30)
            assert log.read_text().count(LIVE) > swaps_before, "the new model never went live"
            assert answered_during_load, "no patient was answered while the model loaded"
            assert all("two weeks" in text for text in answered_during_load)
            after = bot.send(f"after-{uuid.uuid4().hex}", "how long is recovery?")
            assert "two weeks" in after[0]["text"]
            assert "Traceback" not in log.read_text()
    finally:
        server.shutdown()
