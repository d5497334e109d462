"""Registers the vision models. Factories are lazy strings: listing imports no torch."""

from robustkit import hookimpl
from robustkit_vision_models.params import MLPParams, SmallCNNParams, SmallResNetParams

_TASKS = ["classification", "anomaly-detection"]


@hookimpl
def robustkit_register_models(register):
    register.model(
        "mlp",
        "robustkit_vision_models.nets:MLPBuilder",
        params=MLPParams,
        tasks=_TASKS,
        modalities=["image", "vector", "sequence"],
        summary="fully connected ReLU network on flattened inputs",
    )
    register.model(
        "small-cnn",
        "robustkit_vision_models.nets:SmallCNNBuilder",
        params=SmallCNNParams,
        tasks=_TASKS,
        modalities=["image"],
        summary=(
            "four 3x3 conv layers in two blocks (conv-ReLU-conv-ReLU-maxpool; C then 2C "
            "channels), then dense-ReLU-dropout-dense"
        ),
    )
    register.model(
        "small-resnet",
        "robustkit_vision_models.nets:SmallResNetBuilder",
        params=SmallResNetParams,
        tasks=_TASKS,
        modalities=["image"],
        summary="three-stage ResNet with basic blocks (He et al. 2016), global pooling",
    )
