"""Required settings: runtime parameters whose notebook value is a credential.

Such a parameter becomes a setting the package reads from an environment variable named
after it (``service_key`` -> ``SERVICE_KEY``) whenever ``predict`` is not given it; its
value is never written.  Everything nb2prod runs to check the package (the notebook's
capture run, the run-time probe, verification, the generated tests, ``--log-model``) uses
the placeholder below instead, so the real value never reaches a child process, a file
or the console, and the captured answers are those the placeholder gives.
"""

from __future__ import annotations

from collections.abc import Mapping


def variable_for(name: str) -> str:
    """The environment variable a setting is read from: its name in upper case."""
    return name.upper()


def placeholder(variable: str) -> str:
    """The stand-in value checks use; recognisably not a credential."""
    return f"placeholder-for-{variable}"


def placeholder_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """{variable: placeholder} for ``settings`` ({parameter: variable})."""
    return {variable: placeholder(variable) for variable in settings.values()}


def placeholder_values(settings: Mapping[str, str]) -> dict[str, str]:
    """{parameter: placeholder}: what the capture run binds after the parameters cell."""
    return {name: placeholder(variable) for name, variable in settings.items()}


def shown(name: str, settings: Mapping[str, str]) -> str:
    """How a setting appears on the console and in files: ``<from $SERVICE_KEY>``."""
    return f"<from ${settings[name]}>"
