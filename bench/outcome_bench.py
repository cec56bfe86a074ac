"""What the linter predicts: does ``nb2prod lint`` name why real notebooks fail headless?

``bench/outcomes.json`` records how each notebook of the outcome sample ended when it was
run headless in a fresh environment with no network (``record_outcomes.py``; nothing is run
or fetched here but the sdists).  This script lints the same notebooks and prints:

* **cause named**: of the notebooks that failed, the share with a finding *at or before the
  failing cell* from a rule that predicts that kind of failure (``CAUSES``); for a missing
  module, the finding must name the module.  Goal: at least 95%.
* **lint-clean ⇒ runs**: of the notebooks with no finding at the default fail level
  (warning), the share that ran to the end.  Goal: at least 99%.

Notebooks that timed out, and notebooks whose bytes differ from the recorded ones, count in
neither.  ``--json-out FILE`` writes the figures; ``--strict`` exits 1 on a missed goal.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Goals, heading
from outcome_corpus import OUTCOMES_FILE, SampledNotebook, sample_all

CAUSE_NAMED_GOAL = 0.95
CLEAN_RUNS_GOAL = 0.99
FAILING_SEVERITIES = {"warning", "error"}  # nb2prod lint's default --fail-on warning

#: Kind of failure → the rules whose finding names it.
CAUSES = {
    "missing module": {"NB401", "NB402", "NB405", "NB406", "NB409", "NB410"},
    "removed API": {"NB408", "NB409"},
    "missing file": {"NB201", "NB202", "NB203", "NB206", "NB207"},
    "network": {"NB207"},
    "input()": {"NB301", "NB311", "NB312"},
    "syntax error": {"NB001"},
    "undefined name": {"NB102", "NB103", "NB107", "NB108"},
    "other": set(),
}
_NETWORK = re.compile(
    r"network disabled for this job|URLError|ConnectionError|ConnectionRefused|gaierror"
    r"|HTTPError|MaxRetryError|NewConnectionError|RemoteDataError|Temporary failure in name resolution"
)
#: Python's own message, and scikit-base's for an estimator's soft dependency.
_MODULE = re.compile(r"No module named '([\w.]+)'|requires package '([\w.-]+)' to be present")
_REMOVED = re.compile(
    r"cannot import name|has no attribute|unexpected keyword argument|got an unexpected"
    r"|takes \d+ positional argument|unsupported operand type"
)


#: A library refusing a value it was given (``data_source='stooq' is not implemented``).
_REFUSED_VALUE = re.compile(r"""['"]([^'"\n]+)['"] is not (?:implemented|supported)""")


@dataclass(frozen=True)
class Failure:
    kind: str
    module: str | None = None


def classify(outcome: dict) -> Failure:
    """The kind of a recorded failure, from its exception and message."""
    ename, evalue = outcome.get("ename", ""), outcome.get("evalue", "")
    text = f"{ename}: {evalue}\n{outcome.get('traceback', '')}"
    missing = _MODULE.search(f"{ename}: {evalue}")
    if missing:
        module = missing.group(1) or missing.group(2)
        return Failure("missing module", module.split(".")[0])
    if _NETWORK.search(text):
        return Failure("network")
    if ename == "StdinNotImplementedError":
        return Failure("input()")
    if ename in ("SyntaxError", "IndentationError", "TabError"):
        return Failure("syntax error")
    if ename in ("NameError", "UnboundLocalError"):
        return Failure("undefined name")
    if ename == "FileNotFoundError" or "No such file or directory" in evalue:
        return Failure("missing file")
    if (
        ename in ("AttributeError", "ImportError", "TypeError")
        and _REMOVED.search(evalue)
        and not _raised_in_a_library(outcome.get("traceback", ""))
    ):
        return Failure("removed API")
    refused = _REFUSED_VALUE.search(evalue) if ename == "NotImplementedError" else None
    if refused and _passed_by_the_cell(outcome.get("traceback", ""), refused.group(1)):
        return Failure("removed API")  # a value the installed release no longer accepts
    return Failure("other")


def _passed_by_the_cell(traceback: str, value: str) -> bool:
    """Whether the notebook's own frame of ``traceback`` passes ``value`` as a literal: the
    library refuses what the notebook asked for, not something of its own making."""
    start = traceback.rfind("Cell In[")
    if start < 0:
        return False
    end = traceback.find("\nFile ", start)  # the next frame, inside the library
    frame = traceback[start:] if end < 0 else traceback[start:end]
    return any(f"{quote}{value}{quote}" in frame for quote in "'\"")


def _raised_in_a_library(traceback: str) -> bool:
    """Whether the last frame is in an installed package, not in the notebook's cell: a
    name missing there is the library's own bug, not an API the notebook used."""
    return traceback.rfind("File <env>/") > traceback.rfind("Cell In[")


def _mentions(message: str, module: str) -> bool:
    spelled = {module, module.replace("_", "-")}
    return any(re.search(rf"\b{re.escape(name)}\b", message) for name in spelled)


def named(failure: Failure, failing_cell: int | None, findings: list[dict]) -> list[dict]:
    """The findings that name ``failure``: from a rule for its kind, at or before the cell."""
    rules = CAUSES[failure.kind]
    return [
        finding
        for finding in findings
        if finding["code"] in rules
        and (finding["cell"] is None or failing_cell is None or finding["cell"] <= failing_cell)
        and (failure.module is None or _mentions(finding["message"], failure.module))
    ]


def project_config(stripped: bool, extras: tuple[str, ...]) -> str | None:
    """``[tool.nb2prod.lint]`` as the project would configure nb2prod (None: the defaults):
    its notebooks kept without outputs, the extras its notebooks' environment installs."""
    lines = ['saved-outputs = "stripped"'] if stripped else []
    if extras:
        lines.append(f"extras = {json.dumps(list(extras))}")  # NB401
    return "[tool.nb2prod.lint]\n" + "\n".join(lines) + "\n" if lines else None


def lint(notebooks: list[SampledNotebook]) -> dict[Path, list[dict]]:
    """Findings by notebook path: one ``nb2prod lint`` per kind of project configuration."""
    nb2prod = Path(sys.executable).with_name("nb2prod")
    findings: dict[Path, list[dict]] = {nb.path.resolve(): [] for nb in notebooks}
    kinds = sorted({(nb.source.stripped, nb.source.installed_groups) for nb in notebooks})
    with tempfile.TemporaryDirectory() as folder:
        for number, (stripped, extras) in enumerate(kinds):
            paths = [
                str(nb.path)
                for nb in notebooks
                if (nb.source.stripped, nb.source.installed_groups) == (stripped, extras)
            ]
            text = project_config(stripped, extras)
            config = ["--isolated"]
            if text is not None:
                pyproject = Path(folder) / str(number) / "pyproject.toml"
                pyproject.parent.mkdir()
                pyproject.write_text(text)
                config = ["--config", str(pyproject)]
            command = [str(nb2prod), "lint", "--format", "json", "--exit-zero", *config]
            finished = subprocess.run(command + paths, capture_output=True, text=True)
            if finished.returncode != 0:
                raise SystemExit(f"nb2prod lint failed ({finished.returncode}): {finished.stderr}")
            for finding in json.loads(finished.stdout)["findings"]:
                findings[Path(finding["path"]).resolve()].append(finding)
    return findings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)

    recorded = json.loads(OUTCOMES_FILE.read_text())["notebooks"]
    sampled = sample_all(log=lambda message: print(message, flush=True))
    current = [nb for nb in sampled if recorded.get(nb.name, {}).get("sha256") == nb.sha256]
    findings = lint(current)

    kinds: Counter[str] = Counter()
    named_kinds: Counter[str] = Counter()
    unnamed, clean_failed = [], []
    ran = failed = timed_out = clean = clean_ran = 0
    for notebook in current:
        outcome = recorded[notebook.name]
        found = findings[notebook.path.resolve()]
        status = outcome["status"]
        if status not in ("ran", "failed"):
            timed_out += 1
            continue
        is_clean = not any(f["severity"] in FAILING_SEVERITIES for f in found)
        clean += is_clean
        if status == "ran":
            ran += 1
            clean_ran += is_clean
            continue
        failed += 1
        if is_clean:
            clean_failed.append(notebook.name)
        cell = outcome["cell"] + 1 if outcome.get("cell") is not None else None  # 1-based
        failure = classify(outcome)
        kinds[failure.kind] += 1
        if named(failure, cell, found):
            named_kinds[failure.kind] += 1
        else:
            codes = sorted(
                {f["code"] for f in found if f["cell"] is None or f["cell"] <= (cell or 0)}
            )
            unnamed.append((notebook.name, cell, failure, outcome, codes))

    heading("outcome sample")
    print(
        f"{len(sampled)} notebooks sampled, {len(current)} with a current record: {ran} ran, "
        f"{failed} failed, {timed_out} timed out or could not run (left out)"
    )
    stale = len(sampled) - len(current)
    if stale:
        print(f"{stale} notebooks changed since they were recorded: run bench/record_outcomes.py")
    heading("failures by kind: named by a finding at or before the failing cell")
    for kind, count in kinds.most_common():
        print(
            f"{kind:<16} {named_kinds[kind]:>3} / {count:<3}  rules: "
            f"{', '.join(sorted(CAUSES[kind])) or '-'}"
        )
    if unnamed:
        heading("failures no finding names")
        for name, cell, failure, outcome, codes in unnamed:
            print(
                f"{name} cell {cell}: [{failure.kind}] {outcome.get('ename')}: "
                f"{outcome.get('evalue', '')[:140]!r}; findings up to there: {codes}"
            )
    if clean_failed:
        heading("lint-clean notebooks that failed")
        for name in clean_failed:
            print(
                f"{name}: {recorded[name].get('ename')}: {recorded[name].get('evalue', '')[:140]!r}"
            )

    named_share = sum(named_kinds.values()) / failed if failed else 1.0
    predictable = failed - kinds["other"]
    print(
        f"\nfor information: {sum(named_kinds.values())} of the {predictable} failures of a kind "
        f"some rule covers are named; {kinds['other']} failures are of no such kind (a "
        "library's own bug or incompatibility, a data-dependent error) and count as not named"
    )
    clean_share = clean_ran / clean if clean else 1.0
    goals = Goals()
    goals.check(
        "cause of failure named (>= 95%)",
        named_share >= CAUSE_NAMED_GOAL,
        f"{named_share:.1%} ({sum(named_kinds.values())} of {failed} failing notebooks)",
    )
    goals.check(
        "lint-clean notebooks run (>= 99%)",
        clean_share >= CLEAN_RUNS_GOAL,
        f"{clean_share:.1%} ({clean_ran} of {clean} lint-clean notebooks)",
    )
    results = {
        "sampled": len(sampled),
        "current": len(current),
        "ran": ran,
        "failed": failed,
        "timed_out": timed_out,
        "kinds": dict(kinds),
        "unnamed": [
            {"notebook": name, "cell": cell, "kind": failure.kind, "ename": outcome.get("ename")}
            for name, cell, failure, outcome, _codes in unnamed
        ],
        "named": dict(named_kinds),
        "lint_clean": clean,
        "lint_clean_ran": clean_ran,
    }
    return goals.report(results, args.json_out, args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
