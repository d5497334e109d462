"""robustkit-speech: sequence labelling under noise (phones from audio features)."""
