"""Registers the underwater components. Factories are lazy strings: listing imports no torch."""

from robustkit import NoParams, hookimpl
from robustkit_underwater.params import (
    ClaheParams,
    ColorDigitsParams,
    DarkChannelParams,
    EnhancerDefenseParams,
    EnhancerParams,
    FeatureMatchParams,
    PairsParams,
    UiqmParams,
    WaterParams,
)

_M = "robustkit_underwater"
_IMAGE_TASKS = ["classification", "image-to-image", "detection", "anomaly-detection"]
_BASELINES = {
    "gray-world": ("GrayWorld", NoParams, "gray-world white balance (Buchsbaum 1980)"),
    "clahe": (
        "Clahe",
        ClaheParams,
        "contrast-limited adaptive histogram equalisation (scikit-image)",
    ),
    "dark-channel-prior": (
        "DarkChannel",
        DarkChannelParams,
        "dark-channel-prior dehazing (He et al. 2009)",
    ),
}


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "underwater-pairs",
        f"{_M}.datasets:UnderwaterPairs",
        params=PairsParams,
        task="image-to-image",
        modality="image",
        summary="(underwater, clean) RGB patch pairs from scikit-image photographs or "
        "your folder; held-out test photographs",
    )
    register.dataset(
        "color-digits",
        f"{_M}.datasets:ColorDigits",
        params=ColorDigitsParams,
        task="classification",
        modality="image",
        summary="scikit-learn digits painted in random colour pairs, 3x16x16, 10 classes",
    )


@hookimpl
def robustkit_register_models(register):
    register.model(
        "underwater-enhancer",
        f"{_M}.enhancer:EnhancerBuilder",
        params=EnhancerParams,
        tasks=["image-to-image"],
        modalities=["image"],
        summary="dual-branch (colour + detail) dense CNN with ECA attention; L1 + SSIM",
    )
    for name, (cls, params, summary) in _BASELINES.items():
        register.model(
            name,
            f"{_M}.classical:{cls}Model",
            params=params,
            tasks=["image-to-image"],
            modalities=["image"],
            summary=f"{summary}; training-free",
        )


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation(
        "underwater",
        f"{_M}.perturbation:UnderwaterDegradation",
        params=WaterParams,
        tasks=_IMAGE_TASKS,
        needs="nothing",
        targets=["test-inputs", "train-inputs"],
        strength="severity",
        summary="underwater image formation: per-channel attenuation + backscatter, "
        "Jerlov water types; severity 0-5 (RGB images)",
    )


@hookimpl
def robustkit_register_defenses(register):
    register.input_transform(
        "underwater-enhancer",
        f"{_M}.defense:UnderwaterEnhancerDefense",
        params=EnhancerDefenseParams,
        tasks=["classification"],
        summary="trains the dual-branch enhancer on the classifier's inputs seen through "
        "random water; enhances inputs before classifying",
    )
    for name, (cls, params, summary) in _BASELINES.items():
        register.input_transform(
            name,
            f"{_M}.classical:{cls}Transform",
            params=params,
            tasks=["classification"],
            differentiable=False,
            summary=f"{summary} applied to inputs",
        )


@hookimpl
def robustkit_register_metrics(register):
    common = dict(tasks=["image-to-image"])
    register.metric(
        "psnr",
        f"{_M}.metrics:PSNR",
        params=NoParams,
        **common,
        summary="PSNR (dB) to the clean target, of outputs and of inputs",
    )
    register.metric(
        "ssim",
        f"{_M}.metrics:SSIM",
        params=NoParams,
        **common,
        summary="SSIM (Wang et al. 2004) to the clean target, of outputs and of inputs",
    )
    register.metric(
        "uiqm",
        f"{_M}.metrics:UIQM",
        params=UiqmParams,
        **common,
        summary="underwater image quality measure (Panetta et al. 2016), no reference",
    )
    register.metric(
        "entropy",
        f"{_M}.metrics:Entropy",
        params=NoParams,
        **common,
        summary="Shannon entropy (bits) of the grey levels, no reference",
    )
    register.metric(
        "feature-matches",
        f"{_M}.metrics:FeatureMatches",
        params=FeatureMatchParams,
        **common,
        summary="ORB matches to the clean view that RANSAC verifies",
    )
