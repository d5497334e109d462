"""torchattacks attacks as robustkit perturbations (``ta-<attack>``).

torchattacks is not a declared dependency (it declares torchvision, which robustkit never
installs): ``pip install --no-deps torchattacks==3.5.1``. The attacks are registered from a
static catalog (``catalog.json``, written by ``python -m robustkit_torchattacks.generate``).
"""
