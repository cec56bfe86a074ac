"""Rule families; importing this package registers every rule (see ``Rule.__init_subclass__``)."""

from nb2prod.linter.rules import (  # noqa: F401
    dependencies,
    environment,
    execution,
    hidden_state,
    installs,
    interactive,
    missing_names,
    network,
    notebook,
    paths,
    removed_api,
    reproducibility,
    secrets,
    soft_dependencies,
    structure,
)
