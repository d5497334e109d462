"""The check stage: the evaluation-integrity checks, as an observer of evaluations.

After each adversarial evaluation the model-level checks run (gradient masking, a random-noise
baseline, doubled attack steps); after the last one the row checks compare the settings. Flags
are stored next to the numbers they doubt.
"""

from __future__ import annotations

import time
from typing import Any

from robustkit import guard
from robustkit.adapters import score_oracle
from robustkit.components import Needs, Task
from robustkit.data import DataBundle, PerturbContext
from robustkit.stages.context import EvaluationDone, EvaluationObserver, RunContext


def observers(ctx: RunContext, task: Task) -> list[EvaluationObserver]:
    """The observers a run's evaluations get: the integrity checks, when the config asks for
    them and the task is classification (the only task they are defined for)."""
    # "off" as well as False: the setting may grow levels beyond on/off
    if ctx.options.integrity not in (False, None, "off") and task is Task.CLASSIFICATION:
        return [IntegrityChecks()]
    return []


class IntegrityChecks:
    """Runs the model-level integrity checks after each adversarial evaluation and the row
    checks at the end of the run."""

    def __init__(self) -> None:
        from robustkit import integrity

        self.ig = integrity
        self.settings: list[Any] = []
        self.gradient_flags: list[Any] | None = None

    def started(self, ctx: RunContext, model: Any, x: Any, y: Any, data: DataBundle) -> None:
        k = ctx.options.integrity_samples
        self.model = model
        self._y_full = y
        self.x, self.y = x[:k], y[:k]
        self.data = data

    def evaluated(self, ctx: RunContext, done: EvaluationDone) -> None:
        if done.setting is None:
            return  # nothing to doubt in the clean numbers
        t = time.perf_counter()
        self._after(ctx, done.setting, done.outputs)
        ctx.stage(f"integrity:{done.setting.label}", t)

    def _after(self, ctx: RunContext, s: Any, outputs: Any) -> None:
        from robustkit.trainer import predict

        ig = self.ig
        params = s.params_dict()
        threat = ig.threat_of(s.spec.needs.value)
        norm = norm_name(params.get("norm", s.spec.threat.norm or "linf"))
        # a setting with its own sample count was evaluated on the first n samples only
        n = outputs.shape[0]
        acc = ig.accuracy(outputs, self._y_full[:n])
        self.settings.append(ig.Setting(
            label=s.label, perturbation=s.name, accuracy=acc, threat=threat,
            iterative=s.spec.threat.iterative, unbounded=s.spec.threat.unbounded,
            strength=s.strength, norm=norm,
            extra={k: v for k, v in params.items() if k != s.spec.strength},
        ))
        if threat == "noise":
            return
        if threat == "white-box":
            if self.gradient_flags is None:
                self.gradient_flags = ig.check_gradients(self.model, self.x, self.y, "")
            ctx.writer.flag([ig.Flag(f.check, s.label, f.message) for f in self.gradient_flags])
        k = min(self.x.shape[0], n)
        xs, ys = self.x[:k], self.y[:k]
        bs = ctx.options.eval_batch_size
        sub_acc = ig.accuracy(outputs[:k], ys)
        eps = s.strength if s.spec.strength in ("eps", "epsilon") else None
        if eps is not None and norm is not None and not s.spec.threat.unbounded:
            ctx.writer.flag(ig.check_random_noise(
                lambda xx: predict(self.model, xx, bs), xs, ys, eps=eps, norm=norm,
                bounds=self.data.info.bounds, attack_accuracy=sub_acc, label=s.label,
                generator=ctx.seeds.generator(ctx.seeds.integrity_noise(s.label))))
        steps = params.get("steps")
        if isinstance(steps, int) and steps > 0:
            ctx.writer.flag(self._more_steps(ctx, s, params, steps, sub_acc, xs, ys))

    def _more_steps(self, ctx: RunContext, s: Any, params: dict, steps: int, acc: float,
                    x: Any, y: Any) -> list[Any]:
        from robustkit.errors import ParamsError
        from robustkit.trainer import predict

        try:
            doubled = s.spec.build({**params, "steps": 2 * steps})
        except ParamsError:
            return []  # the attack's bounds forbid more steps; nothing to compare
        bs = ctx.options.eval_batch_size
        access: Any = self.model
        if s.spec.needs is Needs.SCORES:
            access = score_oracle(self.model, self.data.info, bs)  # classification only
        pctx = PerturbContext(
            info=self.data.info, seed=ctx.seeds.integrity_steps_context,
            generator=ctx.seeds.generator(ctx.seeds.integrity_steps(s.label)),
            model=access, device=ctx.options.device)
        x2 = guard.call(s, "perturbing for the more-steps check", doubled.perturb, x, y, pctx)
        after = self.ig.accuracy(predict(self.model, x2, bs), y)
        return self.ig.check_more_steps(acc, after, s.label, steps)

    def finished(self, ctx: RunContext) -> None:
        ctx.writer.flag(self.ig.row_flags(self.settings))


def norm_name(value: Any) -> str | None:
    text = str(value).lower().replace("_", "").replace("-", "")
    if text in ("linf", "inf", "l∞"):
        return "linf"
    if text in ("l2", "2"):
        return "l2"
    return None
