"""Training time of the default sprout detector (all modules on) on the default tea-sprouts
data with the documented training settings (20 epochs, Adam lr 0.003, batch 32), on
``--threads`` torch threads. Reports wall time and process CPU time of the training stage.

    python benchmarks/detection_train_time.py --threads 2 --repeats 2
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=20)
    args = ap.parse_args()

    import torch
    from robustkit_detection.detector import SproutDetectorBuilder
    from robustkit_detection.params import DetectorParams, SproutParams
    from robustkit_detection.sprouts import TeaSprouts

    from robustkit.config import TrainingConfig
    from robustkit.data import derive_seed
    from robustkit.trainer import Trainer

    torch.set_num_threads(args.threads)
    data = TeaSprouts(SproutParams()).load(0)
    walls, cpus = [], []
    for rep in range(args.repeats):
        torch.manual_seed(derive_seed(rep, "model"))
        model = SproutDetectorBuilder(DetectorParams()).build(data.info)
        trainer = Trainer(TrainingConfig(epochs=args.epochs, lr=0.003, batch_size=32),
                          data.info.task, seed=rep)
        w0, c0 = time.perf_counter(), time.process_time()
        trainer.fit(model, data.x_train, data.y_train)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        print(f"repeat {rep}: wall {walls[-1]:.1f} s, process CPU {cpus[-1]:.1f} s", flush=True)
    print(f"threads={args.threads} epochs={args.epochs} train images={data.x_train.shape[0]}: "
          f"wall min {min(walls):.1f} s / median {statistics.median(walls):.1f} s; "
          f"CPU min {min(cpus):.1f} s")


if __name__ == "__main__":
    main()
