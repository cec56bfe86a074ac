"""The locks in requirements/ (made by `make lock`) agree with what they lock: every
requirement of pyproject.toml and requirements/*.in is pinned there, to a version its
range allows, with hashes; nb2prod's mlflow-skinny is the team server's MLflow version; the
Spark venv installs what it shares with .venv at .venv's versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: Path) -> dict[str, list[str]]:
    """Each locked distribution's versions (several when Python versions differ), after
    checking that every pin carries hashes."""
    pins: dict[str, list[str]] = {}
    lines = lock.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        found = _PIN.match(line)
        if found:
            assert lines[number + 1].strip().startswith("--hash=sha256:"), f"{lock.name}: {line}"
            pins.setdefault(_canonical(found[1]), []).append(found[2])
    return pins


def _requirements(source: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in source.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def _project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize(
    "lock, sources",
    [
        ("dev.txt", ["pyproject.toml", "dev.in"]),
        ("team-server.txt", ["team-server.in"]),
        ("spark.txt", ["spark.in"]),
    ],
)
def test_every_requirement_is_pinned_within_its_range_with_hashes(lock, sources):
    pins = _pins(LOCKS / lock)
    wanted = []
    for source in sources:
        wanted += _project_requirements() if source == "pyproject.toml" else []
        wanted += _requirements(LOCKS / source) if source.endswith(".in") else []
    for requirement in wanted:
        if requirement.marker and not requirement.marker.evaluate({"python_version": "3.11"}):
            continue
        versions = pins.get(_canonical(requirement.name))
        assert versions, f"{requirement} is not in requirements/{lock}: run `make lock`"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements/{lock} pins {requirement.name}=={version}, outside {requirement}"
            )


def test_the_client_speaks_the_team_servers_mlflow():
    (client,) = set(_pins(LOCKS / "dev.txt")["mlflow-skinny"])
    (server,) = set(_pins(LOCKS / "team-server.txt")["mlflow"])
    assert client == server


def test_the_spark_venv_installs_the_dev_venvs_versions():
    """A model pickled in .venv (scikit-learn, pandas) loads in the Spark venv, by the same
    MLflow; pyspark stays out of .venv."""
    dev, spark = _pins(LOCKS / "dev.txt"), _pins(LOCKS / "spark.txt")
    assert {
        "mlflow-skinny",
        "pandas",
        "pyarrow",
        "numpy",
        "scikit-learn",
    } <= dev.keys() & spark.keys()
    for name in dev.keys() & spark.keys():
        assert sorted(spark[name]) == sorted(dev[name]), f"{name}: run `make lock`"
    assert "pyspark" in spark
    assert "pyspark" not in dev
