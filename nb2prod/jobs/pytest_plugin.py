"""``pytest --nb2prod NOTEBOOKS``: every notebook is a test, run as a strict papermill job.

Parameter sets, the time limit, notebooks left out and notebooks run in order come from
``[tool.nb2prod.test]`` in the project's pyproject.toml (``nb2prod.jobs.suite``, which the
CI workflow's jobs follow too)::

    [tool.nb2prod.test]
    timeout = 600                                  # seconds per cell
    exclude = ["notebooks/explore_*.ipynb"]        # reported as skipped
    sequences = [["notebooks/train.ipynb", "notebooks/evaluate.ipynb"]]  # run in this order
    [tool.nb2prod.test.parameters]
    "notebooks/train.ipynb" = [{alpha = 0.1}, {alpha = 0.5}]   # one test per set
    "notebooks/smoke_*.ipynb" = [{rows = 100}]                 # globs, relative to the file

Without an entry a notebook is one test with its own defaults.  A failure shows the
failing cell's source and its traceback.  The plugin does nothing without ``--nb2prod``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.errors import Nb2ProdError


def pytest_addoption(parser) -> None:
    group = parser.getgroup("nb2prod")
    group.addoption(
        "--nb2prod",
        action="store_true",
        help="collect *.ipynb files and run each as a strict papermill job (nb2prod)",
    )


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix != ".ipynb" or not parent.config.getoption("nb2prod"):
        return None
    if ".ipynb_checkpoints" in file_path.parts:
        return None
    return NotebookFile.from_parent(parent, path=file_path)


class NotebookFile(pytest.File):
    def collect(self):
        suite = _suite(self.path)
        if suite.excluded(self.path):
            item = NotebookItem.from_parent(self, name="excluded", params={}, timeout=None)
            item.add_marker(
                pytest.mark.skip(reason="excluded by pyproject.toml [tool.nb2prod.test] exclude")
            )
            yield item
            return
        place = suite.sequence_of(self.path)
        for parameter_set in suite.parameter_sets(self.path):
            item = NotebookItem.from_parent(
                self, name=parameter_set.label, params=parameter_set.values, timeout=suite.timeout
            )
            item.sequence = (place, suite.config_path) if place else None
            yield item

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, NotebookConfigError):
            return str(excinfo.value)  # one line: the setting and the valid choices
        return super().repr_failure(excinfo, style=style)


class NotebookConfigError(Exception):
    """``[tool.nb2prod.test]`` is wrong: reported as its one line, without a traceback."""


class NotebookItem(pytest.Item):
    def __init__(self, *, params: dict, timeout: float | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = params
        self.timeout = timeout
        #: ((sequence, position), its pyproject.toml) for a notebook in ``sequences``.
        self.sequence: tuple[tuple[int, int], Path | None] | None = None

    def runtest(self) -> None:
        from nb2prod.jobs.runner import JobOptions, run_job

        try:
            result = run_job(
                JobOptions(self.path, params=self.params, timeout=self.timeout, track=False)
            )
        except Nb2ProdError as exc:  # parameters it does not take, a notebook that cannot run
            raise NotebookTestFailed(exc) from None
        if result.failure is not None:
            raise NotebookTestFailed(result.failure)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, NotebookTestFailed):
            return super().repr_failure(excinfo, style=style)
        failure = excinfo.value.failure
        parts = [failure.message]
        if getattr(failure, "hint", None) and not getattr(failure, "source", ""):
            parts.append(f"  hint: {failure.hint}")
        source = getattr(failure, "source", "")
        if source:
            numbered = "\n".join(f"{n:4} | {line}" for n, line in enumerate(source.splitlines(), 1))
            parts += ["", "failing cell:", numbered]
        traceback = getattr(failure, "traceback", "")
        if traceback:
            parts += ["", traceback]
        return "\n".join(parts)

    def reportinfo(self):
        return self.path, 0, f"{self.path.name} [{self.name}]"


class NotebookTestFailed(Exception):
    def __init__(self, failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _suite(notebook: Path):
    from nb2prod.jobs.suite import suite_for

    try:
        return suite_for(notebook.parent)
    except Nb2ProdError as exc:
        raise NotebookConfigError(str(exc)) from None


def pytest_collection_modifyitems(items: list) -> None:
    """Notebooks of a ``sequences`` entry run one after another, in its order, where its
    first notebook was collected (pytest collects by file name: evaluate before train)."""
    keyed = [(item, _sequence_key(item)) for item in items]
    if not any(key for _item, key in keyed):
        return
    ordered, placed = [], set()
    for item, key in keyed:
        if key is None:
            ordered.append(item)
        elif key[0] not in placed:
            placed.add(key[0])
            group = [(k[1], n, i) for n, (i, k) in enumerate(keyed) if k and k[0] == key[0]]
            ordered += [i for _position, _n, i in sorted(group, key=lambda g: g[:2])]
    items[:] = ordered


def _sequence_key(item) -> tuple[tuple[Path | None, int], int] | None:
    if not isinstance(item, NotebookItem) or item.sequence is None:
        return None
    (number, position), config = item.sequence
    return (config, number), position
