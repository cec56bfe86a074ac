"""The workflow `nb2prod init --ci github` writes passes unedited: every `run:` line of its
jobs runs here in order, as GitHub would, in a fresh venv where nb2prod is installed from
the wheel built from this tree, on a small team repository that uses
``[tool.nb2prod.test]`` (a parameter set, a notebook kept out, a train-then-evaluate
sequence whose second notebook is exported and verified)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import nbformat
import pytest
import yaml

from nb2prod.scaffold import DEFAULT_INSTALL, project_installs

from .conftest import code, write_notebook

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = Path(".github/workflows/nb2prod.yml")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def saved(*cells):
    """Code cells as a notebook saved after a run top to bottom (what the linter wants)."""
    return [code(source, count=n, **kw) for n, (source, kw) in enumerate(cells, start=1)]


@pytest.fixture
def team_repo(tmp_path):
    """A pyproject.toml package imported by its notebooks: train writes the model evaluate
    loads and exports (a sequence), report runs with a parameter set, explore is kept out
    of the jobs (run, it would fail), and executed copies sit in an ignored ``out/``."""
    repo = tmp_path / "team"
    (repo / "teamlib").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'
        '[project]\nname = "teamlib"\nversion = "0.1.0"\ndescription = "team code"\n'
        "dependencies = []\n"
        "[tool.nb2prod.test]\ntimeout = 120\n"
        'exclude = ["notebooks/explore*.ipynb"]\n'
        'sequences = [["notebooks/train.ipynb", "notebooks/evaluate.ipynb"]]\n'
        '[tool.nb2prod.test.parameters]\n"notebooks/report.ipynb" = [{n = 4}]\n'
    )
    (repo / "teamlib" / "__init__.py").write_text("def double(x):\n    return 2 * x\n")
    notebooks = repo / "notebooks"
    printed = nbformat.v4.new_output("stream", name="stdout", text="6\n")
    write_notebook(
        notebooks / "train.ipynb",
        saved(
            ("n = 3\nmodel_path = 'model.json'", {"tags": ["parameters"]}),
            ("import json\n\nfrom teamlib import double", {}),
            (
                "with open(model_path, 'w') as fh:\n    json.dump({'weight': double(n)}, fh)\n"
                "print(double(n))",
                {"outputs": [printed]},
            ),
        ),
    )
    write_notebook(
        notebooks / "evaluate.ipynb",
        saved(
            ("model_path = 'model.json'", {"tags": ["parameters"]}),
            ("import json", {"tags": ["nb2prod:export"]}),
            ("with open(model_path) as fh:\n    model = json.load(fh)", {"tags": ["nb2prod:load"]}),
            ("x = [1.0, 2.0]", {"tags": ["nb2prod:example"]}),
            ("[v * model['weight'] for v in x]", {"tags": ["nb2prod:predict"]}),
        ),
    )
    write_notebook(
        notebooks / "report.ipynb",
        saved(
            ("n = 3", {"tags": ["parameters"]}),
            ("from teamlib import double", {}),
            ("doubled = double(n)", {}),
        ),  # fmt: skip
    )
    write_notebook(
        notebooks / "explore.ipynb",
        saved(("n = 3", {"tags": ["parameters"]}), ("assert n > 100, 'not ready'", {})),
    )
    for name in ("train", "report"):
        write_notebook(
            repo / "out" / f"{name}-executed.ipynb", [code("n = 3", tags=["parameters"])]
        )
    (repo / ".gitignore").write_text("out/\n")
    git(repo, "init", "-q")
    return repo


@pytest.fixture(scope="module")
def nb2prod_wheel(tmp_path_factory) -> Path:
    """nb2prod's wheel built from this working tree as pip builds a clone: without Node.js
    on the PATH, so without the JupyterLab panel, in seconds."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "labextension")
    shutil.copytree(ROOT / "nb2prod", source / "nb2prod", ignore=ignored)
    shutil.copytree(ROOT / "jupyter-config", source / "jupyter-config")
    for name in ("pyproject.toml", "hatch_build.py", "README.md", "labextension/install.json"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, source / name)
    no_node = folder / "bin"
    no_node.mkdir()
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(folder / "dist"), str(source)],
        capture_output=True, text=True,
        env={"PATH": str(no_node), "HOME": str(folder), "PIP_NO_INDEX": "1"},
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (folder / "dist").glob("nb2prod-*.whl")
    return wheel


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A venv with nb2prod installed from ``wheel`` (its ``nb2prod`` command included).

    nb2prod's dependencies, and pip, come from this test's environment: a .pth adds its
    site-packages after the venv's own, so the wheel's nb2prod is the one imported.  That
    spares ensurepip (seconds) and a download of every dependency."""
    venv.create(folder, with_pip=False)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    ours = sysconfig.get_paths()["purelib"]
    Path(site, "zz_dependencies.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    # The `pip` command the workflow's install lines call, as pip's own entry point.
    pip = folder / "bin" / "pip"
    pip.write_text(
        f"#!{python}\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n"
    )
    pip.chmod(0o755)
    # --ignore-installed: this environment's nb2prod, seen through the .pth, is left alone.
    installed = subprocess.run(
        [pip, "install", "-q", "--no-deps", "--no-index", "--ignore-installed", str(wheel)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    return folder / "bin"


def run_lines(job: dict) -> list[tuple[dict[str, str], str]]:
    """``(env, script)`` of each `run:` step of ``job``, for every matrix entry, with
    ``${{ matrix.X }}`` substituted as GitHub does."""
    entries = job.get("strategy", {}).get("matrix", {}).get("include", [{}])
    matrix = re.compile(r"\$\{\{ matrix\.(\w+) \}\}")
    steps = []
    for entry in entries:
        for step in job["steps"]:
            if "run" in step:
                env = {
                    k: matrix.sub(lambda m, e=entry: e[m.group(1)], str(v))
                    for k, v in step.get("env", {}).items()
                }
                steps.append((env, step["run"]))
    return steps


@needs_git
def test_the_generated_workflow_passes_unedited_in_a_fresh_venv(team_repo, tmp_path, nb2prod_wheel):
    from nb2prod.cli import main

    cwd = os.getcwd()
    os.chdir(team_repo)
    try:
        with pytest.raises(SystemExit) as exit_:
            main(["init", "--ci", "github"])
    finally:
        os.chdir(cwd)
    assert exit_.value.code in (0, None)
    text = (team_repo / WORKFLOW).read_text(encoding="utf-8")
    assert "out/" not in text and "explore" not in text  # ignored, excluded
    flow = yaml.safe_load(text)
    assert list(flow["jobs"]) == ["lint", "jobs", "sequence-1"]
    (entry,) = flow["jobs"]["jobs"]["strategy"]["matrix"]["include"]
    assert entry["notebook"] == "notebooks/report.ipynb" and entry["label"] == "n=4"

    bin_dir = fresh_venv(tmp_path / "venv", nb2prod_wheel)
    where = subprocess.run(
        [bin_dir / "python", "-c", "import nb2prod; print(nb2prod.__file__)"],
        cwd=team_repo,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(tmp_path / "venv")), where  # the wheel's, not this tree's
    summary = tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env |= {
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(summary),
        # nbconvert's templates are data files of the environment nb2prod comes from.
        "JUPYTER_PATH": str(Path(sys.prefix, "share", "jupyter")),
    }
    env.pop("MLFLOW_TRACKING_URI", None)
    installs = set(project_installs(team_repo))
    done: set[str] = set()
    for name in flow["jobs"]:  # in order: lint, then the runs, the sequence last
        for step_env, script in run_lines(flow["jobs"][name]):
            if script.strip() == DEFAULT_INSTALL:
                continue  # the wheel is installed already
            if script.strip() in installs and script.strip() in done:
                continue  # one checkout here: the project is installed once for every job
            done.add(script.strip())
            result = subprocess.run(
                ["bash", "-e", "-c", script],  # GitHub's `shell: bash -e {0}`
                cwd=team_repo,
                env=env | step_env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert result.returncode == 0, f"{name}: {script}\n{result.stdout}\n{result.stderr}"
    assert installs <= done  # every line of the workflow ran

    sarif = json.loads((team_repo / "nb2prod.sarif").read_text(encoding="utf-8"))
    assert all(r["level"] != "note" for r in sarif["runs"][0]["results"])
    for slug in ("notebooks-report", "notebooks-train", "notebooks-evaluate"):
        assert (team_repo / "executed" / f"{slug}.ipynb").is_file()
    assert not (team_repo / "executed" / "notebooks-explore.ipynb").exists()
    assert json.loads((team_repo / "notebooks" / "model.json").read_text()) == {"weight": 6}
    assert (team_repo / "build" / "evaluate" / "pyproject.toml").is_file()
    assert (team_repo / ".nb2prod" / "mlflow.db").is_file()  # kept as an artifact

    page = summary.read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| `notebooks/")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| `notebooks/report.ipynb`",
        "| `notebooks/train.ipynb`",
        "| `notebooks/evaluate.ipynb`",
    ]
    assert "n=4" in rows[0] and all("✅ FINISHED" in row for row in rows)
    assert "### nb2prod export `notebooks/evaluate.ipynb` → `build/evaluate`" in page
    assert "| predict, defaults | ✅ pass |" in page and "**verified**" in page


def test_what_the_project_declares_is_installed(tmp_path):
    assert project_installs(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text("[tool.nb2prod.lint]\nprofile = 'prod'\n")
    assert project_installs(tmp_path) == []  # tool settings only: not a package
    (tmp_path / "requirements.txt").write_text("pandas\n")
    assert project_installs(tmp_path) == ["pip install -r requirements.txt"]
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "requirements.lock").write_text("pandas==2.2.0\n")
    assert project_installs(tmp_path) == [
        "pip install -r requirements.lock",
        "pip install -r requirements.txt",
        "pip install -e .",
    ]
    (tmp_path / "uv.lock").write_text("version = 1\n")
    assert project_installs(tmp_path)[:2] == [
        "pip install uv",
        'uv export --frozen --no-emit-project -o "$RUNNER_TEMP/uv-requirements.txt"',
    ]
