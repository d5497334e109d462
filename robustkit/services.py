"""Services the kernel offers to components while they run.

``ctx.build(kind, ref)`` on a :class:`robustkit.DefenseContext` builds another named component
(the attack inside adversarial training, a teacher model) exactly as a config entry would be:
resolved in the registry the pipeline uses, by bare name or ``distribution:name``, with its
params validated, so a plugin needs no private route into the registry or another plugin.
"""

from __future__ import annotations

from typing import Any

from robustkit.components import DataInfo, Kind
from robustkit.errors import IncompatibleError


def build_component(registry: Any, kind: Kind | str, ref: Any, info: DataInfo | None = None
                    ) -> Any:
    """The component object ``ref`` names (a name, ``{"name": ..., "params": {...}}`` or a
    :class:`robustkit.ComponentRef`).

    :param registry: where to resolve it; ``None``: the process-wide registry.
    :param info: the data it will see; a model that does not accept its modality, or a
        component that does not serve its task, is refused with IncompatibleError.
    :raises UnknownComponentError: no such component, or a name two distributions clash on.
    :raises ParamsError: the params do not validate.
    """
    from robustkit.config import ComponentRef

    if registry is None:
        from robustkit.plugins import get_registry

        registry = get_registry()
    kind = kind if isinstance(kind, Kind) else Kind.parse(kind)
    ref = ref if isinstance(ref, ComponentRef) else ComponentRef.model_validate(ref)
    spec = registry.get(kind, ref.name)
    if info is not None:
        if info.task not in spec.tasks:
            raise IncompatibleError(f"{spec.label} does not serve {info.task.value} data")
        if kind is Kind.MODEL and info.modality not in spec.modalities:
            raise IncompatibleError(f"{spec.label} does not accept {info.modality.value} "
                                    "inputs")
    return spec.build(ref.params)
