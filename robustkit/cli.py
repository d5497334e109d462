"""The ``robustkit`` command. ``plugins``, ``list`` and ``describe`` never import torch."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from robustkit import overrides
from robustkit.cli_common import console as _console
from robustkit.cli_common import store_option
from robustkit.components import Kind
from robustkit.config import DEFAULT_STORE
from robustkit.errors import RobustkitError
from robustkit.run_output import print_table as _print_table
from robustkit.run_output import run_with_progress as _run_with_progress


def _fail(exc: Exception) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


class _Group(click.Group):
    """Prints RobustkitError as one clear message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from robustkit.lifecycle import Interrupted

        try:
            return super().invoke(ctx)
        except RobustkitError as exc:
            _fail(exc)
        except Interrupted as exc:
            click.echo(f"error: {exc}; the run is stored as interrupted", err=True)
            sys.exit(128 + exc.signum)




@click.group(cls=_Group)
@click.version_option(package_name="robustkit")
def main() -> None:
    """Measure and improve the robustness of neural networks."""
    _plain_warnings()


def _plain_warnings() -> None:
    """A RobustkitWarning is printed as one ``warning: ...`` line, not with a source line."""
    import warnings

    from robustkit.errors import RobustkitWarning

    default = warnings.formatwarning

    def fmt(message, category, *args, **kwargs):  # type: ignore[no-untyped-def]
        if issubclass(category, RobustkitWarning):
            return f"warning: {message}\n"
        return default(message, category, *args, **kwargs)

    warnings.formatwarning = fmt


@main.command()
def plugins() -> None:
    """Installed plugins: distribution, version, components per kind, load errors."""
    from rich.markup import escape
    from rich.table import Table

    from robustkit.plugins import get_registry

    registry = get_registry()
    table = Table(title="robustkit plugins")
    for col in ("plugin", "distribution", "version", "components", "status"):
        table.add_column(col, overflow="fold")
    for rec in sorted(registry.plugins.values(), key=lambda r: r.name):
        parts = [f"{len(rec.components[k])} {k.plural if len(rec.components[k]) > 1 else k.value}"
                 for k in Kind if rec.components.get(k)]
        if rec.ok:
            status = "[green]ok[/green]"
            if rec.problems or rec.warnings:
                status = "[yellow]" + escape("; ".join(rec.problems + rec.warnings)) + "[/yellow]"
        else:
            status = f"[red]failed: {escape(rec.error or '')}[/red]"
        table.add_row(rec.name, rec.distribution or "-", rec.version or "-",
                      ", ".join(parts) or "-", status)
    console = _console()
    if not registry.plugins:
        console.print("No robustkit plugins are installed. Install one, e.g. "
                      "`pip install -e plugins/robustkit-datasets`.")
        return
    console.print(table)
    _print_clashes(console, registry)


def _print_clashes(console: Any, registry: Any) -> None:
    """Every name two distributions register: an error until the user picks one."""
    from rich.markup import escape

    for (kind, name), same in registry.clashes().items():
        console.print("[red]error: " + escape(registry.clash_message(kind, name, same))
                      + "[/red]")


@main.command(name="list")
@click.argument("kind", required=False)
@click.option("--plain", "fmt", flag_value="plain",
              help="one tab-separated line per component: kind, name, tasks, plugin, summary")
@click.option("--json", "fmt", flag_value="json", help="print the components as JSON")
def list_(kind: str | None, fmt: str | None) -> None:
    """Components of every kind, or of KIND (datasets, models, perturbations, ...).
    Names are never truncated; --plain and --json are for scripts."""
    from robustkit.cli_list import print_specs
    from robustkit.plugins import get_registry

    try:
        kinds = [Kind.parse(kind)] if kind else list(Kind)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="KIND") from None
    registry = get_registry()
    clashing = set(registry.clashes())

    def name_of(s: Any) -> str:
        # a name two distributions register is shown as distribution:name, to be picked
        return f"{s.qualified_name} (clash)" if (s.kind, s.name) in clashing else s.name

    groups = [(k, registry.specs(k)) for k in kinds if registry.specs(k) or kind is not None]
    console = _console()
    print_specs(console, groups, _details, fmt or "table", name_of)
    if not fmt:
        _print_clashes(console, registry)


def _details(spec: Any) -> str:
    if spec.kind is Kind.PERTURBATION:
        text = f"needs {spec.needs.value}; changes {', '.join(t.value for t in spec.targets)}"
        return text + (f"; strength {spec.strength}" if spec.strength else "")
    if spec.kind is Kind.DEFENSE:
        return spec.form.value + ("" if spec.differentiable else ", not differentiable")
    if spec.kind in (Kind.MODEL, Kind.DATASET):
        return ", ".join(m.value for m in spec.modalities)
    if spec.kind is Kind.METRIC:
        return "higher is better" if spec.higher_is_better else "lower is better"
    return ""


@main.command()
@click.argument("name")
def describe(name: str) -> None:
    """A component's parameters: type, default, bounds, description."""
    from rich.table import Table

    from robustkit.plugins import get_registry
    from robustkit.registry import describe_bounds

    registry = get_registry()
    specs = registry.find(name)
    if not specs:
        import difflib

        names = sorted({s.name for s in registry})
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise RobustkitError(f"no component named '{name}'.{hint} `robustkit list` shows all.")
    console = _console()
    clash = len({(s.kind, s.name) for s in specs}) < len(specs)
    if clash:
        console.print(f"[red]error: '{name}' names {len(specs)} components of different "
                      "distributions; name one as " + " or ".join(
                          f"'{s.qualified_name}'" for s in specs) + "[/red]")
    for s in specs:
        title = s.qualified_name if clash else s.name
        console.print(f"[bold]{title}[/bold] ({s.kind.value}, plugin {s.plugin}): {s.summary}")
        console.print(f"tasks: {', '.join(t.value for t in s.tasks)}; {_details(s)}")
        props = s.params.model_json_schema().get("properties", {})
        table = Table()
        for col in ("param", "type", "default", "allowed", "description"):
            table.add_column(col)
        for field, info in s.params.model_fields.items():
            prop = props.get(field, {})
            default = "required" if info.is_required() else repr(info.default)
            table.add_row(field, _type_name(prop), default, describe_bounds(prop),
                          info.description or "")
        console.print(table if s.params.model_fields else "(no parameters)")


def _type_name(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:
        return " | ".join(_type_name(p) for p in prop["anyOf"])
    if "enum" in prop:
        return "choice"
    return str(prop.get("type", "any"))


@main.command()
@click.argument("config", required=False, type=click.Path(path_type=Path))
@store_option
@click.option("--seed", type=int, default=None, help="override the config's seed")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
def run(config: Path | None, store: Path | None, seed: int | None, as_json: bool) -> None:
    """Run a pipeline from CONFIG (TOML, JSON or YAML); with none, the default pipeline."""
    from robustkit.config import default_pipeline, load_pipeline

    pipeline = load_pipeline(config) if config else default_pipeline()
    if seed is not None:
        pipeline = overrides.apply(pipeline, {"seed": seed}, "pipeline")
    result = _run_with_progress(pipeline, store, quiet=as_json)
    if as_json:
        click.echo(json.dumps({"run_id": result.run_id, "table": result.table(),
                               "timings": result.timings,
                               "flags": [f.as_dict() for f in result.flags],
                               "escalations": [e.as_dict() for e in result.escalations]},
                              indent=2))
        return
    _print_table(result.run_id, result.rows, result.timings, str(result.store_path),
                 [e.as_dict() for e in result.escalations])
    _print_flags([f.as_dict() for f in result.flags])


def _print_flags(flags: list[dict[str, str]]) -> None:
    """The integrity flags under the table: a number with a flag is not to be trusted."""
    from rich.markup import escape

    if not flags:
        return
    console = _console()
    console.print(f"[yellow]{len(flags)} integrity flag(s): these numbers are doubtful "
                  "(docs/integrity.md)[/yellow]")
    for f in flags:
        console.print(f"  [yellow]⚠[/yellow] {escape(f['label'])} {escape(f['check'])}: "
                      f"{escape(f['message'])}", highlight=False)


@main.command()
@store_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="newest N runs")
def runs(store: Path | None, limit: int) -> None:
    """Runs in the results store, newest first."""
    import datetime as dt

    from rich.table import Table

    from robustkit.store import Store

    path = store or DEFAULT_STORE
    if not path.exists():
        raise RobustkitError(f"no results store at {path}; run `robustkit run` first")
    with Store(path) as db:
        table = Table(title=str(path))
        table.add_column("run", no_wrap=True)  # ids must stay whole to be copied
        for col in ("name", "created", "status", "seed", "dataset", "model"):
            table.add_column(col, overflow="fold")
        for r in db.runs(limit):
            cfg = r["config"]
            table.add_row(r["id"], r["name"] or "-",
                          dt.datetime.fromtimestamp(r["created"]).strftime("%m-%d %H:%M"),
                          r["status"], str(r["seed"]), str(cfg.get("dataset", {}).get("name")),
                          str(cfg.get("model", {}).get("name")))
        _console().print(table)


@main.command()
@click.argument("run_id")
@store_option
@click.option("--json", "as_json", is_flag=True, help="print the run as JSON")
def show(run_id: str, store: Path | None, as_json: bool) -> None:
    """One run: config, versions, timings and metric table."""
    from robustkit.store import Store

    path = store or DEFAULT_STORE
    if not path.exists():
        raise RobustkitError(f"no results store at {path}; run `robustkit run` first")
    with Store(path) as db:
        run = db.run(run_id)
        rows = db.metrics(run["id"])
        flags = db.flags(run["id"])
        escalations = db.escalations(run["id"])
    if as_json:
        run["metrics"] = [r.as_dict() for r in rows]
        run["flags"] = flags
        run["escalations"] = escalations
        click.echo(json.dumps(run, indent=2, default=str))
        return
    console = _console()
    console.print(f"[bold]run {run['id']}[/bold]  status {run['status']}  seed {run['seed']}  "
                  f"kernel {run['kernel_version']}")
    console.print("plugins: " + ", ".join(
        f"{p} {v.get('version') or ''}".strip() for p, v in run["plugins"].items()))
    console.print_json(json.dumps(run["config"]))
    if run.get("error"):
        from rich.markup import escape

        console.print(f"[red]{escape(run['error'])}[/red]")
    _print_table(run["id"], rows, run.get("timings") or {}, str(path), escalations)
    _print_flags(flags)


@main.command("new-plugin")
@click.argument("name")
@click.option("--kind", required=True,
              type=click.Choice(["defense", "perturbation", "model", "dataset", "metric"]),
              help="the kind of component the example implements")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="where to create robustkit-NAME/")
@click.option("--force", is_flag=True, help="overwrite files in an existing folder")
def new_plugin(name: str, kind: str, directory: Path, force: bool) -> None:
    """Write a ready plugin package robustkit-NAME: pyproject.toml with the entry point, a
    working example KIND, its tests (contract tests included) and a README."""
    from robustkit.scaffold import plugin_names, write_plugin

    root = write_plugin(name, kind, directory, force=force)
    n = plugin_names(name)
    click.echo(f"created {root} ({kind} '{n.name}', package {n.package})\nnext:\n"
               f"  cd {root}\n  pip install -e '.[test]'\n  pytest\n"
               f"  robustkit plugins    # lists {n.name}")


from robustkit.cli_sweep import report, sweep, sweeps  # noqa: E402
from robustkit.eval_cli import eval_command  # noqa: E402

for _command in (sweep, sweeps, report, eval_command):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
