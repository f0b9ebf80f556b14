"""What the project knows about the practice, shared by the actions, the channels, the NLU
components and the staff tools: the facts (facts.yml) and how to read them (facts.py)."""
