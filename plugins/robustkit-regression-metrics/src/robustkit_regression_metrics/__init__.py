"""Regression metrics for robustkit."""
