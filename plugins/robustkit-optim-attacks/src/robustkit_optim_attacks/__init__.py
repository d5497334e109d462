"""Optimisation and black-box attacks for robustkit: Carlini-Wagner L2 (white-box), ZOO and
AutoZOOM (score-only black-box), and the attack metrics that read their results."""
