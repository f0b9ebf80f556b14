"""The processes of a running bot, each started as services/launch.py says: by `make run`
(run.py), `make run-cluster` (cluster.py), the tests, or a systemd unit."""
