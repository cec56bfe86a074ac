"""The workflow `nb2prod init --ci github` writes passes unedited: its jobs' `run:` lines
run here in order, as GitHub would, in a fresh venv on a small team repository."""

from __future__ import annotations

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

WORKFLOW = Path(".github/workflows/nb2prod.yml")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture
def team_repo(tmp_path):
    """A pyproject.toml package imported by a training and an evaluation notebook, and an
    executed notebook in an ignored ``out/``."""
    repo = tmp_path / "team"
    (repo / "teamlib").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "teamlib"\nversion = "0.1.0"\ndependencies = []\n'
        '[tool.setuptools]\npackages = ["teamlib"]\n'
    )
    (repo / "teamlib" / "__init__.py").write_text("def double(x):\n    return 2 * x\n")
    printed = nbformat.v4.new_output("stream", name="stdout", text="6\n")
    for name in ("train", "evaluate"):
        write_notebook(  # saved after a run, as the linter wants
            repo / "notebooks" / f"{name}.ipynb",
            [
                code("n = 3", tags=["parameters"], count=1),
                code("from teamlib import double\n\nprint(double(n))", count=2, outputs=[printed]),
            ],
        )
        write_notebook(
            repo / "out" / f"{name}-executed.ipynb",
            [code("n = 3", tags=["parameters"]), "print(n)"],
        )
    (repo / ".gitignore").write_text("out/\n")
    git(repo, "init", "-q")
    return repo


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


def fresh_venv(folder: Path) -> Path:
    """A venv without nb2prod's own dependencies installed in it: nb2prod and its
    dependencies come from this test's environment (its site-packages added by a .pth)."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(site, "zz_nb2prod_under_test.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    script = folder / "bin" / "nb2prod"
    script.write_text(f"#!{python}\nfrom nb2prod.cli import main\nmain()\n")
    script.chmod(0o755)
    return folder / "bin"


@needs_git
def test_the_generated_workflow_passes_unedited_in_a_fresh_venv(team_repo, tmp_path):
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
    assert "out/" not in text  # no job for the ignored executed notebooks
    flow = yaml.safe_load(text)
    notebooks = [e["notebook"] for e in flow["jobs"]["jobs"]["strategy"]["matrix"]["include"]]
    assert notebooks == ["notebooks/evaluate.ipynb", "notebooks/train.ipynb"]

    bin_dir = fresh_venv(tmp_path / "venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env |= {
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        # nbconvert's templates are data files of the environment nb2prod comes from.
        "JUPYTER_PATH": str(Path(sys.prefix, "share", "jupyter")),
    }
    env.pop("MLFLOW_TRACKING_URI", None)
    for name in ("lint", "jobs"):  # in order: jobs need lint
        for step_env, script in run_lines(flow["jobs"][name]):
            if script.strip() == DEFAULT_INSTALL:
                continue  # nb2prod under test is in the venv already (its .pth)
            result = subprocess.run(
                ["bash", "-e", "-c", script],  # GitHub's `shell: bash -e {0}`
                cwd=team_repo,
                env=env | step_env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert result.returncode == 0, f"{name}: {script}\n{result.stdout}\n{result.stderr}"
    for slug in ("notebooks-evaluate", "notebooks-train"):
        assert (team_repo / "executed" / f"{slug}.ipynb").is_file()
    assert (team_repo / ".nb2prod" / "mlflow.db").is_file()  # kept as an artifact
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "### nb2prod run notebooks/train.ipynb" in summary
    assert "### nb2prod run notebooks/evaluate.ipynb" in summary


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
