"""Build parameters given a value at export (``-p NAME VALUE``, ``--from-run``): the notebook
runs with those values, and the package, its artifacts and provenance.json are those of
the values used.

The plan keeps the parameters cell's defaults; :func:`with_build_values` gives a copy of it
whose defaults are the values used, so everything downstream (the constants rendered, the
artifact a parameter names, provenance, the summary) sees one value.  Runtime parameters
given with ``-p`` stay extra cases to verify, as before.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nb2prod.errors import UsageError
from nb2prod.exporter.plan import ExportPlan, is_secret_value
from nb2prod.parameters import coerce


def split_params(plan: ExportPlan, given: dict[str, Any]) -> tuple[dict, dict]:
    """``-p`` values typed like the parameters cell's defaults: (runtime, build)."""
    runtime, build = {}, {}
    for name, text in given.items():
        if name not in plan.specs:
            raise UsageError(
                f"-p {name}: the notebook has no parameter `{name}`",
                f"parameters: {', '.join(plan.specs) or 'none'}",
            )
        refuse_setting(plan, name, f"-p {name}")
        value = coerce(plan.specs[name], text, f"-p {name} {text}")
        refuse_secret(name, value, f"-p {name}")
        if name in plan.runtime_params:
            runtime[name] = value
        else:
            build[name] = value
    return runtime, build


def is_secret(name: str, value: Any) -> bool:
    from nb2prod.credentials import is_secret_name

    return is_secret_name(name) or is_secret_value(name, value)


def refuse_secret(name: str, value: Any, given_as: str) -> None:
    """provenance.json records the build values used, and a runtime parameter's value
    becomes a case of the package's generated tests: both are published with it."""
    if is_secret(name, value):
        raise UsageError(
            f"{given_as}: `{name}` looks like a secret; a value given at export is written "
            "into the package (provenance.json, its generated tests)",
            "read the secret from the environment (os.environ) in the notebook instead",
        )


def refuse_setting(plan: ExportPlan, name: str, given_as: str) -> None:
    """A required setting is checked with a placeholder only: a value given for it would
    become a case of the generated tests, and it may be the credential itself."""
    if name in plan.settings:
        raise UsageError(
            f"{given_as}: `{name}` is a required setting the package reads from "
            f"${plan.settings[name]}; export and verify check it with a placeholder only",
            f"drop -p {name}",
        )


def with_build_values(plan: ExportPlan, values: dict[str, Any]) -> ExportPlan:
    """A copy of ``plan`` whose build parameters default to ``values``."""
    if not values:
        return plan
    parameters = [
        dataclasses.replace(spec, default=values[spec.name]) if spec.name in values else spec
        for spec in plan.parameters
    ]
    return dataclasses.replace(plan, parameters=parameters)


def assignments(values: dict[str, Any]) -> str:
    """The cell that binds ``values`` in the notebook's run, after its parameters cell."""
    return "\n".join(f"{name} = {value!r}" for name, value in values.items())
