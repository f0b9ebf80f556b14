"""What the tests and the release gates (scripts/check_*.py, scripts/benchmark.py) share:
starting the real bot on loopback (bot_servers.py), a lone clone of the project (clone.py), the
training data as Rasa reads it (content.py), the evaluation sets (evaluation_sets.py) and what
the patient saw in a reply (replies.py). Not part of the running bot."""
