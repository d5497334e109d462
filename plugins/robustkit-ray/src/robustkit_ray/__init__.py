"""Ray executor for robustkit sweeps."""
