"""Parameter models (torch-free, imported at registration)."""

from pydantic import Field

from robustkit import Params


class SproutParams(Params):
    n_train: int = Field(768, ge=8, le=100_000, description="training images")
    n_test: int = Field(256, ge=8, le=100_000, description="test images")
    image_size: int = Field(64, ge=32, le=256, description="square image side in pixels")
    max_sprouts: int = Field(6, ge=1, le=20, description="at most this many sprouts per image "
                             "(at least one)")
    occlusion: float = Field(0.3, ge=0, le=1, description="chance that a leaf covers part of "
                             "each sprout")
    lighting: float = Field(0.3, ge=0, le=1, description="strength of random illumination "
                            "(gain and a shading gradient)")
    clutter: float = Field(0.5, ge=0, le=1, description="density of sprout-like distractors "
                           "(stems, unlabelled green blobs)")


class YoloFolderParams(Params):
    root: str = Field(..., min_length=1, description="folder holding train/ and test/, each "
                      "with images/ (png/jpg) and labels/ (one .txt per image)")
    num_classes: int = Field(..., ge=1, le=1000, description="number of classes; label class "
                             "ids must lie in [0, num_classes)")
    image_size: int | None = Field(None, ge=8, le=2048, description="resize every image to a "
                                   "square of this side (boxes follow); None keeps the size, "
                                   "which must then be the same for every image")


class DetectorParams(Params):
    width: int = Field(16, ge=4, le=128, description="channels of the first stage (doubling "
                       "at each of the two later stages)")
    eie: bool = Field(True, description="edge-information enhancement: Sobel + learned edge "
                      "branch fused into the stride-4 features")
    cpca: bool = Field(True, description="channel-prior convolutional attention (Huang et al. "
                       "2024) on the deepest features")
    carafe: bool = Field(True, description="CARAFE content-aware upsampling (Wang et al. 2019) "
                         "in the neck instead of nearest-neighbour")


class _Severity(Params):
    severity: int = Field(3, ge=1, le=5, description="1 (mild) to 5 (severe)")


class OcclusionParams(_Severity):
    pass


class LightingParams(_Severity):
    pass


class DetectionPGDParams(Params):
    eps: float = Field(4 / 255, ge=0, le=1, description="L-inf budget as a fraction of the "
                       "data range")
    steps: int = Field(5, ge=1, le=200, description="gradient-ascent steps")
    step_size: float | None = Field(None, gt=0, le=1, description="step as a fraction of the "
                                    "data range; None means 2.5 * eps / steps")
    random_start: bool = Field(True, description="start from a uniform point in the eps-ball")


class DetectionMetricParams(Params):
    score_threshold: float = Field(0.01, ge=0, le=1, description="drop detections scoring "
                                   "less before ranking (mAP)")
    nms_iou: float = Field(0.5, gt=0, le=1, description="IoU above which NMS suppresses the "
                           "lower-scoring box of a class")
    max_detections: int = Field(100, ge=1, le=10_000, description="detections kept per image")


class PRMetricParams(DetectionMetricParams):
    score_threshold: float = Field(0.3, ge=0, le=1, description="detections scoring at least "
                                   "this count as predictions")
    iou: float = Field(0.5, gt=0, le=1, description="IoU a detection needs with an unmatched "
                       "true box of its class to be a true positive")
