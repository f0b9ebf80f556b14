"""The action server package: `rasa run actions` loads actions.actions."""
