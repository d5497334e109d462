"""Classification metrics for robustkit."""
