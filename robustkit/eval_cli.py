"""``robustkit eval MODEL --data FILE --attack pgd --eps 8/255``: evaluate a model file in one
line, print the usual table and store the run (the pipeline a config would build)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from robustkit.errors import ConfigError


def parse_number(text: str) -> float | int:
    """``8/255``, ``0.03``, ``1e-2`` or ``20``; a fraction is exact before it becomes a float."""
    text = text.strip()
    try:
        if "/" in text:
            return float(Fraction(text))
        value = float(text)
    except (ValueError, ZeroDivisionError):
        raise ConfigError(f"{text!r} is not a number (use e.g. 8/255 or 0.031)") from None
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() \
        else value


def _value(text: str) -> Any:
    try:
        return parse_number(text)
    except ConfigError:
        return {"true": True, "false": False}.get(text.lower(), text)


def parse_attack(text: str) -> dict[str, Any]:
    """``pgd`` or ``pgd:steps=20,eps=8/255`` -> a component entry."""
    name, _, rest = text.partition(":")
    entry: dict[str, Any] = {"name": name.strip()}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise ConfigError(f"--attack {text!r}: write params as key=value, e.g. pgd:steps=20")
        entry[key.strip()] = _value(value)
    return entry


def with_eps(entries: list[dict[str, Any]], eps: list[float], registry: Any) -> list[dict]:
    """Give every attack that has an ``eps`` param the ``--eps`` values (several values make
    a strength list, one row each)."""
    from robustkit.components import Kind

    if not eps:
        return entries
    out, used = [], False
    for entry in entries:
        spec = registry.get(Kind.PERTURBATION, entry["name"])
        if "eps" in spec.params.model_fields and "eps" not in entry:
            if len(eps) > 1 and spec.strength != "eps":
                raise ConfigError(f"'{spec.name}' takes one eps (its strength is "
                                  f"{spec.strength}); give one --eps or set it inline")
            entry = {**entry, "eps": eps if len(eps) > 1 else eps[0]}
            used = True
        out.append(entry)
    if not used:
        raise ConfigError("--eps was given but no --attack takes an eps param")
    return out


def _floats(text: str | None, what: str) -> list[float] | None:
    if text is None:
        return None
    return [float(parse_number(p)) for p in text.split(",") if p.strip()] or None


@click.command("eval")
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--data", "data", required=True, type=click.Path(path_type=Path),
              help="test split: .npz, .pt (tensors only) or .safetensors")
@click.option("--attack", "attacks", multiple=True, metavar="NAME[:k=v,...]",
              help="a perturbation, repeatable; params inline, e.g. pgd:steps=20")
@click.option("--eps", "eps", multiple=True, metavar="E",
              help="ε for every attack with an eps param (fractions like 8/255); repeat for "
                   "a robustness curve")
@click.option("--metric", "metrics", multiple=True, help="default: accuracy")
@click.option("--factory", default=None, metavar="MODULE:CALLABLE",
              help="builds the model a state dict (.pt, .safetensors) is loaded into")
@click.option("--factory-kwargs", default=None, metavar="JSON", help="factory arguments")
@click.option("--mean", default=None, help="preprocessing mean per channel, e.g. 0.49,0.48,0.45")
@click.option("--std", default=None, help="preprocessing std per channel")
@click.option("--x-key", default="x", show_default=True, help="inputs' key in the data file")
@click.option("--y-key", default="y", show_default=True, help="labels' key in the data file")
@click.option("--bounds", default="0,1", show_default=True, help="interval of the inputs")
@click.option("--num-classes", type=int, default=None, help="default: largest label + 1")
@click.option("--samples", type=int, default=None, help="evaluate the first N samples only")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="results database [default: robustkit-results/results.db]")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
def eval_command(model: Path, data: Path, attacks: tuple[str, ...], eps: tuple[str, ...],
                 metrics: tuple[str, ...], factory: str | None, factory_kwargs: str | None,
                 mean: str | None, std: str | None, x_key: str, y_key: str, bounds: str,
                 num_classes: int | None, samples: int | None, seed: int, store: Path | None,
                 as_json: bool) -> None:
    """Evaluate a trained MODEL file (.pt2, TorchScript, state dict + --factory, .onnx) on a
    test split under attacks; print the table and store the run."""
    from robustkit.config import Pipeline
    from robustkit.evaluation import model_ref
    from robustkit.plugins import get_registry
    from robustkit.run_output import print_table, run_with_progress

    file_params: dict[str, Any] = {}
    if factory:
        file_params["factory"] = factory
    if factory_kwargs:
        try:
            file_params["factory_kwargs"] = json.loads(factory_kwargs)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"--factory-kwargs is not JSON ({exc.msg}): {factory_kwargs}"
                              ) from None
    pre = None
    if mean is not None or std is not None:
        if mean is None or std is None:
            raise ConfigError("give --mean and --std together")
        pre = {"mean": _floats(mean, "--mean"), "std": _floats(std, "--std")}
    lo_hi = _floats(bounds, "--bounds") or []
    if len(lo_hi) != 2:
        raise ConfigError(f"--bounds takes two numbers, low,high; got {bounds!r}")
    ndim = _data_dims(data, x_key)
    dataset = {"name": {2: "vector-data-file", 3: "sequence-data-file"}.get(ndim, "data-file"),
               "path": str(data), "x_key": x_key, "y_key": y_key, "bounds": lo_hi}
    if num_classes is not None:
        dataset["num_classes"] = num_classes
    entries = [parse_attack(a) for a in attacks]
    entries = with_eps(entries, [float(parse_number(e)) for e in eps], get_registry())
    pipeline = Pipeline(
        name=f"eval {model.name}", model=model_ref(model, pre, **file_params), dataset=dataset,
        perturbations=entries, metrics=list(metrics) or ["accuracy"], eval_samples=samples,
        seed=seed)
    result = run_with_progress(pipeline, store, quiet=as_json)
    if as_json:
        click.echo(json.dumps({"run_id": result.run_id, "table": result.table(),
                               "provenance": result.config.get("provenance")}, indent=2))
        return
    print_table(result.run_id, result.rows, result.timings, str(result.store_path))


def _data_dims(path: Path, key: str) -> int | None:
    """How many dimensions the inputs have (to pick image, vector or sequence data), read
    from the .npz header without loading the arrays; None when it cannot tell cheaply."""
    if path.suffix.lower() != ".npz" or not path.is_file():
        return None
    import zipfile

    import numpy as np

    try:
        with zipfile.ZipFile(path) as zf, zf.open(f"{key}.npy") as fh:
            version = np.lib.format.read_magic(fh)
            shape, _, _ = np.lib.format._read_array_header(fh, version)  # noqa: SLF001
    except Exception:
        return None  # the data set reports the problem, naming the file
    return len(shape)
