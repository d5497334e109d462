"""Smart-meter consumption data and tampering detection for robustkit."""
