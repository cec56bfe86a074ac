"""The outcome benchmark's notebooks: whole sdists of the projects in ``outcome_sources.txt``.

Unlike the lint corpus (only the ``.ipynb`` files), each sdist is extracted whole into
``bench/.cache/outcome/src/NAME-VERSION/``, so the data files a notebook reads beside it
are there, as in a clone of the project.  The sample is every Python notebook of the sdist,
or a seeded sample of ``LIMIT`` of them.  A notebook is named ``NAME-VERSION/PATH``.

bench/ is not a package: the scripts put this folder on ``sys.path`` and import it.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from corpus import CACHE_DIR, Source, fetch_sdist

BENCH_DIR = Path(__file__).resolve().parent
SOURCES_FILE = BENCH_DIR / "outcome_sources.txt"
OUTCOME_DIR = BENCH_DIR / ".cache" / "outcome"
SOURCE_DIR = OUTCOME_DIR / "src"
#: The recorded first failures, committed: recording takes an hour, linting seconds.
OUTCOMES_FILE = BENCH_DIR / "outcomes.json"


@dataclass(frozen=True)
class OutcomeSource:
    sdist: Source
    limit: int | None
    extras: tuple[str, ...] = ()
    #: The project keeps its notebooks without outputs (nb2prod's ``saved-outputs``).
    stripped: bool = False
    #: The requirements file the project gives for its notebooks: a path in the sdist, or
    #: in bench/ for what a project declares in a form pip cannot install.
    requirements: str | None = None
    #: Dependency groups that file installs (for nb2prod's configuration, not for pip).
    groups: tuple[str, ...] = ()

    @property
    def installed_groups(self) -> tuple[str, ...]:
        """The extras and dependency groups the notebooks' environment has."""
        return self.extras + self.groups

    def install_arguments(self, root: Path) -> list[str]:
        """What a new user installs (``pip install ...``) to run the project's notebooks."""
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        arguments = [f"{self.sdist.name}{extras}=={self.sdist.version}"]
        if self.requirements:  # a file of the sdist, else one of bench/
            in_sdist = root / self.requirements
            arguments += [
                "-r",
                str(in_sdist if in_sdist.is_file() else BENCH_DIR / self.requirements),
            ]
        return arguments

    @property
    def label(self) -> str:
        return self.sdist.label


@dataclass(frozen=True)
class SampledNotebook:
    name: str  # NAME-VERSION/PATH
    path: Path
    sha256: str
    source: OutcomeSource


def read_sources(path: Path = SOURCES_FILE) -> list[OutcomeSource]:
    """The pinned sdists (``NAME VERSION SHA256 [LIMIT] [extras=A,B] [requirements=PATH]
    [groups=A,B] [outputs=stripped]``, ``#`` comments)."""
    sources = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        options = fields[3:]
        limits = [int(o) for o in options if o.isdigit()]
        extras = [o.removeprefix("extras=") for o in options if o.startswith("extras=")]
        stripped = "outputs=stripped" in options
        requirements = [o.removeprefix("requirements=") for o in options if "requirements=" in o]
        groups = [o.removeprefix("groups=") for o in options if o.startswith("groups=")]
        known = len(limits) + len(extras) + stripped + len(requirements) + len(groups)
        if len(fields) < 3 or known != len(options):
            raise ValueError(
                f"{path}:{number}: expected NAME VERSION SHA256 [LIMIT] [extras=A,B] "
                f"[requirements=PATH] [groups=A,B] [outputs=stripped]: {line!r}"
            )
        sources.append(
            OutcomeSource(
                Source(*fields[:3]),
                limits[0] if limits else None,
                tuple(extras[0].split(",")) if extras else (),
                stripped,
                requirements[0] if requirements else None,
                tuple(groups[0].split(",")) if groups else (),
            )
        )
    return sources


def _safe_parts(name: str) -> tuple[str, ...] | None:
    parts = PurePosixPath(name).parts[1:]  # drop "NAME-VERSION/"
    if not parts or any(part in ("", ".", "..") for part in parts):
        return None
    return parts


def extracted(source: OutcomeSource, log=print) -> Path:
    """The sdist of ``source`` extracted whole (once; a marker file says it is complete)."""
    target = SOURCE_DIR / source.label
    marker = target / ".extracted"
    if marker.is_file() and marker.read_text() == source.sdist.sha256:
        return target
    archive = fetch_sdist(source.sdist, CACHE_DIR, log=log)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = _safe_parts(member.name)
            if parts is None or not member.isfile():
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(tar.extractfile(member).read())
    marker.write_text(source.sdist.sha256)
    return target


def _is_python_notebook(path: Path) -> bool:
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (ValueError, UnicodeDecodeError, AttributeError):
        return True  # an unreadable notebook is a notebook nb2prod must explain
    language = (metadata.get("kernelspec") or {}).get("language") or (
        metadata.get("language_info") or {}
    ).get("name", "python")
    return str(language).lower() == "python"


def sample(source: OutcomeSource, log=print) -> list[SampledNotebook]:
    """The notebooks of ``source`` that the benchmark runs and lints, in a stable order."""
    root = extracted(source, log=log)
    candidates = sorted(
        path
        for path in root.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts and _is_python_notebook(path)
    )
    if source.limit is not None and len(candidates) > source.limit:
        candidates = sorted(random.Random(source.label).sample(candidates, source.limit))
    return [
        SampledNotebook(
            name=f"{source.label}/{path.relative_to(root).as_posix()}",
            path=path,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            source=source,
        )
        for path in candidates
    ]


def sample_all(log=print) -> list[SampledNotebook]:
    return [notebook for source in read_sources() for notebook in sample(source, log=log)]
