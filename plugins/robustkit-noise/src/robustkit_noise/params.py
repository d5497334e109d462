"""Parameter models (torch-free, imported at registration).

Severities follow CIFAR-10-C (Hendrycks & Dietterich 2019): the amount at each level is a
fraction of the data range, so severities mean the same on any bounds.
"""

from pydantic import Field

from robustkit import Params

GAUSSIAN_SIGMA = (0.08, 0.12, 0.18, 0.26, 0.38)
UNIFORM_HALF_WIDTH = (0.1, 0.2, 0.3, 0.45, 0.6)
SALT_PEPPER_FRACTION = (0.03, 0.06, 0.09, 0.17, 0.27)


class _Severity(Params):
    severity: int = Field(3, ge=1, le=5, description="1 (mild) to 5 (severe)")


class GaussianParams(_Severity):
    sigma: float | None = Field(None, ge=0, le=10, description=(
        "standard deviation as a fraction of the data range; overrides severity "
        f"(severity 1-5 = {GAUSSIAN_SIGMA})"))


class UniformParams(_Severity):
    half_width: float | None = Field(None, ge=0, le=10, description=(
        "noise drawn from [-w, w] times the data range; overrides severity "
        f"(severity 1-5 = {UNIFORM_HALF_WIDTH})"))


class SaltPepperParams(_Severity):
    fraction: float | None = Field(None, ge=0, le=1, description=(
        "share of values set to the lower or upper bound; overrides severity "
        f"(severity 1-5 = {SALT_PEPPER_FRACTION})"))
