"""Build the lint benchmark's corpus: real notebooks from public sdists plus generated ones.

Real notebooks come from the source distributions named in ``bench/sources.txt``.  Each sdist
is downloaded once from PyPI into ``bench/.cache/sdists/`` (checked against its pinned
sha256), and every ``.ipynb`` in it is extracted into
``bench/.corpus/notebooks/real/NAME-VERSION/``; byte-identical files are kept once.  Large
notebooks that stress the linter are generated into ``bench/.corpus/notebooks/generated/``,
and notebooks past the limits of the parsers into ``bench/.corpus/stress/``.  ``bench/.corpus/manifest.json`` records what was built;
a second run with the same sources reuses the corpus and downloads nothing.

Both folders are gitignored: other people's notebooks are never committed.

Run ``python bench/corpus.py`` to build the corpus without benchmarking.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import sys
import tarfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from nb2prod.linter.engine import SKIP_DIRS

BENCH_DIR = Path(__file__).resolve().parent
SOURCES_FILE = BENCH_DIR / "sources.txt"
CACHE_DIR = BENCH_DIR / ".cache" / "sdists"
CORPUS_DIR = BENCH_DIR / ".corpus"
INDEX_URL = "https://pypi.org/simple/{name}/"
#: Bump when the generated notebooks or the extraction rules change: the corpus is rebuilt.
LAYOUT_VERSION = 3
#: Folders nb2prod and ruff never walk into; notebooks under them are not extracted, so that
#: "the corpus folder" and "the list of corpus files" mean the same set for both tools.
SKIPPED_DIRS = SKIP_DIRS | {"build", "dist", "_build"}  # ruff skips build folders too


@dataclass(frozen=True)
class Source:
    name: str
    version: str
    sha256: str

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"


def read_sources(path: Path = SOURCES_FILE) -> list[Source]:
    """The pinned sdists of ``sources.txt`` (``NAME VERSION SHA256``, ``#`` comments)."""
    sources = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) != 3:
            raise ValueError(f"{path}:{number}: expected NAME VERSION SHA256, got {line!r}")
        sources.append(Source(*fields))
    return sources


# --------------------------------------------------------------------------- download


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open(url: str, accept: str | None = None, attempts: int = 3):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    for attempt in range(1, attempts + 1):
        try:
            return urllib.request.urlopen(request, timeout=120)
        except OSError:
            if attempt == attempts:
                raise
            time.sleep(2 * attempt)


def _sdist_url(source: Source) -> tuple[str, str]:
    """(URL, file name) of the pinned sdist, looked up in PyPI's JSON simple index (PEP 691).

    ``pip download`` is not used: for an sdist it builds the package's metadata, which
    installs its build dependencies (numpy, Cython, ... for statsmodels).
    """
    index = INDEX_URL.format(name=source.name)
    with _open(index, accept="application/vnd.pypi.simple.v1+json") as response:
        files = json.load(response)["files"]
    for entry in files:
        if entry.get("hashes", {}).get("sha256") == source.sha256:
            return urllib.parse.urljoin(index, entry["url"]), entry["filename"]
    raise RuntimeError(
        f"{source.label}: no file with sha256 {source.sha256} on PyPI; fix bench/sources.txt"
    )


def fetch_sdist(source: Source, cache: Path = CACHE_DIR, log=print) -> Path:
    """The cached sdist of ``source``, downloaded (and hash-checked) when not cached yet."""
    cache.mkdir(parents=True, exist_ok=True)
    for cached in cache.glob(f"*-{source.version}.*"):
        if (
            cached.is_file()
            and not cached.name.endswith(".part")
            and _sha256(cached) == source.sha256
        ):
            return cached
    url, filename = _sdist_url(source)
    target = cache / filename
    partial = target.with_name(filename + ".part")
    log(f"  downloading {filename} ...")
    with _open(url) as response, open(partial, "wb") as fh:
        shutil.copyfileobj(response, fh, 1 << 20)
    if _sha256(partial) != source.sha256:
        partial.unlink()
        raise RuntimeError(f"{filename}: sha256 differs from bench/sources.txt")
    partial.replace(target)
    return target


# --------------------------------------------------------------------------- extraction


def _member_path(name: str) -> PurePosixPath | None:
    """The path of a tar member below the sdist's top folder, or None when it is unsafe,
    not a notebook, or under a folder the linters skip."""
    parts = PurePosixPath(name).parts[1:]  # drop "NAME-VERSION/"
    if not parts or not parts[-1].endswith(".ipynb"):
        return None
    if any(part in ("", ".", "..") or part in SKIPPED_DIRS for part in parts):
        return None
    return PurePosixPath(*parts)


def extract_notebooks(archive: Path, target: Path, seen: set[str]) -> tuple[int, int]:
    """Extract the notebooks of ``archive`` below ``target``; returns (kept, duplicates).

    ``seen`` holds the sha256 of every file already in the corpus: a file whose bytes are
    already there is not extracted again."""
    kept = duplicates = 0
    with tarfile.open(archive) as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
        for member in members:
            relative = _member_path(member.name)
            if relative is None:
                continue
            data = tar.extractfile(member).read()
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                duplicates += 1
                continue
            seen.add(digest)
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            kept += 1
    return kept, duplicates


# --------------------------------------------------------------------------- generated notebooks

_IMPORTS = """import os
import json
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression"""

_CODE_TEMPLATES = (
    "df_{i} = pd.read_csv('data/part_{i}.csv')\ndf_{i}.head()",
    'def feature_{i}(frame):\n    """Feature {i}."""\n    out = frame.copy()\n'
    "    out['f{i}'] = out.iloc[:, 0] * {i}\n    return out",
    "values_{i} = [x ** 2 for x in range({n})]\ntotal_{i} = sum(values_{i})\nprint(total_{i})",
    "for k in range(3):\n    if k % 2:\n        print('odd', k, {i})\n    else:\n        print('even', k)",
    "X_train, X_test, y_train, y_test = train_test_split(np.random.rand({n}, 4), "
    "np.random.randint(0, 2, {n}), random_state={i})",
    "model_{i} = LogisticRegression(max_iter=100)\nmodel_{i}.fit(X_train, y_train)\n"
    "score_{i} = model_{i}.score(X_test, y_test)",
    "fig, ax = plt.subplots()\nax.plot(np.arange({n}), np.arange({n}) ** 0.5)\nplt.show()",
    "config_{i} = {{'lr': 0.0{i}, 'epochs': {n}, 'name': 'run-{i}'}}\n"
    "with open('config_{i}.json', 'w') as fh:\n    json.dump(config_{i}, fh)",
    "class Model{i}:\n    def __init__(self, alpha={n}):\n        self.alpha = alpha\n\n"
    "    def predict(self, x):\n        return x * self.alpha",
    "%time result_{i} = sum(range({n}))",
    "!ls data | head -n {n}",
    "summary_{i} = {{key: len(key) for key in ['a', 'bb', 'ccc']}}\nsummary_{i}",
)

# Every line or cell is valid IPython: any NB001 on this notebook is a false positive.
_MAGIC_CELLS = (
    "%matplotlib inline",
    "%load_ext autoreload\n%autoreload 2",
    "%time total = sum(range(1000))",
    "%%time\nsquares = [x * x for x in range(1000)]\nlen(squares)",
    "%timeit -n 10 sorted(range(100))",
    "%%timeit\nsorted(range(100))",
    "!pip install --quiet requests",
    "%pip install --quiet pandas",
    "pip install numpy",
    "files = !ls -la\nfiles[:3]",
    "home = %env HOME\nprint(home)",
    "%env MY_SETTING=1",
    "cd /tmp",
    "%cd ..",
    "len?",
    "sorted??",
    "?print",
    "import os\nos.path.join?",
    "if True:\n    %time x = 1\n    !echo indented\n    y = 2",
    "for i in range(2):\n    %timeit -n1 -r1 i * 2",
    '%%bash\necho hello\nfor f in *.txt; do\n  wc -l "$f"\ndone',
    "%%sh\nls -la | head",
    "%%writefile helper.py\ndef helper():\n    return 42",
    "%%capture captured\nprint('hidden')",
    "%%html\n<b>bold</b>",
    "%%javascript\nconsole.log('hi')",
    "%%markdown\n# Title",
    "%%latex\n$x^2$",
    "%run -i helper.py",
    "%store -r",
    "%who",
    "%whos",
    "%reset -f",
    "%config InlineBackend.figure_format = 'retina'",
    "%%time\nimport math\nmath.sqrt(2)",
    "out = %sx echo hi\nout",
    "!echo {1 + 1} $HOME",
    "%%prun -s cumulative\nsum(range(10))",
    "%debug",
    "%precision 3",
    "%xmode Minimal",
    "%%script python\nprint('script')",
)


def _code_cell(nbf, source: str, count: int, outputs=None):
    cell = nbf.v4.new_code_cell(source, execution_count=count)
    cell.outputs = outputs or []
    return cell


def _many_cells(nbf, rng: random.Random):
    """1,000 code cells of everyday analysis code (and a markdown cell every tenth)."""
    cells = [_code_cell(nbf, _IMPORTS, 1)]
    for i in range(1, 1000):
        if i % 10 == 0:
            cells.append(nbf.v4.new_markdown_cell(f"## Step {i}\nWhat happens next."))
        template = _CODE_TEMPLATES[rng.randrange(len(_CODE_TEMPLATES))]
        outputs = []
        if rng.random() < 0.3:
            outputs = [nbf.v4.new_output("stream", name="stdout", text=f"{rng.random()}\n" * 3)]
        cells.append(_code_cell(nbf, template.format(i=i, n=rng.randrange(2, 500)), i + 1, outputs))
    return cells


def _big_output(nbf, rng: random.Random, megabytes: int = 20):
    """A few cells whose outputs add up to about ``megabytes`` MB: text, HTML and a PNG."""
    third = megabytes * (1 << 20) // 3
    line = "epoch {:05d} loss={:.6f} accuracy={:.4f}\n"
    text, size, epoch = [], 0, 0
    while size < third:
        chunk = line.format(epoch, rng.random(), rng.random())
        text.append(chunk)
        size += len(chunk)
        epoch += 1
    rows = "".join(
        f"<tr><td>{r}</td><td>{rng.random():.6f}</td><td>{rng.random():.6f}</td></tr>"
        for r in range(third // 60)
    )
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(third * 3 // 4)).decode()
    return [
        _code_cell(nbf, "import pandas as pd\nimport matplotlib.pyplot as plt", 1),
        _code_cell(
            nbf,
            "for epoch in range(100000):\n    train_one_epoch(epoch)",
            2,
            [nbf.v4.new_output("stream", name="stdout", text="".join(text))],
        ),
        _code_cell(
            nbf,
            "pd.DataFrame(results)",
            3,
            [
                nbf.v4.new_output(
                    "execute_result",
                    data={"text/html": f"<table>{rows}</table>", "text/plain": "DataFrame"},
                    execution_count=3,
                )
            ],
        ),
        _code_cell(
            nbf,
            "plt.plot(history)\nplt.show()",
            4,
            [nbf.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})],
        ),
    ]


def _magics(nbf, rng: random.Random, repeats: int = 10):
    """Every kind of IPython escape, ``repeats`` times over, between ordinary code."""
    cells, count = [], 0
    for _ in range(repeats):
        for source in _MAGIC_CELLS:
            count += 1
            cells.append(_code_cell(nbf, source, count))
            if rng.random() < 0.3:
                count += 1
                cells.append(_code_cell(nbf, f"value_{count} = {count} * 2", count))
    return cells


def _long_cell(nbf, rng: random.Random, lines: int = 20000):
    """One cell of ``lines`` lines (a pasted script)."""
    body = [_IMPORTS]
    for i in range(lines // 4):
        body.append(f"def step_{i}(x):\n    y = x * {rng.randrange(100)}\n    return y + {i}\n")
    return [_code_cell(nbf, "\n".join(body), 1)]


def _deep_nesting(nbf, rng: random.Random):
    """Deeply nested calls, brackets and blocks (still valid Python)."""
    calls = "value = " + "f(" * 150 + "1" + ")" * 150
    brackets = "data = " + "[" * 90 + "0" + "]" * 90
    blocks = "\n".join("    " * depth + f"if x > {depth}:" for depth in range(60))
    blocks += "\n" + "    " * 60 + "print(x)"
    # 1,000 terms: ruff 0.17.6 aborts (stack overflow) from about 2,000 when it lints
    # several files at once, and CPython's own parser gives up at about 2,700.
    arithmetic = "total = " + " + ".join(f"v{i}" for i in range(1000))
    return [
        _code_cell(nbf, "def f(x):\n    return x\n\nx = 100", 1),
        _code_cell(nbf, calls, 2),
        _code_cell(nbf, brackets, 3),
        _code_cell(nbf, blocks, 4),
        _code_cell(nbf, arithmetic, 5),
    ]


#: Cells past the limits of CPython's parser (or of ruff), one notebook each: linted by
#: nb2prod alone, never part of the timed corpus.
_STRESS_CELLS = {
    "sum_3000_terms": "total = " + " + ".join(f"v{i}" for i in range(3000)),  # RecursionError
    "indent_101_levels": "\n".join("    " * d + "if x:" for d in range(101))
    + "\n"
    + "    " * 101
    + "pass",
    "parentheses_250": "value = " + "(" * 250 + "1" + ")" * 250,
    "calls_1000": "value = " + "f(" * 1000 + "1" + ")" * 1000,
    "nul_character": "text = 'a\x00b'\nprint(text)",
    "line_1mb": "x = " + repr("y" * 1_000_000),
    "lambdas_500": "f = " + "lambda: " * 500 + "1",
    "not_terms_900": "flag = " + "not " * 900 + "x",
    "unary_minus_5000": "value = " + "-" * 5000 + "1",
    "attribute_chain_3000": "value = obj" + ".attr" * 3000,
    "string_concat_5000": "text = " + " ".join("'a'" for _ in range(5000)),
    "comparison_3000": "ok = " + " < ".join(f"v{i}" for i in range(3000)),
    "bool_or_5000": "ok = " + " or ".join(f"v{i}" for i in range(5000)),
    "elif_1500": "if x == 0:\n    pass\n"
    + "".join(f"elif x == {i}:\n    pass\n" for i in range(1, 1500)),
}


def _stress_notebook(source: str):
    def cells(nbf, rng: random.Random):
        return [_code_cell(nbf, "import os\nx = 1", 1), _code_cell(nbf, source, 2)]

    return cells


STRESS_GENERATORS = {f"{name}.ipynb": _stress_notebook(src) for name, src in _STRESS_CELLS.items()}


GENERATORS = {
    "many_cells_1000.ipynb": _many_cells,
    "big_output_20mb.ipynb": _big_output,
    "magics_all_kinds.ipynb": _magics,
    "long_cell_20000_lines.ipynb": _long_cell,
    "deep_nesting.ipynb": _deep_nesting,
}


def generate_notebooks(target: Path, generators=GENERATORS) -> list[str]:
    """Write the generated notebooks into ``target``; returns their file names."""
    import nbformat  # only needed when building the corpus
    from common import python_notebook

    target.mkdir(parents=True, exist_ok=True)
    for seed, (name, generator) in enumerate(generators.items()):
        notebook = python_notebook(generator(nbformat, random.Random(seed)))
        with open(target / name, "w", encoding="utf-8") as fh:
            nbformat.write(notebook, fh)
    return list(generators)


# --------------------------------------------------------------------------- corpus


def _key(sources: list[Source]) -> str:
    text = json.dumps([LAYOUT_VERSION, [s.__dict__ for s in sources]])
    return hashlib.sha256(text.encode()).hexdigest()


def build_corpus(
    corpus: Path = CORPUS_DIR,
    cache: Path = CACHE_DIR,
    sources: list[Source] | None = None,
    log=print,
) -> dict:
    """Build (or reuse) the corpus; returns its manifest (what came from where).

    The timed corpus is ``corpus/notebooks/`` (``real/NAME-VERSION/`` and ``generated/``);
    ``corpus/stress/`` holds notebooks past the parsers' limits, linted by nb2prod alone."""
    sources = read_sources() if sources is None else sources
    manifest_path = corpus / "manifest.json"
    key = _key(sources)
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("key") == key:
            return manifest
    log(f"building the corpus in {corpus} ...")
    for folder in ("notebooks", "stress", "real", "generated"):
        shutil.rmtree(corpus / folder, ignore_errors=True)
    notebooks = corpus / "notebooks"
    seen: set[str] = set()
    packages = []
    for source in sources:
        archive = fetch_sdist(source, cache, log)
        kept, duplicates = extract_notebooks(archive, notebooks / "real" / source.label, seen)
        packages.append(
            {
                "name": source.name,
                "version": source.version,
                "sdist": archive.name,
                "notebooks": kept,
                "duplicates": duplicates,
            }
        )
        log(f"  {source.label}: {kept} notebooks ({duplicates} duplicates left out)")
    generated = generate_notebooks(notebooks / "generated")
    stress = generate_notebooks(corpus / "stress", STRESS_GENERATORS)
    manifest = {
        "key": key,
        "packages": packages,
        "generated": generated,
        "stress": stress,
        "real_notebooks": sum(p["notebooks"] for p in packages),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    built = build_corpus()
    print(
        f"{built['real_notebooks']} real notebooks from {len(built['packages'])} sdists, "
        f"{len(built['generated'])} generated, in {CORPUS_DIR / 'notebooks'}"
    )
    sys.exit(0)
