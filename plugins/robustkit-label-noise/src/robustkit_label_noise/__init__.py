"""Noisy training labels and noise-robust training losses for robustkit."""
