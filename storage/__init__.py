"""What the running bot keeps, and for how long: the conversation store Rasa writes through
(endpoints.yml's tracker_store), the thread that writes its events, the session limit it
enforces, retention, and the owner-only files that hold health data."""
