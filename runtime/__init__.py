"""How the Rasa server runs: the one way it starts (serve.py), its set-up whatever the channels
(server.py), and every change this bot makes to Rasa's behaviour (rasa_changes.py lists them,
one module each)."""
