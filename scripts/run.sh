#!/usr/bin/env bash
# Start the action server, the model server, the Rasa server and the demo page together;
# Ctrl-C (or any one of them dying) stops them all.
# Usage: scripts/run.sh MODEL   (make run builds MODEL first)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: scripts/run.sh MODEL}
export PYTHONPATH="$PWD"
rasa_port=${RASA_PORT:-5005}
demo_port=${DEMO_PORT:-8080}
model_port=${MODEL_SERVER_PORT:-5056}

# endpoints.yml plus the model server: the bot polls it and swaps in a newly trained model
# (make train) by itself, without a restart and without dropping conversations.
# Conversations are kept in a SQLite file (state/), which `make review` reads.
mkdir -p state
live_endpoints=$(mktemp --suffix=.yml)
{ cat endpoints.yml
  printf '\nmodels:\n  url: http://127.0.0.1:%s/%s\n  wait_time_between_pulls: 10\n' \
    "$model_port" "$(basename "$model")"
  printf 'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: %s\n' \
    "${CONVERSATIONS_DB:-state/conversations.db}"; } > "$live_endpoints"
# The action server's port is the one endpoints.yml names.
action_port=5055

api_flags=()
# Rasa's HTTP API (/model, /conversations, ...) can read and change the bot: off unless asked for.
if [[ "${RASA_ENABLE_API:-false}" == "true" ]]; then
  api_flags=(--enable-api --auth-token "${RASA_API_TOKEN:?RASA_ENABLE_API=true needs RASA_API_TOKEN}")
fi

.venv/bin/rasa run actions --port "$action_port" &
actions_pid=$!
.venv/bin/python -m scripts.serve_models --port "$model_port" --dir "$(dirname "$model")" &
model_pid=$!
.venv/bin/rasa run --model "$model" --port "$rasa_port" --credentials credentials.yml \
  --endpoints "$live_endpoints" "${api_flags[@]}" &
rasa_pid=$!
.venv/bin/python -m scripts.serve_demo --port "$demo_port" \
  --chat-server "${CHAT_SERVER_URL:-}" &
demo_pid=$!

stop() {
  kill "$actions_pid" "$model_pid" "$rasa_pid" "$demo_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -f "$live_endpoints"
}
trap stop EXIT INT TERM

echo "Starting: action server on :$action_port, Rasa server on :$rasa_port" \
  "(REST at /webhooks/rest/webhook), demo page with the chat widget on http://localhost:$demo_port"
# Whichever stops first (a crash, or Ctrl-C) takes the others down with it.
wait -n "$actions_pid" "$model_pid" "$rasa_pid" "$demo_pid"
