"""Registers the detection components. Factories are lazy strings: listing imports no torch."""

from robustkit import hookimpl
from robustkit_detection.params import (
    DetectionMetricParams,
    DetectionPGDParams,
    DetectorParams,
    LightingParams,
    OcclusionParams,
    PRMetricParams,
    SproutParams,
    YoloFolderParams,
)

_M = "robustkit_detection"
_DET = ["detection"]


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "tea-sprouts",
        f"{_M}.sprouts:TeaSprouts",
        params=SproutParams,
        task="detection",
        modality="image",
        summary="seeded synthetic tea sprouts of 3 grades on foliage, "
        "3x64x64, xyxy boxes; occlusion / lighting / clutter controls",
    )
    register.dataset(
        "yolo-folder",
        f"{_M}.yolo:YoloFolder",
        params=YoloFolderParams,
        task="detection",
        modality="image",
        summary="YOLO-format folder (train|test/images + labels/*.txt) as xyxy pixel boxes",
    )


@hookimpl
def robustkit_register_models(register):
    register.model(
        "sprout-detector",
        f"{_M}.detector:SproutDetectorBuilder",
        params=DetectorParams,
        tasks=_DET,
        modalities=["image"],
        summary="compact anchor-free one-stage detector "
        "(stride 4) with switchable EIE, CPCA and CARAFE",
    )


@hookimpl
def robustkit_register_perturbations(register):
    common = dict(
        needs="nothing", targets=["test-inputs", "train-inputs"], strength="severity", tasks=_DET
    )
    register.perturbation(
        "occlusion-patches",
        f"{_M}.perturb:OcclusionPatches",
        params=OcclusionParams,
        summary="leaf-like patches pasted over objects; severity 1-5",
        **common,
    )
    register.perturbation(
        "lighting-change",
        f"{_M}.perturb:LightingChange",
        params=LightingParams,
        summary="global gain and shading ramp; severity 1-5",
        **common,
    )
    register.perturbation(
        "detection-pgd",
        f"{_M}.perturb:DetectionPGD",
        params=DetectionPGDParams,
        needs="gradients",
        targets=["test-inputs"],
        strength="eps",
        tasks=_DET,
        summary="L-inf PGD ascending the model's detection training_loss",
    )


@hookimpl
def robustkit_register_metrics(register):
    register.metric(
        "map50",
        f"{_M}.metrics:MAP50",
        params=DetectionMetricParams,
        tasks=_DET,
        summary="mAP at IoU 0.5 (all-point interpolated AP, NMS-decoded detections)",
    )
    register.metric(
        "map50-95",
        f"{_M}.metrics:MAP5095",
        params=DetectionMetricParams,
        tasks=_DET,
        summary="mAP averaged over IoU 0.50:0.05:0.95",
    )
    register.metric(
        "box-precision",
        f"{_M}.metrics:BoxPrecision",
        params=PRMetricParams,
        tasks=_DET,
        summary="share of detections above a score threshold that hit a true box",
    )
    register.metric(
        "box-recall",
        f"{_M}.metrics:BoxRecall",
        params=PRMetricParams,
        tasks=_DET,
        summary="share of true boxes hit by a detection above a score threshold",
    )
