"""The ART and torchattacks adapters next to robustkit's own attacks.

- Cross-check: on one seeded model, robustkit's ``pgd``, ``art-pgd`` and ``ta-pgd`` at equal
  eps, steps and step size with no random start leave the same robust accuracy (within one
  sample).
- A sweep mixes the three and the report card shows them side by side.
- An ART attack whose requirements the model does not meet is refused at validation with
  ART's reason.
- The kernel and the other plugins never import ART, torchattacks or MLflow.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from robustkit import IncompatibleError, Pipeline
from robustkit.report import build_report
from robustkit.store import Store
from robustkit.sweep import Sweep, run_sweep

pytest.importorskip("art")
pytest.importorskip("torchattacks")

ROOT = Path(__file__).resolve().parents[2]
EPS, STEP, STEPS = 0.1, 0.025, 10
SAME_PGD = [
    {"name": "pgd", "eps": EPS, "alpha": STEP, "steps": STEPS, "random_start": False},
    {"name": "art-pgd", "eps": EPS, "eps_step": STEP, "max_iter": STEPS},
    {"name": "ta-pgd", "eps": EPS, "alpha": STEP, "steps": STEPS, "random_start": False},
]


def _label(entry):
    from robustkit.config import ComponentRef

    return ComponentRef(name=entry["name"],
                        params={k: v for k, v in entry.items() if k != "name"}).label()


def test_pgd_of_robustkit_art_and_torchattacks_agree_within_one_sample(tmp_path):
    n = 300
    result = Pipeline(dataset="digits", model="small-cnn", perturbations=SAME_PGD,
                      metrics=["accuracy"], training={"epochs": 10}, eval_samples=n,
                      store=tmp_path / "r.db").run()
    clean = result.value("accuracy")
    acc = {e["name"]: result.value("accuracy", _label(e)) for e in SAME_PGD}
    assert clean > 0.9 and acc["pgd"] < clean - 0.2  # the attack does something
    correct = {k: round(v * n) for k, v in acc.items()}
    assert max(correct.values()) - min(correct.values()) <= 1, acc


def test_a_sweep_mixes_the_three_pgds_and_the_report_shows_them_side_by_side(tmp_path):
    sweep = Sweep(name="pgd-three-ways", datasets=["digits"], models=["mlp"],
                  perturbations=[{**e, "eps": [0.05, 0.1]} for e in SAME_PGD],
                  seeds=[0], training={"epochs": 5}, eval_samples=100)
    out = run_sweep(sweep, store=tmp_path / "s.db")
    assert out.failed == []
    with Store(tmp_path / "s.db") as db:
        rep = build_report(db, sweep_id=out.sweep_id)
        md = rep.markdown()
    # the table's header holds short keys (c0, c1, ...); the legend under it names each column
    legend = md[md.index("Column legend"):]
    for e in SAME_PGD:
        for eps in (0.05, 0.1):
            assert _label({**e, "eps": eps}) in legend
    (row,) = rep.rows()
    values = {c: rep.cell(row, c)[0] for c in rep.columns() if c != "clean"}
    for eps in (0.05, 0.1):  # same attack, same numbers, in one row of the card
        three = [round(values[_label({**e, "eps": eps})] * 100) for e in SAME_PGD]
        assert max(three) - min(three) <= 1, three  # correct samples out of 100


def test_art_attack_the_model_cannot_meet_is_refused_at_validation_with_arts_reason():
    cfg = Pipeline(dataset="sparse-regression", model="gmm-linear",
                   perturbations=["art-deepfool"], metrics=["mse"])
    with pytest.raises(IncompatibleError,
                       match="art-deepfool.*DeepFool requires an estimator derived from"):
        cfg.run()


def test_ta_attack_needing_images_is_refused_for_vector_data():
    cfg = Pipeline(dataset="blobs", model="mlp", perturbations=["ta-square"],
                   metrics=["accuracy"])
    with pytest.raises(IncompatibleError, match="ta-square.*image batches"):
        cfg.run()


ADAPTERS = {"robustkit-art": "art", "robustkit-torchattacks": "torchattacks",
            "robustkit-mlflow": "mlflow"}
PEERS = {"art", "torchattacks", "mlflow"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_kernel_and_other_plugins_never_import_the_peer_libraries():
    sources = list((ROOT / "robustkit").rglob("*.py"))
    for plugin in (ROOT / "plugins").iterdir():
        if plugin.name not in ADAPTERS:
            sources += list((plugin / "src").rglob("*.py"))
    offenders = {str(p.relative_to(ROOT)): sorted(_imported_roots(p) & PEERS) for p in sources}
    assert {k: v for k, v in offenders.items() if v} == {}
    # each adapter imports only its own peer library
    for plugin, own in ADAPTERS.items():
        for p in (ROOT / "plugins" / plugin / "src").rglob("*.py"):
            assert _imported_roots(p) & PEERS <= {own}, p


def test_a_plain_pipeline_loads_no_peer_library():
    code = ("import sys; from robustkit import Pipeline; from robustkit.plan import resolve; "
            "from robustkit.plugins import get_registry; "
            "resolve(Pipeline(dataset='digits', model='mlp', "
            "perturbations=['pgd', 'fgsm'], metrics=['accuracy']), get_registry()); "
            "print(','.join(m for m in ('art', 'torchattacks', 'mlflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
