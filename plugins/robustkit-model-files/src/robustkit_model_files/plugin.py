"""Registers the file components. Factories are lazy strings: listing imports no torch."""

from robustkit import hookimpl
from robustkit_model_files.params import DataFileParams, ModelFileParams, OnnxModelParams

_M = "robustkit_model_files"
_CLS = ["classification"]


@hookimpl
def robustkit_register_models(register):
    register("model-file", f"{_M}.torch_models:ModelFile", params=ModelFileParams, tasks=_CLS,
             summary="a trained model from a file: torch.export .pt2, TorchScript, or a "
             "state dict (.pt/.safetensors) plus a factory; evaluated as given",
             extra={"pretrained": True, "check": f"{_M}.torch_models:check",
                    "provenance": f"{_M}.torch_models:provenance"})
    register("onnx-model", f"{_M}.onnx_model:OnnxModel", params=OnnxModelParams, tasks=_CLS,
             summary="a trained ONNX model run by onnxruntime: score-only (noise and "
             "score-based attacks)",
             extra={"pretrained": True, "score_only": True,
                    "score_only_why": "it runs in onnxruntime, outside torch's autograd",
                    "check": f"{_M}.onnx_model:check",
                    "provenance": f"{_M}.onnx_model:provenance"})


@hookimpl
def robustkit_register_datasets(register):
    for name, cls, modality in (("data-file", "DataFile", "image"),
                                ("vector-data-file", "VectorDataFile", "vector"),
                                ("sequence-data-file", "SequenceDataFile", "sequence")):
        register(name, f"{_M}.data_files:{cls}", params=DataFileParams, tasks=_CLS,
                 modality=modality, summary=f"a test split of {modality} inputs and class "
                 "labels from .npz, .pt (tensors only) or .safetensors",
                 extra={"test_only": True, "check": f"{_M}.data_files:check",
                        "provenance": f"{_M}.data_files:provenance"})
