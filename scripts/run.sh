#!/usr/bin/env bash
# Start the action server and the Rasa server together; Ctrl-C (or either one dying) stops both.
# Usage: scripts/run.sh MODEL   (make run builds MODEL first)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: scripts/run.sh MODEL}
rasa_port=${RASA_PORT:-5005}
# The action server's port is the one endpoints.yml names.
action_port=5055

api_flags=()
# Rasa's HTTP API (/model, /conversations, ...) can read and change the bot: off unless asked for.
if [[ "${RASA_ENABLE_API:-false}" == "true" ]]; then
  api_flags=(--enable-api --auth-token "${RASA_API_TOKEN:?RASA_ENABLE_API=true needs RASA_API_TOKEN}")
fi

.venv/bin/rasa run actions --port "$action_port" &
actions_pid=$!
.venv/bin/rasa run --model "$model" --port "$rasa_port" --credentials credentials.yml \
  --endpoints endpoints.yml "${api_flags[@]}" &
rasa_pid=$!

stop() { kill "$actions_pid" "$rasa_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

echo "Starting: action server on :$action_port, Rasa server on :$rasa_port (REST at /webhooks/rest/webhook)."
# Whichever stops first (a crash, or Ctrl-C) takes the other down with it.
wait -n "$actions_pid" "$rasa_pid"
