"""Registers the file components. Factories are lazy strings: listing imports no torch."""

from robustkit import hookimpl
from robustkit_model_files.params import DataFileParams, ModelFileParams, OnnxModelParams

_M = "robustkit_model_files"


@hookimpl
def robustkit_register_models(register):
    register.model(
        "model-file", f"{_M}.torch_models:ModelFile", params=ModelFileParams,
        tasks=["classification"], pretrained=True, check=f"{_M}.torch_models:check",
        provenance=f"{_M}.torch_models:provenance",
        summary="a trained model from a file: torch.export .pt2, TorchScript, or a state "
        "dict (.pt/.safetensors) plus a factory; evaluated as given")
    register.model(
        "onnx-model", f"{_M}.onnx_model:OnnxModel", params=OnnxModelParams,
        tasks=["classification"], pretrained=True, check=f"{_M}.onnx_model:check",
        provenance=f"{_M}.onnx_model:provenance",
        score_only="it runs in onnxruntime, outside torch's autograd",
        summary="a trained ONNX model run by onnxruntime: score-only (noise and score-based "
        "attacks)")


@hookimpl
def robustkit_register_datasets(register):
    for name, cls, modality in (("data-file", "DataFile", "image"),
                                ("vector-data-file", "VectorDataFile", "vector"),
                                ("sequence-data-file", "SequenceDataFile", "sequence")):
        register.dataset(
            name, f"{_M}.data_files:{cls}", params=DataFileParams, task="classification",
            modality=modality, test_only=True, check=f"{_M}.data_files:check",
            provenance=f"{_M}.data_files:provenance",
            summary=f"a test split of {modality} inputs and class labels from .npz, .pt "
            "(tensors only) or .safetensors")
