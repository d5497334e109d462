"""Speed of the speech plugin's two costly extras, as ratios against their plain counterparts.

    OMP_NUM_THREADS=1 python benchmarks/speech.py --repeats 5

1. A training step with weight noise (a noise draw per weight and a functional_call forward)
   vs the same step without it, on a 2 x 32 DBLSTM and a batch of 16 synthetic utterances.
2. CTC prefix beam search (width 8) vs best-path decoding, per utterance.

Each measurement is repeated; the minimum is reported (the machine is shared).
"""

from __future__ import annotations

import argparse
import time

import torch
from robustkit_speech.corpus import SyntheticPhones
from robustkit_speech.decoding import decode_batch
from robustkit_speech.models import DBLSTM
from robustkit_speech.params import DBLSTMParams, SyntheticPhonesParams, WeightNoiseParams
from robustkit_speech.sequences import input_lengths
from robustkit_speech.weight_noise import WeightNoise

from robustkit.components import Task
from robustkit.config import TrainingConfig
from robustkit.data import DataBundle, DefenseContext
from robustkit.trainer import Trainer


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = SyntheticPhones(SyntheticPhonesParams(n_train=64, n_test=32)).load(0)
    small = DataBundle(data.x_train, data.y_train, data.x_test, data.y_test, data.info)
    cfg = TrainingConfig(epochs=1, lr=0.01, batch_size=16)

    def model():
        torch.manual_seed(0)
        return DBLSTM(DBLSTMParams(hidden=32)).build(data.info)

    def plain():
        Trainer(cfg, Task.SEQUENCE_LABELLING, seed=0).fit(model(), small.x_train, small.y_train)

    def noisy():
        WeightNoise(WeightNoiseParams()).train(model(), small, Trainer(
            cfg, Task.SEQUENCE_LABELLING, seed=0), DefenseContext(info=data.info, seed=0))

    t_plain, t_noisy = best(plain, args.repeats), best(noisy, args.repeats)
    print(f"training epoch (4 steps of 16): plain {t_plain:.3f} s, weight noise "
          f"{t_noisy:.3f} s, ratio {t_noisy / t_plain:.2f}x")

    torch.manual_seed(0)
    ctc = DBLSTM(DBLSTMParams(hidden=32, objective="ctc")).build(data.info).eval()
    with torch.no_grad():
        out = ctc(data.x_test)
    lengths = input_lengths(data.x_test)
    n_phones = data.info.num_classes
    t_greedy = best(lambda: decode_batch(out, lengths, n_phones, "greedy"), args.repeats)
    t_beam = best(lambda: decode_batch(out, lengths, n_phones, "beam", 8), args.repeats)
    n = data.x_test.shape[0]
    print(f"CTC decoding per utterance: greedy {1e3 * t_greedy / n:.2f} ms, beam(8) "
          f"{1e3 * t_beam / n:.2f} ms, ratio {t_beam / t_greedy:.1f}x")


if __name__ == "__main__":
    main()
