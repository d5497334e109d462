"""Assembling and running one pipeline: data → training perturbations → model → defenses →
evaluation under each perturbation → metrics → store, with lifecycle hooks after each stage."""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from robustkit.cache import ModelCache, fingerprint
from robustkit.components import DefenseForm, Needs, Target, Task
from robustkit.config import DEFAULT_STORE, Pipeline
from robustkit.data import (
    DataBundle,
    DefenseContext,
    Evaluation,
    PerturbContext,
    ScoreOracle,
    derive_seed,
    make_generator,
)
from robustkit.errors import DataError, PluginError
from robustkit.plan import Plan, Resolved, defense_forms, resolve
from robustkit.plugins import PluginHost, get_host
from robustkit.pretrained import confirm_content, is_pretrained, run_fingerprint, stored_config
from robustkit.result import PipelineResult
from robustkit.store import MetricRow, Store

Progress = Callable[[str, dict[str, Any]], None]
EXAMPLE_IMAGES = 6  # image-to-image runs keep this many (input, output, target) examples


def kernel_version() -> str:
    try:
        return version("robustkit")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def _seed_everything(seed: int) -> None:
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def run_pipeline(
    config: Pipeline,
    *,
    host: PluginHost | None = None,
    store: Store | str | Path | None = None,
    progress: Progress | None = None,
) -> PipelineResult:
    """Validate ``config`` against the installed plugins, run it and store every number.

    :param host: the plugin host (default: the process-wide one from entry points).
    :param store: a Store or a path (default: ``config.store`` or
        ``./robustkit-results/results.db``).
    :param progress: ``progress(event, info)`` called at stage boundaries (the CLI's bar).
    """
    host = host or get_host()
    plan = resolve(config, host.registry)  # fails before anything is loaded or stored
    own_store = not isinstance(store, Store)
    db = store if isinstance(store, Store) else Store(store or config.store or DEFAULT_STORE)
    previous_threads = None
    if config.threads is not None:
        import torch

        previous_threads = torch.get_num_threads()
        torch.set_num_threads(config.threads)
    try:
        return _Runner(plan, host, db, progress or (lambda e, i: None)).run()
    finally:
        if previous_threads is not None:
            torch.set_num_threads(previous_threads)
        if own_store:
            db.close()


class _Runner:
    def __init__(self, plan: Plan, host: PluginHost, store: Store, progress: Progress):
        self.plan = plan
        self.cfg = plan.config
        self.host = host
        self.store = store
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.rows: list[MetricRow] = []
        self.flags: list[Any] = []
        self.run_id = ""

    # -- helpers -------------------------------------------------------------------------
    def _stage(self, stage: str, started: float, **details: Any) -> None:
        seconds = time.perf_counter() - started
        self.timings[stage] = round(seconds, 4)
        self.progress("stage", {"stage": stage, "seconds": seconds, **details})
        self.host.hook.robustkit_stage_end(
            run_id=self.run_id, stage=stage, seconds=seconds, details=details
        )

    def _call(self, r: Resolved, what: str, fn: Callable[[], Any]) -> Any:
        """Run plugin code, turning an unexpected exception into one that names the plugin."""
        try:
            return fn()
        except (DataError, PluginError):
            raise
        except Exception as exc:
            raise PluginError(
                f"{r.spec.label} from plugin '{r.spec.plugin}' failed while {what}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    # -- the run -------------------------------------------------------------------------
    def run(self) -> PipelineResult:
        cfg = self.cfg
        self.run_id = self.store.start_run(
            config=stored_config(self.plan), seed=cfg.seed, kernel_version=kernel_version(),
            plugins=self.plan.plugin_versions(), name=cfg.name,
        )
        self.progress("start", {"run_id": self.run_id, "evaluations": len(self.plan.settings) + 1})
        self.host.hook.robustkit_pipeline_start(run_id=self.run_id, config=cfg)
        key = None
        cached = False
        try:
            data = self._load_data()
            data = self._perturb_training_data(data)
            model, key, cached = self._train(data)
            model = self._defend(model, data)
            self._evaluate(model, data)
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, Exception):
                message = f"interrupted ({type(exc).__name__})"
            self.store.finish_run(self.run_id, status="failed", timings=self.timings,
                                  fingerprint=key, error=message + "\n" + traceback.format_exc(
                                      limit=5))
            raise
        self.store.finish_run(self.run_id, status="done", timings=self.timings, fingerprint=key)
        result = PipelineResult(
            run_id=self.run_id, config=stored_config(self.plan), rows=self.rows,
            timings=self.timings, store_path=self.store.path, fingerprint=key,
            cached_model=cached, flags=self.flags,
        )
        self.host.hook.robustkit_pipeline_end(run_id=self.run_id, result=result)
        return result

    def _load_data(self) -> DataBundle:
        t = time.perf_counter()
        r = self.plan.dataset
        dataset = r.build()
        bundle = self._call(r, "loading", lambda: dataset.load(self.cfg.seed))
        if not isinstance(bundle, DataBundle):
            raise PluginError(f"{r.spec.label}: load() must return a robustkit.DataBundle")
        info = bundle.info
        if info.task is not self.plan.task:
            raise PluginError(
                f"{r.spec.label} registered task {self.plan.task.value} but its DataInfo says "
                f"{info.task.value}; the plugin must declare them alike"
            )
        if info.modality is not r.spec.modalities[0]:
            raise PluginError(
                f"{r.spec.label} registered modality {r.spec.modalities[0].value} but its "
                f"DataInfo says {info.modality.value}"
            )
        bundle.validate(r.spec.label)
        self._stage("data", t, train=int(bundle.x_train.shape[0]),
                    test=int(bundle.x_test.shape[0]))
        return bundle

    def _perturb_training_data(self, data: DataBundle) -> DataBundle:
        for r in self.plan.train_perturbations:
            t = time.perf_counter()
            pert = r.build()
            ctx = PerturbContext(info=data.info, seed=derive_seed(self.cfg.seed, "train", r.name),
                                 generator=make_generator(self.cfg.seed, "train", r.name),
                                 device=self.cfg.device)
            if Target.TRAIN_LABELS in r.spec.targets:
                y = self._call(r, "perturbing training labels",
                               lambda p=pert, c=ctx: p.perturb(data.x_train, data.y_train, c))
                if y.shape != data.y_train.shape:
                    raise PluginError(f"{r.spec.label} changed the label shape")
                data.y_train = y
            else:
                x = self._call(r, "perturbing training inputs",
                               lambda p=pert, c=ctx: p.perturb(data.x_train, data.y_train, c))
                self._check_perturbed(r, x, data.x_train, data)
                data.x_train = x
            data.validate(f"training data after {r.spec.label}")
            self._stage(f"train-perturb:{r.name}", t)
        return data

    def _fingerprint(self, data: DataBundle) -> str:
        import torch

        plan = self.plan
        parts = {
            "dataset": [plan.dataset.name, plan.dataset.params_dict()],
            "model": [plan.model.name, plan.model.params_dict()],
            "train_perturbations": [[r.name, r.params_dict()] for r in plan.train_perturbations],
            "training_defenses": [
                [r.name, r.params_dict()] for r in defense_forms(plan)[DefenseForm.TRAINING]
            ],
            "training": self.cfg.training.model_dump(),
            "seed": self.cfg.seed,
            "versions": {
                r.spec.plugin: r.spec.version
                for r in [plan.dataset, plan.model, *plan.train_perturbations, *plan.defenses]
            },
            "torch": torch.__version__,
            "threads": self.cfg.threads,
            "data_shape": list(data.x_train.shape),
        }
        return fingerprint(parts)

    def _train(self, data: DataBundle) -> tuple[Any, str, bool]:
        import torch

        from robustkit.trainer import Trainer

        t = time.perf_counter()
        r = self.plan.model
        builder = r.build()
        _seed_everything(derive_seed(self.cfg.seed, "model"))
        model = self._call(r, "building the model", lambda: builder.build(data.info))
        if not isinstance(model, torch.nn.Module):
            raise PluginError(f"{r.spec.label}: build() must return a torch.nn.Module")
        model.to(self.cfg.device)
        if is_pretrained(r.spec):  # evaluated as given: nothing trained, nothing cached
            confirm_content(self.plan, builder)
            model.eval()
            self._stage("train", t, cached=False, skipped="pretrained")
            return model, run_fingerprint(self.plan), False
        key = self._fingerprint(data)
        cache = ModelCache(self.store.path.parent / "cache") if self.cfg.cache else None
        training = defense_forms(self.plan)[DefenseForm.TRAINING]
        ctx = DefenseContext(info=data.info, seed=self.cfg.seed, device=self.cfg.device,
                             registry=self.host.registry)
        if cache is not None:
            shell = model
            for d in training:  # the deployed structure, if a defense changes it
                defense = d.build()
                if hasattr(defense, "rebuild"):
                    shell = self._call(d, "rebuilding", lambda df=defense, m=shell:
                                       df.rebuild(m, ctx))
            if cache.load(key, shell):
                shell.eval()
                self._stage("train", t, cached=True)
                return shell, key, True
        trainer = Trainer(self.cfg.training, data.info.task, seed=self.cfg.seed,
                          device=self.cfg.device)
        if not training:
            model = trainer.fit(model, data.x_train, data.y_train)
        for d in training:  # each training defense receives the previous one's model
            defense = d.build()
            _seed_everything(derive_seed(self.cfg.seed, "defense", d.name))
            model = self._call(d, "training",
                               lambda m=model, df=defense: df.train(m, data, trainer, ctx))
            if not isinstance(model, torch.nn.Module):
                raise PluginError(f"{d.spec.label}: train() must return a torch.nn.Module")
        model.eval()
        if cache is not None:
            cache.save(key, model)
        self._stage("train", t, cached=False)
        return model, key, False

    def _defend(self, model: Any, data: DataBundle) -> Any:
        from robustkit.wrappers import InputTransformModel

        ctx = DefenseContext(info=data.info, seed=self.cfg.seed, device=self.cfg.device,
                             registry=self.host.registry)
        for d in self.plan.defenses:
            if d.spec.form is DefenseForm.TRAINING:
                continue
            t = time.perf_counter()
            defense = d.build()
            if d.spec.form is DefenseForm.INPUT_TRANSFORM:
                if hasattr(defense, "fit"):
                    self._call(d, "fitting", lambda df=defense: df.fit(data, ctx))
                model = InputTransformModel(defense.transform, model)
            else:
                model = self._call(d, "wrapping the model",
                                   lambda df=defense, m=model: df.wrap(m, ctx))
            model.eval()
            self._stage(f"defend:{d.name}", t)
        return model

    def _check_perturbed(self, r: Resolved, x: Any, original: Any, data: DataBundle) -> None:
        import torch

        if not isinstance(x, torch.Tensor) or x.shape != original.shape:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise PluginError(
                f"{r.spec.label} returned {shape}; expected a tensor of shape "
                f"{tuple(original.shape)}"
            )
        if x.is_floating_point() and not torch.isfinite(x).all():
            raise PluginError(f"{r.spec.label} produced NaN or infinite inputs")
        lo, hi = data.info.bounds
        if x.is_floating_point() and (x.min() < lo - 1e-5 or x.max() > hi + 1e-5):
            raise PluginError(
                f"{r.spec.label} left the data bounds [{lo}, {hi}]: values span "
                f"[{float(x.min()):.4g}, {float(x.max()):.4g}]"
            )

    def _evaluate(self, model: Any, data: DataBundle) -> None:
        import torch

        from robustkit.trainer import predict

        bs = self.cfg.eval_batch_size
        t = time.perf_counter()
        n = self.cfg.eval_samples or data.x_test.shape[0]
        x_clean = data.x_test[:n].to(self.cfg.device)
        y = data.y_test[:n].to(self.cfg.device)
        clean_out = predict(model, x_clean, bs)
        checks = _IntegrityChecks(self, model, x_clean, y, data) if (
            self.cfg.integrity and data.info.task is Task.CLASSIFICATION) else None
        metrics = [(m, m.build()) for m in self.plan.metrics]
        self._score(metrics, "clean", "clean", {}, None,
                    Evaluation(y, clean_out, x_clean, x_clean, clean_out, data.info))
        self._keep_examples("clean", x_clean, clean_out, y, data)
        self._stage("evaluate:clean", t, metrics=self._last_values("clean"))
        for s in self.plan.settings:
            t = time.perf_counter()
            pert = s.build()
            access: Any = None
            if s.spec.needs is Needs.GRADIENTS:
                access = model
            elif s.spec.needs is Needs.SCORES:
                access = _oracle(model, data.info.task, data.info.num_classes, bs)
            chunks, stats_parts = [], []
            seed = derive_seed(self.cfg.seed, "perturb", s.label)
            gen = make_generator(self.cfg.seed, "perturb", s.label, device="cpu")
            for start in range(0, x_clean.shape[0], bs):
                xb, yb = x_clean[start : start + bs], y[start : start + bs]
                ctx = PerturbContext(info=data.info, seed=seed, generator=gen, model=access,
                                     device=self.cfg.device)
                xp = self._call(s, "perturbing test inputs",
                                lambda p=pert, a=xb, b=yb, c=ctx: p.perturb(a, b, c))
                self._check_perturbed(s, xp, xb, data)
                chunks.append(xp.detach())
                stats_parts.append(ctx.stats)
            x_pert = torch.cat(chunks)
            outputs = predict(model, x_pert, bs)
            extras = _merge_stats(stats_parts)
            if isinstance(access, ScoreOracle):
                extras.setdefault("total_queries", access.total_queries)
            self._score(metrics, s.label, s.name, s.params_dict(), s.strength,
                        Evaluation(y, outputs, x_pert, x_clean, clean_out, data.info, extras))
            self._keep_examples(s.label, x_pert, outputs, y, data)
            self._stage(f"evaluate:{s.label}", t, metrics=self._last_values(s.label))
            if checks is not None:
                t = time.perf_counter()
                checks.after(s, outputs, x_pert)
                self._stage(f"integrity:{s.label}", t)
        if checks is not None:
            checks.finish()

    def _keep_examples(self, label: str, x: Any, outputs: Any, y: Any, data: DataBundle
                       ) -> None:
        """Image-to-image runs store a few (input, output, target) images for the report."""
        if data.info.task is not Task.IMAGE_TO_IMAGE or x.dim() != 4:
            return
        k = EXAMPLE_IMAGES
        if outputs.shape[:1] != x.shape[:1] or y.shape[:1] != x.shape[:1]:
            return
        self.store.add_examples(self.run_id, label, {
            "input": x[:k].detach().cpu().numpy(), "output": outputs[:k].detach().cpu().numpy(),
            "target": y[:k].detach().cpu().numpy()})

    def _last_values(self, label: str) -> dict[str, float | None]:
        return {r.metric: r.value for r in self.rows if r.label == label}

    def _score(self, metrics, label, pert_name, params, strength, ev: Evaluation) -> None:
        rows = []
        for m, metric in metrics:
            value = self._call(m, f"scoring {label}", lambda mt=metric: mt.compute(ev))
            items = value.items() if isinstance(value, dict) else [(None, value)]
            for sub, v in items:
                name = m.spec.name if sub is None else f"{m.spec.name}.{sub}"
                v = None if v is None else float(v)
                if v is not None and math.isnan(v):
                    v = None  # SQLite has no NaN; None means "not defined here"
                rows.append(MetricRow(label, pert_name, params, strength, name, v))
        self.store.add_metrics(self.run_id, rows)  # stored as soon as measured
        self.rows.extend(rows)


class _IntegrityChecks:
    """Runs the model-level integrity checks after each adversarial evaluation and the row
    checks at the end of the run; stores the flags next to the numbers they doubt."""

    def __init__(self, runner: _Runner, model: Any, x: Any, y: Any, data: DataBundle):
        from robustkit import integrity

        self.ig = integrity
        self.runner = runner
        self.model = model
        k = runner.cfg.integrity_samples
        self._y_full = y
        self.x, self.y = x[:k], y[:k]
        self.data = data
        self.settings: list[Any] = []
        self.gradient_flags: list[Any] | None = None

    def _flag(self, flags: list[Any]) -> None:
        if flags:
            self.runner.flags.extend(flags)
            self.runner.store.add_flags(self.runner.run_id, flags)

    def after(self, s: Any, outputs: Any, x_pert: Any) -> None:
        from robustkit.trainer import predict

        ig = self.ig
        params = s.params_dict()
        threat = ig.threat_of(s.spec.needs.value)
        norm = _norm_name(params.get("norm", s.spec.extra.get("norm", "linf")))
        acc = ig.accuracy(outputs, self._y_full)
        self.settings.append(ig.Setting(
            label=s.label, perturbation=s.name, accuracy=acc, threat=threat,
            iterative=s.spec.extra.get("iterative"), unbounded=bool(s.spec.extra.get("unbounded")),
            strength=s.strength, norm=norm,
            extra={k: v for k, v in params.items() if k != s.spec.strength},
        ))
        if threat == "noise":
            return
        if threat == "white-box":
            if self.gradient_flags is None:
                self.gradient_flags = ig.check_gradients(self.model, self.x, self.y, "")
            self._flag([ig.Flag(f.check, s.label, f.message) for f in self.gradient_flags])
        k = self.x.shape[0]
        bs = self.runner.cfg.eval_batch_size
        sub_acc = ig.accuracy(outputs[:k], self.y)
        eps = s.strength if s.spec.strength in ("eps", "epsilon") else None
        if eps is not None and norm is not None and not s.spec.extra.get("unbounded"):
            self._flag(ig.check_random_noise(
                lambda xx: predict(self.model, xx, bs), self.x, self.y, eps=eps, norm=norm,
                bounds=self.data.info.bounds, attack_accuracy=sub_acc, label=s.label,
                generator=make_generator(self.runner.cfg.seed, "integrity", s.label)))
        steps = params.get("steps")
        if isinstance(steps, int) and steps > 0:
            self._flag(self._more_steps(s, params, steps, sub_acc))

    def _more_steps(self, s: Any, params: dict, steps: int, acc: float) -> list[Any]:
        from robustkit.errors import ParamsError
        from robustkit.trainer import predict

        try:
            doubled = s.spec.build({**params, "steps": 2 * steps})
        except ParamsError:
            return []  # the attack's bounds forbid more steps; nothing to compare
        access: Any = self.model
        if s.spec.needs is Needs.SCORES:
            access = _oracle(self.model, Task.CLASSIFICATION, self.data.info.num_classes,
                             self.runner.cfg.eval_batch_size)
        ctx = PerturbContext(info=self.data.info, seed=derive_seed(self.runner.cfg.seed, "it"),
                             generator=make_generator(self.runner.cfg.seed, "integrity-steps",
                                                      s.label),
                             model=access, device=self.runner.cfg.device)
        x2 = doubled.perturb(self.x, self.y, ctx)
        after = self.ig.accuracy(predict(self.model, x2, self.runner.cfg.eval_batch_size),
                                 self.y)
        return self.ig.check_more_steps(acc, after, s.label, steps)

    def finish(self) -> None:
        self._flag(self.ig.row_flags(self.settings))


def _norm_name(value: Any) -> str | None:
    text = str(value).lower().replace("_", "").replace("-", "")
    if text in ("linf", "inf", "l∞"):
        return "linf"
    if text in ("l2", "2"):
        return "l2"
    return None


def _oracle(model: Any, task: Task, num_classes: int | None, bs: int) -> ScoreOracle:
    import torch

    from robustkit.trainer import predict

    def scores(x: torch.Tensor) -> torch.Tensor:
        out = predict(model, x, bs)
        return torch.softmax(out, dim=-1) if task is Task.CLASSIFICATION else out

    return ScoreOracle(scores, num_classes=num_classes)


def _merge_stats(parts: list[dict[str, Any]]) -> dict[str, Any]:
    import torch

    merged: dict[str, Any] = {}
    for key in {k for p in parts for k in p}:
        values = [p[key] for p in parts if key in p]
        if all(isinstance(v, torch.Tensor) and v.dim() > 0 for v in values):
            merged[key] = torch.cat(values)
        elif all(isinstance(v, (int, float)) for v in values):
            merged[key] = sum(values)
        else:
            merged[key] = values
    return merged
