#!/usr/bin/env bash
# Start the bot's processes together; Ctrl-C (or any one of them dying) stops them all.
# What they run with is in endpoints.yml and credentials.yml; this only starts them.
#   action server   services/action_server.py   where endpoints.yml says (127.0.0.1:5055)
#   model server    services/model_server.py    where endpoints.yml says (127.0.0.1:5056)
#   Rasa server     python -m runtime.serve     RASA_INTERFACE:RASA_PORT (127.0.0.1:5005)
#   demo page       services/demo_page.py       DEMO_INTERFACE:DEMO_PORT (127.0.0.1:8080)
# Usage: services/run.sh MODEL   (make run builds MODEL first)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: services/run.sh MODEL}
export PYTHONPATH="$PWD"
rasa_interface=${RASA_INTERFACE:-127.0.0.1}
rasa_port=${RASA_PORT:-5005}

# Conversations are health data: the folder that keeps them, and every file the processes
# create (databases, keys, logs), are the bot's alone.
umask 077
mkdir -p state && chmod 0700 state

api_flags=()
# Rasa's HTTP API (/model, /conversations, ...) can read and change the bot: off unless asked for.
if [[ "${RASA_ENABLE_API:-false}" == "true" ]]; then
  api_flags=(--enable-api --auth-token "${RASA_API_TOKEN:?RASA_ENABLE_API=true needs RASA_API_TOKEN}")
fi

.venv/bin/python -m services.action_server &
actions_pid=$!
.venv/bin/python -m services.model_server --dir "$(dirname "$model")" &
model_pid=$!
.venv/bin/python -m runtime.serve --model "$model" --interface "$rasa_interface" --port "$rasa_port" \
  --endpoints endpoints.yml --credentials credentials.yml "${api_flags[@]}" &
rasa_pid=$!
.venv/bin/python -m services.demo_page \
  --chat-server "${CHAT_SERVER_URL:-http://localhost:$rasa_port}" &
demo_pid=$!

stop() {
  kill "$actions_pid" "$model_pid" "$rasa_pid" "$demo_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

echo "Starting: Rasa server on $rasa_interface:$rasa_port (REST at /webhooks/rest/webhook," \
  "widget at /widget/spine-chat.js), demo page on http://localhost:${DEMO_PORT:-8080}"
# Whichever stops first (a crash, or Ctrl-C) takes the others down with it.
wait -n "$actions_pid" "$model_pid" "$rasa_pid" "$demo_pid"
