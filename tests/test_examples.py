"""Image-to-image runs keep example images; the report renders them as before/after grids."""

import numpy as np

from robustkit.report import build_report
from robustkit.store import MetricRow, Store


def _run(db: Store, k: int = 3) -> str:
    cfg = {"dataset": {"name": "pairs"}, "model": {"name": "enhancer"}, "defenses": [],
           "train_perturbations": []}
    run_id = db.start_run(config=cfg, seed=0, kernel_version="t", plugins={})
    db.add_metrics(run_id, [MetricRow("clean", "clean", {}, None, "psnr.output", 20.0)])
    rng = np.random.default_rng(0)
    db.add_examples(run_id, "clean", {role: rng.random((k, 3, 8, 8)) for role in
                                      ("input", "output", "target")})
    db.finish_run(run_id, status="done", timings={})
    return run_id


def test_examples_round_trip_through_the_store(tmp_path):
    with Store(tmp_path / "r.db") as db:
        run_id = _run(db)
        got = db.examples(run_id)
    assert set(got) == {"clean"} and set(got["clean"]) == {"input", "output", "target"}
    assert got["clean"]["input"].shape == (3, 3, 8, 8)
    assert got["clean"]["input"].dtype == np.float32


def test_report_writes_one_grid_per_evaluation_and_links_it(tmp_path):
    with Store(tmp_path / "r.db") as db:
        run_id = _run(db)
        rep = build_report(db, metric="psnr.output")
    paths = rep.write(tmp_path / "report")
    grids = sorted((tmp_path / "report").glob("examples-*.png"))
    assert [g.name for g in grids] == [f"examples-{run_id}-clean.png"]
    assert grids[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Example images" in paths["html"].read_text()
    assert f"examples-{run_id}-clean.png" in paths["markdown"].read_text()


def test_runs_without_examples_get_no_grid_section(tmp_path):
    with Store(tmp_path / "r.db") as db:
        cfg = {"dataset": {"name": "d"}, "model": {"name": "m"}}
        run_id = db.start_run(config=cfg, seed=0, kernel_version="t", plugins={})
        db.add_metrics(run_id, [MetricRow("clean", "clean", {}, None, "accuracy", 0.9)])
        db.finish_run(run_id, status="done", timings={})
        rep = build_report(db)
    paths = rep.write(tmp_path / "report")
    assert not list((tmp_path / "report").glob("examples-*.png"))
    assert "Example images" not in paths["html"].read_text()
