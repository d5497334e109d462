"""The report card's numbers, from the cases of issue 24: curves never pool configs, flags
compare only settings of one config and are listed once per cause, a model at chance is
flagged, the worst case over attacks is named, headers stay short, provenance is complete."""

import json

import pytest

from robustkit.report import build_report
from robustkit.report.curves import curve_series, point_flags
from robustkit.report.leaderboard import leaderboards

ROW = ("digits", "mlp", "none", "none")


def _pgd_sweep(db, kit, seed=0):
    """Issue 24's ε = 0.1 column: PGD-10 at 0.467 and a 2-step PGD at 0.91."""
    return kit.write_run(db, seed=seed, evals=[
        ("pgd", {"eps": 0.05, "steps": 10}, kit.PGD, 0.70),
        ("pgd", {"eps": 0.1, "steps": 10}, kit.PGD, 0.467),
        ("pgd", {"eps": 0.05, "steps": 2}, kit.PGD, 0.941),
        ("pgd", {"eps": 0.1, "steps": 2}, kit.PGD, 0.910),
    ])


def test_a_curve_point_never_pools_two_attack_configs(store, kit):
    db = store()
    _pgd_sweep(db, kit)
    rep = build_report(db)
    lines = curve_series(rep)[("digits", "mlp", "pgd")]
    assert set(lines) == {("none", "none", "pgd[steps=10]"), ("none", "none", "pgd[steps=2]")}
    assert lines[("none", "none", "pgd[steps=10]")][0.1] == {0: 0.467}
    assert lines[("none", "none", "pgd[steps=2]")][0.1] == {0: 0.910}
    assert any(name.endswith("-pgd.png") for name in rep.curves())


def test_accuracy_rises_fires_only_within_one_config(store, kit):
    db = store()
    _pgd_sweep(db, kit)
    # PGD-2 at 0.05 (0.941) vs PGD-10 at 0.1 (0.467): fine; PGD-10 0.1 vs PGD-2 0.1 is not a
    # strength series at all
    assert not [g for g in build_report(db).flag_groups
                if g.check == "accuracy-rises-with-strength"]
    kit.write_run(db, model="cnn", evals=[
        ("pgd", {"eps": 0.05, "steps": 10}, kit.PGD, 0.40),
        ("pgd", {"eps": 0.1, "steps": 10}, kit.PGD, 0.60),  # rises within one config
    ])
    rises = [g for g in build_report(db).flag_groups if g.check == "accuracy-rises-with-strength"]
    assert [(g.row[1], g.labels) for g in rises] == [("cnn", ["pgd[eps=0.1,steps=10]"])]


def test_flags_are_grouped_by_cause_and_marked_on_curve_points(store, kit):
    db = store()
    evals = [("pgd", {"eps": e, "steps": 10}, kit.PGD, 0.80) for e in (0.05, 0.1, 0.2)]
    evals += [("fgsm", {"eps": e}, kit.FGSM, 0.81) for e in (0.05, 0.1)]
    labels = [kit.label(n, p) for n, p, _, _ in evals]
    for seed in (0, 1):
        kit.write_run(db, model="distilled", seed=seed, evals=evals, flags=[
            ("zero-gradients", lb, "62.0% of test inputs have an input gradient of exactly "
             "zero") for lb in labels])
    rep = build_report(db)
    groups = [g for g in rep.flag_groups if g.check == "zero-gradients"]
    assert len(groups) == 1  # ten stored flags, one cause
    assert sorted(groups[0].labels) == sorted(labels) and groups[0].seeds == [0, 1]
    assert groups[0].count == 10
    row = ("digits", "distilled", "none", "none")
    assert point_flags(rep, row, "pgd[steps=10]", 0.1) == [groups[0].number]
    assert point_flags(rep, ROW, "pgd[steps=10]", 0.1) == []
    html = rep.html()
    assert html.count(f'id="flag{groups[0].number}"') == 1
    assert html.count(f'href="#flag{groups[0].number}"') == len(labels)


def test_a_model_at_chance_level_is_flagged(store, kit):
    db = store()
    kit.write_run(db, model="broken", clean=0.100, evals=[
        ("gaussian-noise", {"severity": 2}, kit.NOISE, 0.098)])
    kit.write_run(db, model="fine", clean=0.93)
    rep = build_report(db)
    chance = [g for g in rep.flag_groups if g.check == "chance-level"]
    assert [g.row[1] for g in chance] == ["broken"]
    assert "1/10" in chance[0].message
    assert rep.cell_groups(("digits", "broken", "none", "none"), "clean") == chance


def test_worst_case_is_the_minimum_over_attacks_at_one_eps_with_the_attack_named(store, kit):
    db = store()
    for seed, (pgd, sq) in enumerate([(0.40, 0.35), (0.42, 0.45)]):
        kit.write_run(db, seed=seed, evals=[
            ("pgd", {"eps": 0.1, "steps": 10}, kit.PGD, pgd),
            ("square", {"eps": 0.1}, kit.SQUARE, sq),
            ("fgsm", {"eps": 0.2}, kit.FGSM, 0.30),
            ("gaussian-noise", {"severity": 5}, kit.NOISE, 0.05),  # noise: no threat model
        ])
    rep = build_report(db)
    assert [tm.key for tm in rep.threat_models] == ["worst linf ε=0.1", "worst linf ε=0.2"]
    tm = rep.threat_models[0]
    worst = rep.worst[(ROW, tm)]
    # per seed: min(0.40, 0.35) = 0.35 (square), min(0.42, 0.45) = 0.42 (pgd)
    assert worst.mean == pytest.approx((0.35 + 0.42) / 2)
    assert set(worst.attacks) == {"square[eps=0.1]", "pgd[eps=0.1,steps=10]"}
    entry = rep.matrix()[0]
    assert entry["worst linf ε=0.1"]["mean"] == pytest.approx(0.385)
    assert "by c" in rep.html() and "worst linf 0.1" in rep.markdown()


def test_leaderboard_ranks_defended_models_by_worst_case(store, kit):
    db = store()
    kit.write_run(db, model="mlp", clean=0.97, evals=[
        ("pgd", {"eps": 0.1, "steps": 10}, kit.PGD, 0.10)])
    kit.write_run(db, model="mlp", defenses=["adversarial-training"], clean=0.90, evals=[
        ("pgd", {"eps": 0.1, "steps": 10}, kit.PGD, 0.60),
        ("square", {"eps": 0.1}, kit.SQUARE, 0.55)])
    (board,) = leaderboards(build_report(db))
    assert [e[0][3] for e in board.entries] == ["adversarial-training", "none"]
    row, clean, worst, per = board.entries[0]
    assert clean[0] == pytest.approx(0.90) and worst.mean == pytest.approx(0.55)
    assert worst.attacks == ["square[eps=0.1]"]
    assert board.attacks == ["square[eps=0.1]", "pgd[eps=0.1,steps=10]"] or board.attacks == [
        "pgd[eps=0.1,steps=10]", "square[eps=0.1]"]


def test_headers_are_short_keys_with_a_legend(store, kit):
    db = store()
    long_params = {"eps": 0.1, "steps": 40, "step_size": 0.0125, "restarts": 3,
                   "loss": "dlr", "targeted": False}
    kit.write_run(db, evals=[("pgd", long_params, kit.PGD, 0.3)])
    rep = build_report(db)
    (col,) = [c for c in rep.column_info if c.label != "clean"]
    assert len(col.label) > 50 and col.short == "pgd 0.1"
    html = rep.html()
    assert f"<td class=\"text\">{col.label}</td>" in html  # the legend keeps the full label
    assert f">{col.key}</span><div class=\"vt\">pgd 0.1</div></th>" in html


def test_provenance_names_versions_samples_epochs_seeds_and_runs(store, kit, tmp_path):
    db = store()
    ids = [kit.write_run(db, seed=s, epochs=7) for s in (3, 4)]
    rep = build_report(db)
    p = rep.provenance()
    assert p["kernel_versions"] == ["0.1.0"] and p["plugins"] == {"attacks": ["0.3.0"]}
    assert p["seeds"] == [3, 4] and p["epochs"] == [7]
    assert p["train_samples"] == [1437] and p["eval_samples"] == [300]
    assert sorted(p["run_ids"]) == sorted(ids)
    paths = rep.write(tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert data["provenance"]["seeds"] == [3, 4]
    assert all(i in paths["html"].read_text() for i in ids)
    assert "facts.threat" in paths["csv"].read_text().splitlines()[0]


def test_a_check_firing_on_every_strength_of_one_config_is_one_cause(store, kit):
    db = store()
    evals = []
    for eps in (0.05, 0.1, 0.2):  # 2-step PGD weaker than FGSM at every ε
        evals += [("pgd", {"eps": eps, "steps": 2}, kit.PGD, 0.9 - eps),
                  ("fgsm", {"eps": eps}, kit.FGSM, 0.7 - eps)]
    kit.write_run(db, evals=evals)
    groups = [g for g in build_report(db).flag_groups
              if g.check == "iterative-weaker-than-one-step"]
    assert len(groups) == 1
    assert groups[0].labels == [kit.label("pgd", {"eps": e, "steps": 2}) for e in (0.05, 0.1,
                                                                                     0.2)]


def test_the_terminal_matrix_keeps_numbers_whole_at_any_width(store, kit):
    from rich.console import Console

    from robustkit.report.terminal import print_matrix

    db = store()
    kit.write_run(db, evals=[("pgd", {"eps": e, "steps": 10}, kit.PGD, 0.5 - e)
                             for e in (0.01, 0.02, 0.05, 0.1, 0.2, 0.3)])
    rep = build_report(db)
    for width, layout in ((80, "setting"), (400, "columns: c0 clean")):
        console = Console(record=True, width=width)
        print_matrix(rep, console)
        text = console.export_text()
        assert "0.450" in text and "0.200" in text and "…" not in text
        assert "worst" in text and "pgd[eps=0.3,steps=10]" in text and layout in text
