"""The processes of a running bot, each started by services/run.sh (make run) or a systemd unit."""
