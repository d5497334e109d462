"""Robustness curves: metric against strength, one line per (defended model, perturbation
config). Points of different configs are never pooled (PGD-10 and PGD-2 at one ε are two
lines); only seeds are pooled into mean ± standard deviation. A point whose cell carries an
integrity flag gets a red ring and the flag's number."""

from __future__ import annotations

import io
import statistics
from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from robustkit.report.core import Report

FLAG_COLOUR = "#c00000"


def curve_series(report: Report) -> dict[tuple, dict[tuple, dict[float, dict[int, float]]]]:
    """(dataset, model, perturbation) -> (train, defenses, config) -> strength -> seed ->
    value, one value per seed (a cell stores one number per seed)."""
    series: dict[tuple, dict[tuple, dict[float, dict[int, float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict)))
    for r in report.records:
        if r.metric == report.metric and r.strength is not None and r.value is not None:
            series[(r.dataset, r.model, r.perturbation)][(r.train, r.defenses, r.config)][
                r.strength][r.seed] = r.value
    return series


def point_flags(report: Report, row: tuple, config: str, strength: float) -> list[int]:
    """The numbers of the flag groups that doubt a curve point (a config at one strength)."""
    labels = {r.label for r in report.records if r.row == row and r.config == config
              and r.strength == strength and r.metric == report.metric}
    return sorted({g.number for label in labels for g in report.cell_groups(row, label)})


def render_curves(report: Report) -> dict[str, bytes]:
    """One PNG per (dataset, model, perturbation) with a config at more than one strength."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = {}
    for (dataset, model, pert), lines in sorted(curve_series(report).items()):
        if max(len(points) for points in lines.values()) < 2:
            continue
        configs = {config for _, _, config in lines}
        fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=110)
        for (train, defenses, config), points in sorted(lines.items()):
            xs = sorted(points)
            values = [list(points[x].values()) for x in xs]
            means = [statistics.fmean(v) for v in values]
            errs = [statistics.stdev(v) if len(v) > 1 else 0.0 for v in values]
            name = defenses if train == "none" else f"{defenses} (train: {train})"
            if len(configs) > 1:
                name += f" · {report.config_names.get(config, config)}"
            ax.errorbar(xs, means, yerr=errs, marker="o", capsize=3, label=name)
            row = (dataset, model, train, defenses)
            for x, y in zip(xs, means, strict=True):
                numbers = point_flags(report, row, config, x)
                if numbers:
                    ax.plot([x], [y], marker="o", markersize=11, markerfacecolor="none",
                            markeredgecolor=FLAG_COLOUR, markeredgewidth=1.6, zorder=5)
                    ax.annotate("⚠" + ",".join(map(str, numbers)), (x, y), fontsize=7,
                                color=FLAG_COLOUR, xytext=(4, 6), textcoords="offset points")
        ax.set_xlabel(f"{pert} strength")
        ax.set_ylabel(report.metric)
        ax.set_title(f"{dataset} / {model}: {pert}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        figures[f"curve-{dataset}-{model}-{pert}.png"] = buf.getvalue()
    return figures


def render_grids(report: Report) -> dict[str, bytes]:
    """One PNG per stored evaluation with example images (image-to-image runs): a row each for
    the input, the model's output and the target, a column per example; values clipped to
    [0, 1]."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figures = {}
    for (run_id, label), arrays in sorted(report.examples.items()):
        roles = [r for r in ("input", "output", "target") if r in arrays]
        k = min(len(arrays[r]) for r in roles) if roles else 0
        if k == 0:
            continue
        fig, axes = plt.subplots(len(roles), k, figsize=(1.3 * k, 1.4 * len(roles)),
                                 dpi=110, squeeze=False)
        for i, role in enumerate(roles):
            for j in range(k):
                img = np.asarray(arrays[role][j], dtype=np.float32)
                img = np.moveaxis(img, 0, -1) if img.ndim == 3 else img
                if img.ndim == 3 and img.shape[-1] == 1:
                    img = img[..., 0]
                ax = axes[i][j]
                ax.imshow(np.clip(img, 0, 1), cmap="gray" if img.ndim == 2 else None,
                          vmin=0, vmax=1, interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                if j == 0:
                    ax.set_ylabel(role, fontsize=8)
        fig.suptitle(f"run {run_id}: {label}", fontsize=9)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
        figures[f"examples-{run_id}-{safe}.png"] = buf.getvalue()
    return figures
