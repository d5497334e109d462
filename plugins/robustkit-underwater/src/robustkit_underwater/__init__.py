"""Underwater image enhancement for robustkit: the degradation, the pairs, the network, the
classical baselines and the image-quality metrics."""
