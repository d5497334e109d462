"""Calling plugin code so that it can neither corrupt the run's tensors nor fail anonymously.

Perturbations, defenses and metrics receive the pipeline's clean tensors. One that edits them in
place (``x.add_(noise).clamp_(0, 1)``) would make every later evaluation of the run wrong while
the run still exits 0. :func:`call` hands the component copies and checks afterwards that it
left them alone; tensors too large to copy cheaply (a whole training set) are handed as they
are and checked by a checksum taken before and after. A component that changed an input gets a
:class:`PluginError` naming it, its plugin and the fix. Any other exception it raises is turned
into one error line naming the component, what it was doing and its plugin.

:func:`metric_values` checks what a metric returned (a number, or a dict of numbers) and
:func:`check_dtype` what a perturbation returned, so that text or a 2-element tensor from a
metric, or integer images from a perturbation, are named errors rather than tracebacks from
``float()`` or deep inside torch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from robustkit.adapters import NotANumber, metric_number
from robustkit.errors import PluginError, RobustkitError

# tensors up to this many bytes are handed over as copies; larger ones are checksummed
COPY_LIMIT = 256 * 2**20
_CHUNK = 4 * 2**20  # elements per checksum block: bounds the temporary memory


def _owner(r: Any) -> str:
    return f"{r.spec.label} from plugin '{r.spec.plugin}'"


def _named_tensors(obj: Any, name: str) -> Iterator[tuple[str, Any]]:
    """The tensors inside an argument: itself, or the tensor fields of a dataclass."""
    import torch

    if isinstance(obj, torch.Tensor):
        yield name, obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, torch.Tensor):
                yield f"{type(obj).__name__}.{f.name}", value


def checksum(t: Any) -> tuple[float, float, float]:
    """Sum, sum of squares and a position-weighted sum, in float64, block by block: a change
    of any value (or a swap of two) moves at least one of them."""
    import torch

    flat = t.detach().reshape(-1)
    total = squares = weighted = 0.0
    for start in range(0, flat.numel(), _CHUNK):
        block = flat[start : start + _CHUNK].to(torch.float64)
        block = torch.nan_to_num(block, nan=1.2345e-7, posinf=1e300, neginf=-1e300)
        pos = torch.arange(start, start + block.numel(), dtype=torch.float64,
                           device=block.device).remainder_(1_000_003).add_(1)
        total += float(block.sum())
        squares += float((block * block).sum())
        weighted += float((block * pos).sum())
    return total, squares, weighted


def _same(a: Any, b: Any) -> bool:
    """Equal values, NaN equal to NaN (model outputs may hold NaN; that is no mutation)."""
    import torch

    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if torch.equal(a, b):  # the usual answer, without temporaries
        return True
    if a.is_floating_point() or a.is_complex():
        return bool(((a == b) | (torch.isnan(a) & torch.isnan(b))).all())
    return False


class _Handover:
    """Copies of the arguments for the component, and the means to check the originals."""

    def __init__(self, args: tuple[Any, ...]):
        import torch

        self.args: list[Any] = []
        self.checks: list[tuple[str, Any, Any, Any]] = []  # (name, original, copy, checksum)
        for i, arg in enumerate(args):
            copies: dict[str, Any] = {}
            for name, t in _named_tensors(arg, f"argument {i + 1}"):
                if t.numel() * t.element_size() <= COPY_LIMIT:
                    # clone() stays in the autograd graph: gradients through a defense's
                    # transform still reach the attack's input
                    copy = t.clone()
                    copies[name.rpartition(".")[2]] = copy
                    self.checks.append((name, t, copy, None))
                else:
                    self.checks.append((name, t, None, checksum(t)))
            if isinstance(arg, torch.Tensor):
                self.args.append(next(iter(copies.values()), arg))
            elif copies:
                self.args.append(dataclasses.replace(arg, **copies))
            else:
                self.args.append(arg)

    def changed(self) -> list[str]:
        out = []
        for name, original, copy, before in self.checks:
            if copy is not None:
                if not _same(copy.detach(), original.detach()):
                    out.append(name)
            elif checksum(original) != before:
                out.append(name)
        return out


def call(r: Any, what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` for the component resolved as ``r``, on copies of the tensor arguments.

    :raises PluginError: the component raised (naming it and what it was doing), or changed
        one of its input tensors in place.
    """
    handover = _Handover(args)
    try:
        result = fn(*handover.args)
    except RobustkitError:
        raise  # already names what is wrong
    except Exception as exc:
        raise PluginError(
            f"{_owner(r)} failed while {what}: {type(exc).__name__}: {exc}. Fix or update "
            f"that plugin, or leave '{r.spec.name}' out of the config"
        ) from exc
    changed = handover.changed()
    if changed:
        raise PluginError(
            f"{_owner(r)} changed its input ({', '.join(changed)}) in place while {what}; the "
            "numbers computed after it would be wrong. Fix the plugin: work on new tensors "
            "(x = x + noise, or x = x.clone() before in-place operations)"
        )
    return result


def transform(r: Any, fn: Callable[[Any], Any], x: Any) -> Any:
    """An input-transform defense's ``transform(x)``, guarded like :func:`call`; the result
    must keep the input's shape (else the model fails later, blaming no one)."""
    out = call(r, "transforming inputs", fn, x)
    shape = getattr(out, "shape", None)
    if shape is None or tuple(shape) != tuple(x.shape):
        got = tuple(shape) if shape is not None else type(out).__name__
        raise PluginError(
            f"{_owner(r)} turned inputs of shape {tuple(x.shape)} into {got}; an input "
            "transform must keep the shape. Fix the plugin, or check its params (e.g. a "
            "window size the implementation does not support)"
        )
    return out


def check_dtype(r: Any, out: Any, original: Any, what: str) -> None:
    """A perturbation's output must keep its input's dtype (float images stay float)."""
    import torch

    if isinstance(out, torch.Tensor) and out.dtype != original.dtype:
        raise PluginError(
            f"{_owner(r)} returned {what} of dtype {str(out.dtype).removeprefix('torch.')} for "
            f"inputs of dtype {str(original.dtype).removeprefix('torch.')}; the model needs "
            f"the input's dtype. Fix the plugin: return the result .to(x.dtype)"
        )


def _not_a_number(r: Any, exc: NotANumber, name: str, label: str) -> str:
    if exc.several:
        return (f"{_owner(r)} returned {exc.what} as '{name}' for {label}; a metric value is one "
                "number. Fix the plugin: reduce it (e.g. .mean()) or return a dict of named "
                "numbers")
    return (f"{_owner(r)} returned {exc.what} as '{name}' for {label}; a metric value must be "
            "a number (or None). Fix the plugin's compute()")


def metric_values(r: Any, value: Any, label: str) -> list[tuple[str, float | None]]:
    """``(stored metric name, value)`` pairs for what metric ``r`` returned under ``label``,
    read by :func:`robustkit.adapters.metric_number` (as the contract tests read them)."""
    name = r.spec.name
    items = value.items() if isinstance(value, dict) else [(None, value)]
    out = []
    for sub, v in items:
        full = name if sub is None else f"{name}.{sub}"
        try:
            out.append((full, metric_number(v)))
        except NotANumber as exc:
            raise PluginError(_not_a_number(r, exc, full, label)) from None
    return out


class ModelWatch:
    """Whether a white-box perturbation left the model as it found it: same weights and
    buffers (checksummed), still in eval mode. An attack that trains the model, or leaves it
    in training mode (batch-norm statistics then drift), would change every later number."""

    def __init__(self, model: Any):
        self.model = model
        self.before = self._state()

    def _state(self) -> list[tuple[float, float, float]]:
        import torch

        with torch.no_grad():
            return [checksum(t) for t in self.model.state_dict().values()
                    if isinstance(t, torch.Tensor)]

    def check(self, r: Any) -> None:
        if self.model.training:
            raise PluginError(
                f"{_owner(r)} left the model in training mode; later evaluations would use "
                "batch statistics. Fix the plugin: do not call model.train() (the model it "
                "receives is in eval mode and gradients flow without it)"
            )
        if self._state() != self.before:
            raise PluginError(
                f"{_owner(r)} changed the model's weights or buffers; every later number of "
                "the run would measure another model. Fix the plugin: attack the inputs only "
                "(torch.autograd.grad(loss, x), no optimizer step on the model)"
            )
