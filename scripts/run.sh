#!/usr/bin/env bash
# Start the action server, the Rasa server and the demo page together; Ctrl-C (or any one of
# them dying) stops all three.
# Usage: scripts/run.sh MODEL   (make run builds MODEL first)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: scripts/run.sh MODEL}
export PYTHONPATH="$PWD"
rasa_port=${RASA_PORT:-5005}
demo_port=${DEMO_PORT:-8080}
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
.venv/bin/python -m scripts.serve_demo --port "$demo_port" \
  --chat-server "${CHAT_SERVER_URL:-}" &
demo_pid=$!

stop() { kill "$actions_pid" "$rasa_pid" "$demo_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

echo "Starting: action server on :$action_port, Rasa server on :$rasa_port" \
  "(REST at /webhooks/rest/webhook), demo page with the chat widget on http://localhost:$demo_port"
# Whichever stops first (a crash, or Ctrl-C) takes the others down with it.
wait -n "$actions_pid" "$rasa_pid" "$demo_pid"
