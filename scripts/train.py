"""Train the assistant (make train): `make check`'s rules and Rasa's training side by side, and
the new model published only when both succeed.

Side by side because a publish from the staff studio should go live within a minute on two
cores (docs/studio.md): while the checks run, training reads the data on the other core. A
failed check stops the training at once, and nothing is published.

The model is trained into models/staging/ and renamed into place, so the running bot (which
polls the model server) never sees a half-written model. Rasa's own validation is part of the
checks (stricter: warnings count), so training skips it. With --finetune, the classifiers
start from the current model's weights (components/warm_start.py): the same model, found in
a fraction of the time. Rasa allows that only while the topics are the same ones; after a topic
is added or removed, the model is trained from zero.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from services.launch import MODEL

ROOT = Path(__file__).resolve().parent.parent
STAGING = ROOT / "models" / "staging"
# Printed once the checks pass: the studio's publish page moves on to "Train"
# (studio/publishing.py).
CHECKS_PASSED = "The checks passed; training goes on."
# scripts/rasa_train.py's exit status when Rasa refuses to start from the current model.
CANNOT_FINETUNE = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--finetune", action="store_true",
                        help="start from the current model's weights, if there is one")
    args = parser.parse_args(argv)
    shutil.rmtree(STAGING, ignore_errors=True)
    finetune = ["--finetune", str(MODEL)] if args.finetune and MODEL.is_file() else []
    # One BLAS thread per process: the two training threads are the parallelism, and
    # OpenBLAS's own threads only spin against them on two cores.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    print(f"{sys.executable} -m staff.check  (beside: training)", flush=True)
    checks = subprocess.Popen([sys.executable, "-m", "staff.check"], cwd=ROOT, env=env)
    training = train(finetune, env)
    if checks.wait() != 0:
        training.terminate()
        training.wait()
        print("The checks failed (above): nothing was trained.", flush=True)
        return 1
    print(CHECKS_PASSED, flush=True)
    status = training.wait()
    if status == CANNOT_FINETUNE and finetune:
        print("A topic was added or removed: training from zero, which takes longer.",
              flush=True)
        status = train([], env).wait()
    if status != 0:
        print("Training failed (above): the current model stays.", flush=True)
        return 1
    os.replace(STAGING / MODEL.name, MODEL)
    return 0


def train(finetune: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.rasa_train", "--skip-validation",
         "--fixed-model-name", MODEL.name.removesuffix(".tar.gz"), "--out", str(STAGING),
         *finetune], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
