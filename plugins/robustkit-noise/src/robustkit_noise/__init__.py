"""Simple noise perturbations for robustkit."""
