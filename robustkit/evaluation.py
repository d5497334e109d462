"""``robustkit.evaluate``: one call to evaluate a model you already have.

>>> result = robustkit.evaluate(net, x_test, y_test, perturbations=["pgd", "fgsm"])
>>> result.value("accuracy", "pgd")

It builds the same :class:`robustkit.Pipeline` a config would (the model and data adopted as
components, or named files), runs it, stores it and returns the usual ``PipelineResult``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from robustkit.config import Pipeline
from robustkit.errors import ConfigError

if TYPE_CHECKING:
    from robustkit.result import PipelineResult

MODEL_SUFFIXES = {".onnx": "onnx-model"}  # every other suffix: model-file (torch formats)
DATA_COMPONENT = {4: "data-file", 2: "vector-data-file", 3: "sequence-data-file"}


def model_ref(model: Any, preprocessing: dict[str, Any] | None = None,
              **file_params: Any) -> dict[str, Any] | Any:
    """The config entry for ``model``: a file path becomes ``model-file`` / ``onnx-model``
    with ``file_params``, an object is adopted, a name or dict passes through."""
    from robustkit.objects import adopt

    if isinstance(model, str | Path) and (isinstance(model, Path) or _looks_like_path(model)):
        name = MODEL_SUFFIXES.get(Path(model).suffix.lower(), "model-file")
        ref: dict[str, Any] = {"name": name, "path": str(model), **file_params}
    elif isinstance(model, str):
        ref = {"name": model, **file_params}
    elif isinstance(model, dict):
        ref = {**model, **file_params}
    else:
        if file_params:
            raise ConfigError(f"{sorted(file_params)} apply to model files, not to objects")
        ref = {"name": adopt(model)}
    if preprocessing is not None:
        ref["preprocessing"] = preprocessing
    return ref


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or Path(text).suffix != "" or Path(text).exists()


def data_ref(x: Any, y: Any = None, **options: Any) -> dict[str, Any]:
    """The config entry for data: arrays are adopted, a file becomes ``data-file``."""
    from robustkit.objects import adopt

    if isinstance(x, str | Path):
        if y is not None:
            raise ConfigError("give labels inside the data file (y_key), not as y")
        return {"name": options.pop("component", "data-file"), "path": str(x), **options}
    if isinstance(x, dict):
        return x
    if y is None:
        return {"name": adopt(x)}  # a DataBundle or an (x, y) tuple
    return {"name": adopt((x, y), **options)}


def evaluate(
    model: Any,
    x: Any,
    y: Any = None,
    *,
    perturbations: list[Any] | None = None,
    metrics: list[Any] | None = None,
    preprocessing: dict[str, Any] | None = None,
    bounds: tuple[float, float] | None = None,
    num_classes: int | None = None,
    defenses: list[Any] | None = None,
    **options: Any,
) -> PipelineResult:
    """Evaluate a trained model on test data under perturbations; store and return the result.

    :param model: a ``torch.nn.Module``, a callable returning logits, or the path of a model
        file (``.pt2``, TorchScript, state dict with ``factory=...``, ``.onnx``).
    :param x: test inputs (tensor or array), a ``DataBundle``, or a data file (``.npz``,
        ``.pt``, ``.safetensors``).
    :param y: test labels when ``x`` holds inputs.
    :param perturbations: names or ``{"name": ..., param: value}`` dicts, as in a config.
    :param metrics: default ``["accuracy"]``.
    :param preprocessing: ``{"mean": [...], "std": [...]}`` applied inside the model.
    :param bounds: interval of the inputs (default ``(0, 1)``).
    :param num_classes: when the test labels do not show every class (default: the model's
        output width for a module, else the largest label + 1).
    :param options: other Pipeline fields (``seed``, ``store``, ``eval_samples``, ...) and,
        for model files, ``factory`` / ``factory_kwargs`` / ``format``.
    """
    file_keys = {"factory", "factory_kwargs", "format", "strict", "state_dict_key"}
    file_params = {k: options.pop(k) for k in list(options) if k in file_keys}
    data_options: dict[str, Any] = {}
    if bounds is not None:
        data_options["bounds"] = tuple(bounds)
    if num_classes is None and y is not None:
        num_classes = _output_width(model, x)
    if num_classes is not None:
        data_options["num_classes"] = num_classes
    config = Pipeline(
        model=model_ref(model, preprocessing, **file_params),
        dataset=data_ref(x, y, **data_options),
        perturbations=perturbations or [],
        metrics=metrics or ["accuracy"],
        defenses=defenses or [],
        **options,
    )
    return config.run()


def _output_width(model: Any, x: Any) -> int | None:
    """The number of classes a module's output has, from one input (cheap, no grad)."""
    import torch

    if not isinstance(model, torch.nn.Module) or len(x) == 0:
        return None
    from robustkit.modules import set_mode

    sample = torch.as_tensor(x[:1]).float()
    set_mode(model, False)
    try:
        with torch.no_grad():
            out = model(sample)
    except Exception:
        return None  # the pipeline's own check reports it, naming the model
    return int(out.shape[-1]) if isinstance(out, torch.Tensor) and out.dim() == 2 else None
