"""Models and test data brought as files: no plugin code needed to evaluate them."""
