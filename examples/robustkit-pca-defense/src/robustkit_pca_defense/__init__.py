"""robustkit-pca-defense: an example third-party robustkit defense.

Projects inputs onto the leading principal components of the training data (Bhagoji et al.,
"Enhancing robustness of machine learning systems via data transformations", CISS 2018).
It lives in examples/, outside robustkit's plugins/ tree, and is installed like any
third party's package.
"""
