"""Parameter models and severity tables (torch-free, imported at registration).

Tables follow CIFAR-10-C (Hendrycks & Dietterich 2019) where it defines the corruption; all
amounts act on inputs rescaled to [0, 1], so a severity means the same on any bounds. Blur
sizes are in pixels, as in CIFAR-10-C (made for 32 x 32 images).
"""

from pydantic import Field

from robustkit import Params

SEVERITIES: dict[str, tuple] = {
    "gaussian-noise-c": (0.04, 0.06, 0.08, 0.09, 0.10),  # sigma
    "shot-noise": (500, 250, 100, 75, 50),  # photons per unit intensity (fewer = noisier)
    "impulse-noise": (0.01, 0.02, 0.03, 0.05, 0.07),  # share of values set to 0 or 1
    "gaussian-blur": (0.4, 0.6, 0.7, 0.8, 1.0),  # sigma in pixels
    "motion-blur": (1.0, 1.5, 2.0, 2.5, 3.0),  # sigma in pixels of a one-sided line kernel
    "brightness": (0.05, 0.1, 0.15, 0.2, 0.3),  # added to every value
    "contrast": (0.75, 0.5, 0.4, 0.3, 0.15),  # factor on deviations from the image mean
    "illumination-gradient": ((0.2, 0.1), (0.35, 0.2), (0.5, 0.3), (0.65, 0.45), (0.8, 0.6)),
    "jpeg": (80, 65, 58, 50, 40),  # JPEG quality
    "fog": ((0.2, 3.0), (0.5, 3.0), (0.75, 2.5), (1.0, 2.0), (1.5, 1.75)),  # (amount, decay)
}


class CorruptionParams(Params):
    severity: int = Field(3, ge=1, le=5, description="1 (mild) to 5 (severe), as in CIFAR-10-C")

