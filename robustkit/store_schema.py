"""The results store's SQLite schema: every table robustkit writes, one comment per column.

docs/results-schema.md describes the same tables for readers; robustkit/store_migrate.py
upgrades an older store to this version in place.
"""

APP_ID = "robustkit"
SCHEMA_VERSION = 2  # 2: perturbation facts on metric rows, data facts on runs (store_migrate)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    name TEXT,
    created REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL,           -- running | done | failed
    seed INTEGER NOT NULL,
    config TEXT NOT NULL,           -- the full pipeline config as JSON
    fingerprint TEXT,               -- hash of the trained model's inputs (cache key)
    kernel_version TEXT NOT NULL,
    plugins TEXT NOT NULL,          -- JSON: plugin -> {distribution, version}
    timings TEXT,                   -- JSON: stage -> seconds
    error TEXT,
    data_info TEXT                  -- JSON: task, num_classes, train/eval sample counts
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL REFERENCES runs(id),
    label TEXT NOT NULL,            -- 'clean' or e.g. 'gaussian-noise[severity=2]'
    perturbation TEXT NOT NULL,     -- component name, 'clean' for none
    params TEXT NOT NULL,           -- JSON of the perturbation params
    strength REAL,                  -- value of the perturbation's strength param, if any
    metric TEXT NOT NULL,
    value REAL,
    threat TEXT,                    -- clean | noise | black-box | white-box | unknown
    needs TEXT,                     -- nothing | scores | gradients
    norm TEXT,                      -- linf | l2 | NULL
    iterative INTEGER,              -- 1 multi-step, 0 one-step, NULL not said
    unbounded INTEGER,              -- 1 for attacks with no budget
    strength_param TEXT,            -- name of the strength param (eps, severity)
    PRIMARY KEY (run_id, label, metric)
);
CREATE INDEX IF NOT EXISTS metrics_run ON metrics(run_id);
CREATE TABLE IF NOT EXISTS flags (
    run_id TEXT NOT NULL REFERENCES runs(id),
    label TEXT NOT NULL,            -- the perturbation setting whose number is doubted
    check_name TEXT NOT NULL,       -- e.g. 'zero-gradients'
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, label, check_name)
);
CREATE TABLE IF NOT EXISTS escalations (
    run_id TEXT NOT NULL REFERENCES runs(id),
    label TEXT NOT NULL, metric TEXT NOT NULL,  -- the doubted setting, 'accuracy'
    reported REAL, worst REAL,      -- as evaluated, and the per-sample worst case (never above)
    attack TEXT NOT NULL,           -- the adaptive attack(s) that got it, or 'reported'
    detail TEXT NOT NULL,           -- JSON: checks that fired, every attempt and its result
    PRIMARY KEY (run_id, label, metric)
);
CREATE TABLE IF NOT EXISTS examples (
    run_id TEXT NOT NULL REFERENCES runs(id),
    label TEXT NOT NULL,            -- the evaluation the images come from
    data BLOB NOT NULL,             -- numpy .npz: input, output, target (k x C x H x W)
    PRIMARY KEY (run_id, label)
);
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY,            -- name + hash of the expanded sweep: rerunning resumes
    name TEXT,
    created REAL NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL            -- running | done
);
CREATE TABLE IF NOT EXISTS cells (
    sweep_id TEXT NOT NULL REFERENCES sweeps(id),
    cell_key TEXT NOT NULL,         -- hash of the cell's pipeline config
    phase INTEGER NOT NULL,         -- 0: trains (and evaluates clean), 1: evaluates
    config TEXT NOT NULL,
    status TEXT NOT NULL,           -- pending | done | failed | skipped
    run_id TEXT,
    error TEXT,
    PRIMARY KEY (sweep_id, cell_key)
);
"""
