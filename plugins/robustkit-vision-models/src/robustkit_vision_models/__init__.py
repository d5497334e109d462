"""Vision models for robustkit: MLP, small CNN, small ResNet."""
