"""Gaussian-mixture robust regression vs scikit-learn's LassoCV and HuberRegressor on the
noisy sparse regression set (robustkit-gmm's ``sparse-regression``).

    python benchmarks/gmm_regression.py --seeds 0 1 2 3 4

Reports test MSE (test targets carry only the Gaussian noise, so the floor is noise^2 = 0.25)
and support recovery (precision / recall of the non-zero coefficients) per seed and mean.
"""

from __future__ import annotations

import argparse
import statistics
import warnings

import numpy as np
from robustkit_gmm.data import SparseRegression
from robustkit_gmm.linear import MixtureLinearRegression
from robustkit_gmm.params import SparseRegressionParams
from sklearn.linear_model import HuberRegressor, LassoCV


def support_scores(coef: np.ndarray, truth: np.ndarray, tol: float = 1e-8) -> tuple[float, float]:
    found, true = set(np.flatnonzero(np.abs(coef) > tol)), set(np.flatnonzero(truth))
    hit = len(found & true)
    return hit / max(len(found), 1), hit / max(len(true), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = ap.parse_args()
    rows: dict[str, list[tuple[float, float, float]]] = {"GMM": [], "LassoCV": [], "Huber": []}
    for seed in args.seeds:
        d = SparseRegression(SparseRegressionParams()).load(seed)
        x, y = d.x_train.double().numpy(), d.y_train.double().numpy()[:, 0]
        xt, yt = d.x_test.double().numpy(), d.y_test.double().numpy()[:, 0]
        truth = d.extras["coef"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models = {
                "GMM": MixtureLinearRegression().fit(x, y),
                "LassoCV": LassoCV(cv=5, random_state=seed).fit(x, y),
                "Huber": HuberRegressor(max_iter=2000).fit(x, y),
            }
        for name, m in models.items():
            mse = float(np.mean((m.predict(xt) - yt) ** 2))
            prec, rec = support_scores(m.coef_, truth)
            rows[name].append((mse, prec, rec))
            print(f"seed {seed} {name:8s} test MSE {mse:8.3f}  support precision {prec:.2f} "
                  f"recall {rec:.2f}")
    print("\n| model | test MSE (mean ± sd) | support precision | support recall |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        mses = [v[0] for v in r]
        sd = statistics.stdev(mses) if len(mses) > 1 else 0.0
        print(f"| {name} | {statistics.mean(mses):.3f} ± {sd:.3f} | "
              f"{statistics.mean(v[1] for v in r):.2f} | {statistics.mean(v[2] for v in r):.2f} |")


if __name__ == "__main__":
    main()
