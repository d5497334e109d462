"""Embedded data sets for robustkit: nothing is downloaded."""
