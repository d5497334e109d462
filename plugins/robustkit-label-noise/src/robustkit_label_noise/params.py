"""Parameter models (torch-free, imported at registration)."""

from pydantic import Field

from robustkit import Params


class _Rate(Params):
    rate: float = Field(0.4, ge=0, le=1, description=(
        "eta: the share of training labels changed (exactly round(eta * n) of them)"))


class SymmetricParams(_Rate):
    """Each corrupted label moves to one of the other classes, uniformly."""


class AsymmetricParams(_Rate):
    shift: int = Field(1, ge=1, le=10_000, description=(
        "a corrupted label of class c becomes (c + shift) mod num_classes: class-pair flips "
        "(Han et al. 2018); learnable only for rate < 0.5"))


class InstanceParams(_Rate):
    spread: float = Field(0.1, ge=0, le=1, description=(
        "standard deviation of the per-sample flip rates around eta (Xia et al. 2020)"))


class GCEParams(Params):
    q: float = Field(0.7, gt=0, le=1, description=(
        "truncation exponent: q -> 0 gives cross-entropy, q = 1 the mean absolute error"))


class SCEParams(Params):
    alpha: float = Field(0.1, ge=0, le=100, description="weight of the cross-entropy term")
    beta: float = Field(1.0, ge=0, le=100, description="weight of the reverse cross-entropy term")
    log_zero: float = Field(-4.0, le=-0.01, ge=-100, description=(
        "A: the value that stands in for log(0) in the reverse cross-entropy"))


class AWLParams(Params):
    warmup: float = Field(0.2, ge=0, lt=1, description=(
        "share of the epochs trained with uniform weights (stable early phase)"))
    ramp: float = Field(0.1, ge=0, lt=1, description=(
        "share of the epochs over which weights move from uniform to fully adaptive"))
    momentum: float = Field(0.9, ge=0, lt=1, description=(
        "exponential moving average of each sample's loss across epochs"))
    hardness: float = Field(0.5, ge=0, le=4, description=(
        "gamma: emphasis on hard samples among the surely-clean ones (0 = none)"))
    sure: float = Field(0.9, ge=0, le=1, description=(
        "clean posterior from which a sample counts as surely clean and gets the hardness "
        "emphasis; hard samples below it are as likely to be mislabelled"))
    max_emphasis: float = Field(2.0, ge=1, le=100, description=(
        "cap on the hardness factor, so one sample never dominates a batch"))
    confidence: float = Field(0.7, ge=0, le=4, description=(
        "q: every weight is multiplied by the model's detached probability of the given label "
        "to the power q (the implicit weighting of GCE; 0 = off)"))
    threshold: float = Field(0.5, ge=0, lt=1, description=(
        "clean posterior below which a sample counts as likely noisy and is suppressed"))
    floor: float = Field(0.0, ge=0, lt=1, description=(
        "weight a likely-noisy sample keeps once the weights are adaptive"))
