"""A pipeline run in stages — data → train → defend → evaluate, with the check stage observing
evaluations — over one :class:`RunContext` (see docs/pipeline-stages.md)."""

from robustkit.stages.context import EvaluationDone, EvaluationObserver, RunContext, RunWriter
from robustkit.stages.runner import run_plan

__all__ = ["EvaluationDone", "EvaluationObserver", "RunContext", "RunWriter", "run_plan"]
