# Entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 runs on Python 3.10 only. pyenv's shim answers for python3.10 only when 3.10 is the
# selected version, so also look where pyenv keeps its interpreters.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export PYTHONPATH := $(CURDIR)
# Rasa's anonymous usage telemetry stays off: the bot handles patient conversations.
export RASA_TELEMETRY_ENABLED := false
# TensorFlow's start-up notices are noise in every command's output.
export TF_CPP_MIN_LOG_LEVEL := 2

MODEL := models/spine-assistant.tar.gz
SPACY_PIPELINE := models/spacy-en-spine/meta.json
# The risk model learns from the safety corpus, and reads the red-flag rules' judgments.
TRAINING_INPUTS := config.yml domain.yml practice/facts.yml $(shell find data -name '*.yml') $(SPACY_PIPELINE) \
	$(wildcard safety/corpus/*.yml) lexicon/red_flags.yml lexicon/red_flag_context.yml

.PHONY: help install lock spacy train run run-cluster actions check preview review studio staff-user purge test-staff test lint validate unit conversations nlu-heldout nlu-sealed triage triage-dev triage-experiments fuzz e2e nginx postgres redis backup-tools browser web-deps web-vendor test-browser bench bench-parse bench-neighbours bench-length bench-cluster clean

help: ## List the entry points
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: Rasa 3.6 needs it (pyenv install 3.10)."; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet pip==24.2 setuptools==70.3.0 wheel==0.45.1
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed ## Build .venv (Python 3.10) with every pinned dependency

lock: $(VENV)/.installed ## Re-pin constraints.txt from the installed .venv
	{ head -2 constraints.txt; $(PY) -m pip freeze --all | grep -v '^\(pip\|setuptools\|wheel\)=='; } > constraints.tmp
	mv constraints.tmp constraints.txt

$(SPACY_PIPELINE): lexicon/spine_terms.yml scripts/build_spacy_pipeline.py actions/lexicon.py | $(VENV)/.installed
	$(PY) -m scripts.build_spacy_pipeline

spacy: $(SPACY_PIPELINE) ## Build the project's spaCy pipeline from lexicon/spine_terms.yml

# Order-only on .venv: reinstalling packages does not mean retraining.
# A model is only trained from topic files that pass `make check` (Rasa's validation included):
# the checks and training run side by side, and the model is published only if both succeed
# (scripts/train.py). FINETUNE=1 (the staff studio's publish) trains from the current model's
# weights: the same model, found in a fraction of the time (components/warm_start.py).
$(MODEL): $(TRAINING_INPUTS) | $(VENV)/.installed
	$(PY) -m scripts.train $(if $(FINETUNE),--finetune)

train: $(MODEL) ## Validate the data and train the model into models/

run: $(MODEL) ## Start the bot on 127.0.0.1: Rasa server :5005, demo page :8080 (and its helpers); Ctrl-C stops all
	$(PY) -m services.run $(MODEL)

run-cluster: $(MODEL) postgres redis nginx ## Several Rasa servers (REPLICAS, 2) on PostgreSQL and Redis behind nginx on 127.0.0.1:CLUSTER_PORT (8000); Ctrl-C stops all
	$(PY) -m services.cluster $(MODEL)

actions: $(VENV)/.installed ## Start only the action server (where endpoints.yml says: 127.0.0.1:5055)
	$(PY) -m services.action_server

check: $(VENV)/.installed ## Check the FAQ topic files in plain words (fast, no training)
	$(PY) -m staff.check

preview: $(VENV)/.installed ## Each new or changed answer as the web chat and SMS patient will see it, before `make train`
	$(PY) -m staff.preview

review: $(VENV)/.installed ## What patients asked that the bot could not answer well
	$(PY) -m staff.review

studio: $(VENV)/.installed ## The staff studio on 127.0.0.1:STUDIO_PORT (8090)/studio/ (behind nginx's TLS in production)
	$(PY) -m studio

staff-user: $(VENV)/.installed ## Create or reset a studio account: make staff-user NAME=ana ROLE=editor (or reviewer); asks the password
	$(PY) -m studio.users "$(NAME)" --role "$(ROLE)"

purge: $(VENV)/.installed ## Delete conversations older than CONVERSATION_RETENTION_DAYS (default 30) now
	$(PY) -m staff.purge

lint: $(VENV)/.installed ## ruff over the Python code
	$(VENV)/bin/ruff check --output-format concise .

validate: $(VENV)/.installed $(SPACY_PIPELINE) ## Rasa's own checks (rasa data validate --fail-on-warnings), in-process
	$(PY) -m staff.rasa_checks

unit: $(VENV)/.installed $(SPACY_PIPELINE) backup-tools ## pytest for the code (no servers)
	$(PY) -m pytest -m "not e2e and not conversations and not browser and not staff"

conversations: $(MODEL) ## The conversations in tests/conversations/, replayed over REST against the real servers
	$(PY) -m pytest -m conversations

nlu-heldout: $(MODEL) ## Held-out patient phrasings over REST, scored by the answer seen (>= 95% right)
	$(PY) -m scripts.check_heldout

nlu-sealed: $(MODEL) ## Sealed answer sets (held-out, two questions, not on the page) over REST: aggregate figures only, gated
	$(PY) -m scripts.check_sealed_answers

triage: $(MODEL) ## Emergency/crisis guidance on the sealed triage sets over REST: aggregate figures only, gated
	$(PY) -m scripts.check_triage

triage-dev: $(MODEL) ## The same on the development triage sets, each miss printed (for tuning)
	$(PY) -m scripts.check_triage --development

triage-experiments: $(VENV)/.installed $(SPACY_PIPELINE) ## The risk-model candidates scored on the development sets (docs/triage.md)
	$(PY) -m scripts.triage_experiments

fuzz: $(MODEL) ## Over 1,000 hostile inputs per channel against the real servers (part of e2e), figures printed
	$(PY) -m pytest -s tests/test_fuzz.py

e2e: $(MODEL) nginx postgres redis ## End-to-end: the real servers over REST, make run's processes, nginx in front
	$(PY) -m pytest -m e2e

# Installing Debian's nginx must not start its default site on port 80 of every interface:
# policy-rc.d tells the package's scripts not to start services (removed again if we made it).
nginx: ## Install Debian's nginx for the reverse-proxy test, when missing (needs root)
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update && created=; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
	    chmod +x /usr/sbin/policy-rc.d; created=1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y nginx; status=$$?; \
	  [ -z "$$created" ] || rm -f /usr/sbin/policy-rc.d; exit $$status; }

# The same for PostgreSQL: the tests start their own servers, never the package's cluster.
postgres: ## Install Debian's PostgreSQL server for the shared-state tests, when missing (needs root)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update && created=; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
	    chmod +x /usr/sbin/policy-rc.d; created=1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; status=$$?; \
	  [ -z "$$created" ] || rm -f /usr/sbin/policy-rc.d; exit $$status; }

redis: ## Install Debian's Redis server for the shared-state tests, when missing (needs root)
	@command -v redis-server >/dev/null || { apt-get update && created=; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
	    chmod +x /usr/sbin/policy-rc.d; created=1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; status=$$?; \
	  [ -z "$$created" ] || rm -f /usr/sbin/policy-rc.d; exit $$status; }

backup-tools: ## Install the tools of docs/deploy.md's backup recipe (sqlite3, gpg), when missing (needs root)
	@command -v sqlite3 >/dev/null && command -v gpg >/dev/null || { apt-get update && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3 gnupg; }

browser: ## Install Debian's Chromium for the browser tests, when missing (needs root)
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; }
	cd web && npm ci --no-audit --no-fund --ignore-scripts

web-deps: web/node_modules/.package-lock.json ## Front-end packages (socket.io client, axe-core)

web-vendor: web-deps ## Re-vendor the socket.io client (web/static/vendor/) and Chart.js (studio/static/vendor/) after changing a version
	cp web/node_modules/socket.io-client/dist/socket.io.min.js web/static/vendor/
	cp web/node_modules/chart.js/dist/chart.umd.min.js studio/static/vendor/

test-browser: $(MODEL) browser web-deps ## The chat widget in headless Chromium (Playwright, axe-core)
	$(PY) -m pytest -m browser

test-staff: $(MODEL) ## The staff workflow: add an FAQ, check, train, see it live (trains twice: a few minutes)
	$(PY) -m pytest -m staff

test: lint validate unit conversations nlu-heldout nlu-sealed triage e2e test-browser test-staff ## Every test

bench: $(MODEL) ## Reply latency and server memory, printed
	$(PY) -m scripts.benchmark

bench-parse: $(MODEL) ## What one message can cost the NLU: a fuzz of 10,000 adversarial messages, worst parse time printed
	$(PY) -m scripts.parse_cost

bench-neighbours: $(MODEL) ## A patient's reply time while two addresses send 1,000-`$` messages at the limit, printed
	$(PY) -m scripts.noisy_neighbours

bench-length: $(MODEL) ## Reply time along a 3,000-turn conversation beside a new one's, printed
	$(PY) -m scripts.conversation_length

bench-cluster: $(MODEL) postgres redis nginx ## Throughput and latency: one host, and the cluster with 1 and 2 Rasa servers, printed
	$(PY) -m scripts.cluster_benchmark

clean: ## Remove the model, the spaCy pipeline and test results (not .venv, web/node_modules)
	rm -rf models results tests/output
