"""CIFAR-10-C style corruptions and corruption-error metrics for robustkit."""
