"""The model registry of the resolved tracking store: versions and the ``champion`` alias.

MLflow's registry stages are deprecated in favour of aliases, so nb2prod only ever moves
the ``champion`` alias (``models:/NAME@champion``).  The registry needs a database store
(the embedded ``sqlite:///…/.nb2prod/mlflow.db`` is one) or a tracking server; MLflow's
``file:`` store is in maintenance mode and refuses to open by default, so it is refused
here, before any work is done.  Every call goes through ``TrackingStore.call``: a store
that cannot be reached is an EnvironmentProblem (exit 3), as for runs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.credentials import redact_text
from nb2prod.errors import UsageError
from nb2prod.tracking.context import NOTEBOOK_TAG
from nb2prod.tracking.store import TrackingRejected, TrackingStore

CHAMPION = "champion"
#: The tags of the run that logged a model that its registered version carries too.
RUN_TAGS = (NOTEBOOK_TAG, "nb2prod.git_commit", "nb2prod.git_dirty", "nb2prod.version")
RUN_ID_TAG = "nb2prod.run_id"
#: Characters that would make ``models:/NAME/VERSION`` or ``models:/NAME@ALIAS`` ambiguous.
_BAD_NAME = re.compile(r"[/@:\\]|^\s|\s$")


class NoRegistry(UsageError):
    """The resolved store has no model registry nb2prod can use."""


def check_registry(uri: str) -> None:
    """Refuse a store without a usable registry (a ``file:`` store or a bare folder)."""
    # MLflow reads any URI without "://" (but "databricks…") as a folder of its file store
    folder = uri.startswith("file:") or ("://" not in uri and not uri.startswith("databricks"))
    if folder:
        raise NoRegistry(
            f"the tracking store {redact_text(uri)} is a folder, which has no model registry",
            "use a database store (sqlite:///PATH/mlflow.db, nb2prod's default) or a "
            "tracking server, with --tracking-uri, MLFLOW_TRACKING_URI or [tool.nb2prod] "
            "tracking_uri",
        )


def check_model_name(name: str) -> None:
    if not name or _BAD_NAME.search(name):
        raise UsageError(
            f"{name!r} cannot be a registered model's name",
            "use letters, digits, '-', '_' or '.', without '/', '@', ':' or surrounding blanks",
        )


@dataclass
class Version:
    """One registered version of a model."""

    name: str
    version: str
    run_id: str | None = None
    source: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    created: int | None = None  # ms since the epoch

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"

    @classmethod
    def of(cls, found: Any) -> Version:
        return cls(
            name=found.name,
            version=str(found.version),
            run_id=found.run_id or None,
            source=found.source or "",
            tags=dict(found.tags or {}),
            aliases=list(getattr(found, "aliases", None) or []),
            created=getattr(found, "creation_timestamp", None),
        )


@dataclass
class NotebookModel:
    """A registered model with the versions of it that one notebook's exports made."""

    name: str
    aliases: dict[str, str]  # alias -> version, of the whole model
    versions: list[Version]  # newest first


class Registry:
    """The registry of the store at ``store.uri`` (its registry URI is its tracking URI)."""

    def __init__(self, store: TrackingStore) -> None:
        check_registry(store.uri)
        self.store = store

    @classmethod
    def open(cls, tracking_uri: str | None, start: str | os.PathLike) -> Registry:
        """The registry of the store resolved for work on ``start`` (ARCHITECTURE)."""
        from nb2prod.tracking.store import open_store

        return cls(open_store(tracking_uri, Path(start)))

    @property
    def where(self) -> str:
        return redact_text(self.store.uri)

    def register(self, name: str, model_uri: str, run_id: str) -> Version:
        """A new version of ``name`` (created when missing) for the model ``model_uri``
        logged by run ``run_id``, tagged with the run's notebook, commit and id."""
        from nb2prod.scoring.model import tracking_env

        check_model_name(name)

        def action(client):
            try:
                client.create_registered_model(name)
            except Exception as exc:  # another export registered it first: fine
                if getattr(exc, "error_code", None) != "RESOURCE_ALREADY_EXISTS":
                    raise
            run_tags = client.get_run(run_id).data.tags
            tags = {k: run_tags[k] for k in RUN_TAGS if run_tags.get(k) not in (None, "", "None")}
            tags[RUN_ID_TAG] = run_id
            found = client.create_model_version(name, model_uri, run_id=run_id, tags=tags)
            client.set_tag(run_id, "nb2prod.registered_as", f"{name}/{found.version}")
            return found

        # MLflow resolves a logged model's models:/m-… URI through its global tracking URI
        with tracking_env(self.store.uri):
            return Version.of(self.store.call(action))

    def versions(self, name: str) -> list[Version]:
        """Every version of ``name``, oldest first; UsageError when there is no such model."""
        self._model(name)
        quoted = name.replace("'", "\\'")
        found = self.store.call(lambda c: c.search_model_versions(f"name = '{quoted}'"))
        return sorted((Version.of(v) for v in found), key=lambda v: int(v.version))

    def version(self, name: str, version: str | int) -> Version:
        """Version ``version`` of ``name``; UsageError naming the versions there are."""
        text = str(version).strip()
        if not text.isdigit():
            raise UsageError(f"{version!r} is not a version number", "versions are 1, 2, 3, …")
        known = self.versions(name)
        for found in known:
            if found.version == text:
                return found
        there = ", ".join(v.version for v in known) or "none"
        raise UsageError(f"{name} has no version {text} in {self.where} (versions: {there})")

    def resolve(self, model_uri: str) -> Version:
        """The version ``models:/NAME/VERSION``, ``models:/NAME@ALIAS`` or
        ``models:/NAME/latest`` names now; UsageError when it names none."""
        rest = model_uri.removeprefix("models:/")
        name, at, alias = rest.partition("@")
        if at:
            version = (self._model(name).aliases or {}).get(alias)
            if version is None:
                raise UsageError(f"{name} has no alias @{alias} in {self.where}")
            return self.version(name, version)
        name, _, version = rest.partition("/")
        if version == "latest":
            known = self.versions(name)
            if not known:
                raise UsageError(f"{name} has no registered version in {self.where}")
            return known[-1]
        return self.version(name, version)

    def versions_of_notebook(self, label: str) -> list[NotebookModel]:
        """The registered versions whose ``nb2prod.notebook`` tag is ``label`` (the
        notebook's ``notebook_label``), grouped by model: models by name, versions newest
        first, each with the aliases that point at it."""
        quoted = label.replace("\\", "\\\\").replace("'", "\\'")
        where = f"tags.`{NOTEBOOK_TAG}` = '{quoted}'"

        def search(client) -> list[Any]:
            found: list[Any] = []
            token = None
            while True:
                page = client.search_model_versions(where, page_token=token)
                found += list(page)
                token = getattr(page, "token", None)
                if not token:
                    return found

        grouped: dict[str, list[Version]] = {}
        for found in self.store.call(search):
            grouped.setdefault(found.name, []).append(Version.of(found))
        models = []
        for name in sorted(grouped):
            try:
                aliases = dict(self._model(name).aliases or {})
            except UsageError:  # deleted since the search
                continue
            versions = sorted(grouped[name], key=lambda v: int(v.version), reverse=True)
            for version in versions:
                version.aliases = sorted(a for a, v in aliases.items() if str(v) == version.version)
            models.append(NotebookModel(name, {a: str(v) for a, v in aliases.items()}, versions))
        return models

    def champion(self, name: str) -> Version | None:
        """The version the ``champion`` alias points at, None when it points nowhere."""
        aliases = self._model(name).aliases or {}
        version = aliases.get(CHAMPION)
        return None if version is None else self.version(name, version)

    def set_champion(self, name: str, version: str) -> None:
        self.store.call(lambda c: c.set_registered_model_alias(name, CHAMPION, version))

    def _model(self, name: str) -> Any:
        check_model_name(name)
        try:
            return self.store.call(lambda c: c.get_registered_model(name))
        except TrackingRejected:
            raise UsageError(
                f"no registered model {name} in {self.where}",
                "register a version with nb2prod export NOTEBOOK --register NAME",
            ) from None


def register_logged(logged: dict[str, str], name: str, registry: Registry) -> Version:
    """Register what ``--log-model`` logged (``Scorecard.logged``) as a version of ``name``."""
    if not logged:
        raise UsageError("nothing was logged to register", "export with --register NAME")
    return registry.register(name, logged["model_uri"], logged["run_id"])


def check_register(name: str, tracking_uri: str | None, notebook: Path) -> None:
    """Refuse, before the notebook runs, a registration that cannot happen: a bad ``name``,
    or a store without a registry (the one ``notebook``'s model is logged to, ``model_store``)."""
    from nb2prod.exporter.mlflow_log import model_store

    check_model_name(name)
    check_registry(model_store(tracking_uri, notebook).uri)


def register_export(
    logged: dict[str, str], name: str, tracking_uri: str | None, notebook: Path
) -> Version:
    """Register what the export of ``notebook`` logged (``Scorecard.logged``) as a new version
    of ``name``, in the store it was logged to (``model_store``)."""
    from nb2prod.exporter.mlflow_log import model_store

    return register_logged(logged, name, Registry(model_store(tracking_uri, notebook)))
