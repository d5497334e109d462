"""The default pipeline, as `robustkit run` runs it with no arguments."""

from click.testing import CliRunner

from robustkit.cli import main
from robustkit.config import default_pipeline


def test_default_pipeline_reaches_97_percent_and_is_repeatable(tmp_path):
    cfg = default_pipeline().replace(store=tmp_path / "r.db", cache=False)
    first = cfg.run()
    assert first.value("accuracy") >= 0.97
    noisy = [label for label in first.labels() if label.startswith("gaussian-noise")]
    assert len(noisy) == 2
    # more noise, lower accuracy
    assert first.value("accuracy", noisy[1]) < first.value("accuracy", noisy[0])
    second = cfg.run()
    assert [(r.label, r.metric, r.value) for r in first.rows] == [
        (r.label, r.metric, r.value) for r in second.rows]


def test_robustkit_run_with_no_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["run"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "gaussian-noise[severity=2]" in out.output
    assert (tmp_path / "robustkit-results" / "results.db").exists()
