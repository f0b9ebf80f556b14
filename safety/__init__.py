"""The safety triage's corpus (corpus/, what the risk model learns from) and how its answers are
scored (scoring.py), shared by `make triage` and the experiments that chose the model."""
