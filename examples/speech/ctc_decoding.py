"""CTC DBLSTM on a small synthetic corpus: phone and word error rates, greedy vs beam decoding.

    OMP_NUM_THREADS=1 python examples/speech/ctc_decoding.py --seeds 0 1
"""

from __future__ import annotations

import argparse

import torch
from robustkit_speech.corpus import SyntheticPhones
from robustkit_speech.metrics import PhoneErrorRate, WordErrorRate
from robustkit_speech.models import DBLSTM
from robustkit_speech.params import DBLSTMParams, DecodeParams, SyntheticPhonesParams

from robustkit.config import TrainingConfig
from robustkit.data import Evaluation
from robustkit.trainer import Trainer, predict


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--epochs", type=int, default=25)
    args = ap.parse_args()
    torch.set_num_threads(1)
    corpus = SyntheticPhonesParams(n_train=48, n_test=24, n_phones=8, n_words=10, n_features=12)
    for seed in args.seeds:
        data = SyntheticPhones(corpus).load(seed)
        torch.manual_seed(seed)
        model = DBLSTM(DBLSTMParams(hidden=16, objective="ctc")).build(data.info)
        Trainer(TrainingConfig(epochs=args.epochs, lr=0.02, batch_size=8), data.info.task,
                seed=seed).fit(model, data.x_train, data.y_train)
        out = predict(model, data.x_test)
        ev = Evaluation(data.y_test, out, data.x_test, data.x_test, out, data.info)
        for decoder in ("greedy", "beam"):
            p = DecodeParams(decoder=decoder, beam_width=8)
            print(f"seed {seed} {decoder:6s} PER {100 * PhoneErrorRate(p).compute(ev):6.2f}% "
                  f"WER {100 * WordErrorRate(p).compute(ev):6.2f}%", flush=True)


if __name__ == "__main__":
    main()
