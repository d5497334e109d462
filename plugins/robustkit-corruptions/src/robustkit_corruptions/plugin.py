"""Registers the corruptions and the corruption-error metric. Factories are lazy strings."""

from robustkit import NoParams, hookimpl
from robustkit_corruptions.params import CorruptionParams

_M = "robustkit_corruptions"
_COMMON = dict(
    needs="nothing",
    targets=["test-inputs", "train-inputs"],
    strength="severity",
    tasks=["classification", "image-to-image", "anomaly-detection", "detection"],
)
_SUMMARIES = {
    "gaussian-noise-c": "additive Gaussian noise at CIFAR-10-C levels",
    "shot-noise": "Poisson (photon) noise",
    "impulse-noise": "salt-and-pepper noise at CIFAR-10-C levels",
    "gaussian-blur": "Gaussian blur (scipy.ndimage)",
    "motion-blur": "blur along a random one-sided line (camera shake)",
    "brightness": "brighter image, clipped",
    "contrast": "contrast reduced towards each image's mean",
    "illumination-gradient": "side lighting: one side shaded, the other washed by glare",
    "jpeg": "JPEG compression at falling quality (Pillow)",
    "fog": "fractal haze added and rescaled",
}


@hookimpl
def robustkit_register_perturbations(register):
    for name, summary in _SUMMARIES.items():
        attr = name.replace("-", "_")
        register.perturbation(
            name,
            f"{_M}.corruption:{attr}",
            params=CorruptionParams,
            summary=f"{summary}; severity 1-5 (images)",
            **_COMMON,
        )


@hookimpl
def robustkit_register_metrics(register):
    register.metric(
        "corruption-error",
        f"{_M}.metrics:CorruptionError",
        params=NoParams,
        tasks=["classification"],
        higher_is_better=False,
        summary="top-1 error; mCE vs a baseline via robustkit_corruptions.corruption_errors",
    )
