"""Distillation defenses for robustkit."""
