"""Device-placement checks that need a GPU: skipped on a CPU-only torch, run wherever CUDA is.

`pytest -m cuda` selects them; each compares the CUDA result with the CPU one.
"""

import pytest
import torch

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def test_trainer_moves_data_per_batch_from_pinned_memory():
    from robustkit.components import Task
    from robustkit.config import TrainingConfig
    from robustkit.trainer import Trainer, _Batches

    x, y = torch.rand(300, 4), torch.randint(0, 2, (300,))
    batches = _Batches(x, y, "cuda")
    assert batches.x.is_pinned() and batches.x.device.type == "cpu"
    xb, _ = batches.take(torch.arange(10))
    assert xb.device.type == "cuda"
    model = torch.nn.Linear(4, 2)
    trainer = Trainer(TrainingConfig(epochs=2, batch_size=64), Task.CLASSIFICATION, 0, "cuda")
    out = trainer.fit(model, x, y)
    assert next(out.parameters()).device.type == "cuda" and len(trainer.history) == 2


def test_calibration_error_on_cuda_equals_cpu():
    from robustkit_classification_metrics.metrics import CalibrationError
    from robustkit_classification_metrics.params import CalibrationParams

    from robustkit.components import DataInfo, Modality, Task
    from robustkit.data import Evaluation

    info = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (3,), (0.0, 1.0), 10)
    logits, y, x = torch.randn(200, 10), torch.randint(0, 10, (200,)), torch.rand(200, 3)

    def ev(device):
        return Evaluation(y_true=y.to(device), outputs=logits.to(device), x=x.to(device),
                          x_clean=x.to(device), clean_outputs=logits.to(device), info=info)

    metric = CalibrationError(CalibrationParams())
    cpu, gpu = metric.compute(ev("cpu")), metric.compute(ev("cuda"))
    assert gpu == pytest.approx(cpu, abs=1e-12)


def test_nms_on_cuda_keeps_the_same_boxes():
    from robustkit_detection.boxes import nms

    g = torch.Generator().manual_seed(0)
    xy = torch.rand(200, 2, generator=g) * 50
    boxes = torch.cat([xy, xy + 5 + torch.rand(200, 2, generator=g) * 10], 1)
    scores = torch.rand(200, generator=g)
    keep = nms(boxes.cuda(), scores.cuda(), 0.5)
    assert keep.device.type == "cuda"
    assert torch.equal(keep.cpu(), nms(boxes, scores, 0.5))


def test_a_pipeline_runs_on_cuda_and_matches_cpu_accuracy(tmp_path):
    from robustkit import Pipeline

    def run(device):
        return Pipeline(dataset="digits", model="mlp", perturbations=["gaussian-noise"],
                        metrics=["accuracy", "calibration-error"], training={"epochs": 3},
                        device=device, store=tmp_path / f"{device}.db", cache=False).run()

    cpu, gpu = run("cpu"), run("cuda")
    assert abs(gpu.value("accuracy") - cpu.value("accuracy")) < 0.05
