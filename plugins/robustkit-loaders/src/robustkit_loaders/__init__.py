"""Data-set plugins that read real file formats from a path (nothing is downloaded)."""
