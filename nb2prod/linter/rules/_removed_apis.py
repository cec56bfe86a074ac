"""The table of removed APIs for NB408 (``removed_apis.toml``, data the rule only reads)
and the indexes the rule looks names up in: one per set of imported distributions, so a
notebook that imports only NumPy is checked against NumPy's entries only.

Parsing the TOML takes about 10 ms, so the parsed table is kept as JSON in the user's cache
folder, under a name made of the file's path, size and modification time, and a process
reads that instead (a fraction of a millisecond).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nb2prod.user_cache import cache_file, cached_json

TABLE = Path(__file__).with_name("removed_apis.toml")
KINDS = ("name", "method", "keyword", "value", "positional", "result")
_DEFAULT_WHAT = {
    "name": "`{written}`",
    "method": "`.{name}()`",
    "keyword": "`{callee}({name}=...)`",
    "value": "`{callee}({name!r})`",
    "positional": "Positional arguments to `{callee}()`",
    "result": "What `{callee}()` returned",
}


class Distribution:
    __slots__ = ("name", "shown", "modules", "installs")

    def __init__(self, name: str, spec: Mapping[str, Any]):
        self.name = name
        self.shown: str = spec["shown"]
        self.modules: tuple[str, ...] = tuple(spec["modules"])
        #: Every distribution name that installs its modules (``tensorflow-cpu``, ...).
        self.installs: tuple[str, ...] = (name, *spec.get("also", ()))


class RemovedApi:
    """One entry of the table (see the comments at the top of ``removed_apis.toml``)."""

    __slots__ = (
        "id",
        "kind",
        "removed",
        "restored",
        "names",
        "instead",
        "what",
        "callees",
        "methods",
        "access",
        "receiver",
        "max_positional",
        "data_keyword",
        "argument",
        "source",
        "example",
        "fixed",
    )

    def __init__(self, spec: Mapping[str, Any]):
        self.id: str = spec["id"]
        self.kind: str = spec["kind"]
        self.removed: Mapping[str, str] = spec["removed"]
        self.restored: Mapping[str, str] = spec.get("restored", {})
        self.names: Mapping[str, str] = spec.get("names", {})
        self.instead: str = spec.get("instead", "")
        self.what: str = spec.get("what") or _DEFAULT_WHAT.get(self.kind, "")
        self.callees: frozenset[str] = frozenset(spec.get("callees", ()))
        self.methods: frozenset[str] = frozenset(spec.get("methods", ()))
        self.access: str = spec.get("access", "call")
        self.receiver: str = spec.get("receiver", "any")
        self.max_positional: int = spec.get("max_positional", 0)
        self.data_keyword: str | None = spec.get("data_keyword")
        #: Where a ``value`` is given: (position, keyword or None).
        argument = spec.get("argument", {})
        self.argument: tuple[int, str | None] = (
            argument.get("position", 0),
            argument.get("keyword"),
        )
        self.source: str = spec.get("source", "")
        self.example: str = spec.get("example", "")
        self.fixed: str = spec.get("fixed", "")

    def replacement(self, name: str) -> str:
        return self.names.get(name) or self.instead


class Table:
    """Entries and the indexes matching goes through."""

    def __init__(
        self,
        apis: list[RemovedApi],
        distributions: Mapping[str, Distribution],
        by_module: Mapping[str, str],
    ):
        self.apis = tuple(apis)
        self.distributions = distributions
        #: Import root (``sklearn``) -> distribution name (``scikit-learn``).
        self.by_module = by_module
        #: Qualified name (``numpy.float``) -> its entry (kind ``name``).
        self.names: dict[str, RemovedApi] = {}
        #: Attribute name -> entries of kind ``method`` used by subscript (``df.ix[...]``).
        self.subscripts: dict[str, list[RemovedApi]] = {}
        #: Last name of a callee or method (``read_csv``, ``drop``, ``iteritems``) -> the
        #: entries of the other kinds and of called methods.
        self.calls: dict[str, list[RemovedApi]] = {}
        #: Module (``talib.stream``) -> the entries whose callees are all its functions
        #: (``talib.stream.*``).
        self.module_calls: dict[str, list[RemovedApi]] = {}
        for api in self.apis:
            for callee in api.callees:
                if callee.endswith(".*"):
                    self.module_calls.setdefault(callee[:-2], []).append(api)
            if api.kind == "name":
                self.names.update(dict.fromkeys(api.names, api))
            elif api.kind == "method" and api.access == "subscript":
                for name in api.names:
                    self.subscripts.setdefault(name, []).append(api)
            else:
                last_names = {c.rpartition(".")[2] for c in api.callees} | api.methods
                last_names.discard("*")
                for name in last_names if api.kind != "method" else api.names:
                    self.calls.setdefault(name, []).append(api)
        #: Attributes worth a look: the last parts of those names, and the subscripted.
        self.attributes = frozenset([n.rpartition(".")[2] for n in self.names] + [*self.subscripts])
        self._views: dict[frozenset[str], Table] = {}

    def for_distributions(self, imported: frozenset[str]) -> Table:
        """The entries that concern the ``imported`` distributions (kept for reuse)."""
        view = self._views.get(imported)
        if view is None:
            apis = [api for api in self.apis if not imported.isdisjoint(api.removed)]
            view = self._views[imported] = Table(apis, self.distributions, self.by_module)
        return view


@functools.lru_cache(maxsize=1)
def table() -> Table:
    """The table, read and checked once per process."""
    document = _document()
    distributions = {
        name: Distribution(name, spec) for name, spec in document["distributions"].items()
    }
    by_module = {module: d.name for d in distributions.values() for module in d.modules}
    apis = [RemovedApi(spec) for spec in document["api"]]
    for api in apis:
        _check(api, distributions)
    if len({api.id for api in apis}) != len(apis):
        raise ValueError(f"{TABLE.name}: duplicate ids")
    return Table(apis, distributions, by_module)


def _check(api: RemovedApi, distributions: Mapping[str, Distribution]) -> None:
    problem = None
    if api.kind not in KINDS:
        problem = f"unknown kind {api.kind!r}"
    elif not set(api.removed) <= set(distributions):
        problem = f"unknown distribution in {sorted(api.removed)}"
    elif not (api.names or api.instead):
        problem = "neither names nor instead"
    elif api.kind in ("keyword", "value", "positional", "result") and not (
        api.callees or api.methods
    ):
        problem = "neither callees nor methods"
    if problem:
        raise ValueError(f"{TABLE.name}: {api.id}: {problem}")


def _document() -> dict:
    """The parsed table: from the JSON cache when it matches the file, else parsed (and
    cached)."""
    stat = os.stat(TABLE)
    cache = cache_file("removed-apis", f"{TABLE}:{stat.st_size}:{stat.st_mtime_ns}")
    return cached_json(cache, _parse)


def _parse() -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    with open(TABLE, "rb") as handle:
        return tomllib.load(handle)
