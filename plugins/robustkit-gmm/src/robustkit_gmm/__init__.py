"""Gaussian-mixture noise modelling and adaptive sparsity for robustkit (Guo 2023)."""
