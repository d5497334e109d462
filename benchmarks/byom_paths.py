"""The same trained weights through every bring-your-own-model path: accuracy and load time.

Run: OMP_NUM_THREADS=1 python benchmarks/byom_paths.py [--samples 100] [--queries 200]
Trains a small CNN on the 8x8 digits in plain PyTorch (seed 0), saves it as a .pt2 archive,
TorchScript, a state dict (.pt and .safetensors, with a factory) and ONNX, evaluates each
through robustkit.evaluate under the same perturbations, and writes
benchmarks/results/byom_paths.json. Measured side by side in one process (a loaded machine:
compare ratios, not absolute seconds).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch


def save_all(net: torch.nn.Module, x: torch.Tensor, folder: Path) -> dict[str, Path]:
    from safetensors.torch import save_file

    batch = torch.export.Dim("batch")
    paths = {"export (.pt2)": folder / "net.pt2", "torchscript": folder / "net_ts.pt",
             "state dict (.pt) + factory": folder / "net_sd.pt",
             "safetensors + factory": folder / "net.safetensors", "onnx": folder / "net.onnx"}
    torch.export.save(torch.export.export(net, (x[:2],), dynamic_shapes=({0: batch},)),
                      paths["export (.pt2)"])
    torch.jit.script(net).save(str(paths["torchscript"]))
    torch.save(net.state_dict(), paths["state dict (.pt) + factory"])
    save_file(net.state_dict(), paths["safetensors + factory"])
    torch.onnx.export(net, (x[:2],), str(paths["onnx"]), dynamic_shapes=({0: batch},),
                      dynamo=True)
    return paths


def main() -> None:
    import robustkit
    from robustkit.testing.byom import train_small_cnn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200,
                        help="ZOO's budget per sample; AutoZOOM gets a tenth")
    args = parser.parse_args()
    gradient = [{"name": "pgd", "eps": 0.1, "steps": 10}, {"name": "fgsm", "eps": 0.1}]
    scores = [{"name": "gaussian-noise", "sigma": 0.2},
              {"name": "zoo", "max_queries": args.queries},
              {"name": "autozoom", "max_queries": args.queries // 10}]
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        net, x, y = train_small_cnn(folder, "bench_net")
        paths = save_all(net, x, folder)
        factory = {"factory": "bench_net:SmallCNN"}
        runs = {"in-memory module": (net, {})}
        runs.update({k: (p, factory if "factory" in k else {}) for k, p in paths.items()})
        for label, (model, extra) in runs.items():
            perts = scores if label == "onnx" else gradient + scores
            start = time.perf_counter()
            result = robustkit.evaluate(model, x, y, perturbations=perts,
                                        eval_samples=args.samples, integrity=False,
                                        store=folder / "bench.db", **extra)
            out[label] = {
                "accuracy": {row["perturbation"]: row["accuracy"] for row in result.table()},
                "seconds_total": round(time.perf_counter() - start, 3),
                "seconds_train_stage": result.timings.get("train"),
                "file_bytes": None if label == "in-memory module" else model.stat().st_size,
            }
            print(label, out[label]["accuracy"], f"{out[label]['seconds_total']:.1f} s")
    reference = out["in-memory module"]["accuracy"]
    for row in out.values():
        row["max_abs_difference_vs_module"] = max(
            abs(v - reference[k]) for k, v in row["accuracy"].items())
    target = Path(__file__).parent / "results" / "byom_paths.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"samples": args.samples, "queries": args.queries,
                                  "torch": torch.__version__, "paths": out}, indent=2) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
