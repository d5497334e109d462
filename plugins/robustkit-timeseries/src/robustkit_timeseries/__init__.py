"""Noisy chaotic time series for robustkit: data, perturbations, forecasting models, tuning."""
