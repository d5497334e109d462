"""Parameter models and the water table (torch-free: imported when the plugin registers).

Water types follow Jerlov's classification of oceanic (I-III) and coastal (1C-9C) waters. The
per-metre transmittances of red, green and blue light are the normalised residual energy
ratios tabulated for synthesising underwater images by Li, Anwar & Porikli (UWCNN, Pattern
Recognition 2020), derived from Jerlov (1976); the attenuation coefficient of a channel is
``beta_c = -ln(ratio_c)`` per metre.
"""

from typing import Literal

from pydantic import Field, model_validator

from robustkit import Params

WATER_TRANSMITTANCE: dict[str, tuple[float, float, float]] = {
    "I": (0.85, 0.961, 0.982),
    "IA": (0.84, 0.955, 0.975),
    "IB": (0.83, 0.95, 0.968),
    "II": (0.80, 0.925, 0.94),
    "III": (0.75, 0.885, 0.89),
    "1C": (0.75, 0.885, 0.875),
    "3C": (0.71, 0.82, 0.80),
    "5C": (0.67, 0.73, 0.67),
    "7C": (0.62, 0.61, 0.50),
    "9C": (0.55, 0.46, 0.29),
}
WaterType = Literal["I", "IA", "IB", "II", "III", "1C", "3C", "5C", "7C", "9C", "mixed"]
METRES_PER_SEVERITY = 1.5  # severity 5 puts the scene 7.5 m away from the camera
SURFACE_DEPTH = 5.0  # metres of water filtering the sunlight that becomes veiling light
SKIMAGE_COLOUR_IMAGES = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry",
                         "hubble_deep_field", "retina", "colorwheel", "stereo_motorcycle")
SkimageImage = Literal["astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry",
                       "hubble_deep_field", "retina", "colorwheel", "stereo_motorcycle"]


class WaterParams(Params):
    water: WaterType = Field("mixed", description="Jerlov water type, or 'mixed' to draw one "
                             "per image among all of them")
    severity: float = Field(3.0, ge=0.0, le=5.0, description="0 (no water) to 5: the scene "
                            f"lies severity x {METRES_PER_SEVERITY} m from the camera")
    turbidity: float = Field(1.0, ge=0.25, le=4.0, description="multiplies every channel's "
                             "attenuation coefficient (suspended particles)")
    depth_gradient: float = Field(0.5, ge=0.0, le=2.0, description="largest relative increase "
                                  "of range from the top to the bottom row of an image")


class PairsParams(Params):
    train_images: list[SkimageImage] = Field(
        default=["astronaut", "coffee", "rocket", "immunohistochemistry"],
        min_length=1, description="scikit-image photographs whose patches form the train split")
    test_images: list[SkimageImage] = Field(
        default=["chelsea", "stereo_motorcycle"], min_length=1,
        description="held-out photographs whose patches form the test split")
    folder: str | None = Field(None, description="a folder of your own colour images (PNG, "
                               "JPEG, TIFF); every fourth file, sorted by name, is held out "
                               "for testing; replaces the scikit-image photographs")
    scale: float = Field(0.5, gt=0.0, le=1.0, description="resize factor applied to each "
                         "photograph before tiling")
    patch: int = Field(48, ge=16, le=256, description="side of the square patches in pixels")
    variants: int = Field(3, ge=1, le=32, description="degraded copies of each patch, each "
                          "with its own random water")
    water: WaterType = Field("mixed", description="water type of the degradation")
    severity_min: float = Field(1.0, ge=0.0, le=5.0, description="lowest severity drawn")
    severity_max: float = Field(4.0, ge=0.0, le=5.0, description="highest severity drawn")

    @model_validator(mode="after")
    def _ordered(self):
        if self.severity_min > self.severity_max:
            raise ValueError("severity_min must not exceed severity_max")
        if set(self.train_images) & set(self.test_images):
            raise ValueError("train_images and test_images must not share a photograph "
                             "(the test split must be held out)")
        return self


class ColorDigitsParams(Params):
    size: int = Field(16, ge=8, le=64, description="side of the upsampled digit images")
    test_fraction: float = Field(0.25, gt=0.0, lt=1.0, description="share held out for test")


class EnhancerParams(Params):
    growth: int = Field(8, ge=2, le=64, description="channels each dense layer adds")
    layers: int = Field(3, ge=1, le=8, description="layers in each branch's dense block")
    eca_kernel: int = Field(3, ge=1, le=9, description="odd 1-D kernel size of ECA attention")
    map_smoothing: int = Field(7, ge=1, le=31, description="odd box-filter side smoothing "
                               "the per-pixel gain and offset maps (1: none)")
    ssim_weight: float = Field(1.0, ge=0.0, le=10.0, description="weight of (1 - SSIM) in the "
                               "loss L1 + w (1 - SSIM)")

    @model_validator(mode="after")
    def _odd(self):
        if self.eca_kernel % 2 == 0:
            raise ValueError("eca_kernel must be odd so the attention keeps channel positions")
        if self.map_smoothing % 2 == 0:
            raise ValueError("map_smoothing must be odd so the maps stay aligned with pixels")
        return self


class EnhancerDefenseParams(EnhancerParams):
    epochs: int = Field(30, ge=1, le=1000, description="epochs training the enhancer")
    lr: float = Field(0.003, gt=0.0, le=1.0, description="Adam learning rate")
    batch_size: int = Field(16, ge=1, le=4096, description="pairs per step")
    variants: int = Field(1, ge=1, le=16, description="degraded copies of each training input")
    water: WaterType = Field("mixed", description="water of the training pairs")
    severity_min: float = Field(1.0, ge=0.0, le=5.0, description="lowest training severity")
    severity_max: float = Field(5.0, ge=0.0, le=5.0, description="highest training severity")
    clean_fraction: float = Field(0.15, ge=0.0, le=1.0, description="share of pairs left "
                                  "clean so that clean inputs pass unchanged")


class ClaheParams(Params):
    clip_limit: float = Field(0.01, gt=0.0, le=1.0, description="skimage equalize_adapthist "
                              "clip limit")
    kernel_fraction: float = Field(0.125, gt=0.0, le=1.0, description="tile side as a "
                                   "fraction of the image side")


class DarkChannelParams(Params):
    window: int = Field(7, ge=1, le=31, description="side of the dark-channel minimum filter")
    omega: float = Field(0.9, gt=0.0, le=1.0, description="share of haze removed (He et al.)")
    t_min: float = Field(0.1, gt=0.0, lt=1.0, description="lower bound of the transmission")


class UiqmParams(Params):
    block: int = Field(8, ge=2, le=64, description="block side of the EME / AMEE measures")


class FeatureMatchParams(Params):
    keypoints: int = Field(100, ge=5, le=2000, description="ORB keypoints per image")
    fast_threshold: float = Field(0.05, gt=0.0, lt=1.0, description="ORB FAST threshold")
    residual: float = Field(2.0, gt=0.0, le=20.0, description="RANSAC inlier distance (px)")
    upsample: int = Field(2, ge=1, le=8, description="enlarge both images this many times "
                          "before detection: ORB ignores a 16-pixel border, small patches "
                          "would keep no keypoints")
