"""`nb2prod init --ci github`: the workflow and pre-commit files it writes, and when it refuses."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nb2prod import __version__
from nb2prod.cli import main
from nb2prod.scaffold import plan_ci, yaml_scalar

from .conftest import code, write_notebook
from .exporter.test_plan import CHURN

NB2PROD = str(Path(sys.executable).with_name("nb2prod"))
ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = Path(".github/workflows/nb2prod.yml")
PRE_COMMIT = Path(".pre-commit-config.yaml")


def run(*args, cwd):
    return subprocess.run([NB2PROD, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def init(project, *args):
    return run("init", "--ci", "github", *args, cwd=project)


@pytest.fixture
def project(tmp_path):
    """A project with a job notebook, a tagged train+predict notebook and a plain one."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    write_notebook(
        tmp_path / "notebooks" / "train.ipynb",
        [code("epochs = 3", tags=["parameters"]), "print(epochs)"],
    )
    write_notebook(tmp_path / "churn.ipynb", CHURN)
    write_notebook(tmp_path / "notebooks" / "eda.ipynb", ["import pandas as pd", "pd.DataFrame()"])
    return tmp_path


def workflow(project) -> dict:
    return yaml.safe_load((project / WORKFLOW).read_text(encoding="utf-8"))


def commands(job: dict) -> list[list[str]]:
    """Each `run:` line of ``job`` as the shell would split it, for every matrix entry.

    ``${{ matrix.X }}`` and ``"$ENV"`` are substituted as GitHub and the shell would, so
    the test sees the command lines CI runs.
    """
    entries = job.get("strategy", {}).get("matrix", {}).get("include", [{}])
    lines = []
    for entry in entries:
        for step in job["steps"]:
            env = {
                k: re.sub(r"\$\{\{ matrix\.(\w+) \}\}", lambda m, e=entry: e[m.group(1)], v)
                for k, v in step.get("env", {}).items()
            }
            for line in step.get("run", "").splitlines():
                # "$VAR" is one word whatever the value holds: quote it for shlex alike.
                # The runner's own variables ($GITHUB_STEP_SUMMARY) stay as they are.
                line = re.sub(
                    r'"\$(\w+)"',
                    lambda m, e=env: shlex.quote(e.get(m.group(1), m.group(0)[1:-1])),
                    line,
                )
                lines.append(shlex.split(line))
    return lines


def nb2prod_commands(job: dict, command: str | None = None) -> list[list[str]]:
    """The ``nb2prod`` command lines of ``job``; only ``nb2prod COMMAND`` ones if given."""
    lines = [argv for argv in commands(job) if argv[:1] == ["nb2prod"]]
    return [argv for argv in lines if command is None or argv[1] == command]


# --------------------------------------------------------------------------- the files


def test_init_writes_a_workflow_from_the_notebooks_roles(project):
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert f"wrote {WORKFLOW.as_posix()}" in result.stdout
    assert f"wrote {PRE_COMMIT}" in result.stdout
    assert "next:" in result.stdout and "pre-commit install" in result.stdout
    flow = workflow(project)
    assert set(flow[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as True
    assert set(flow["jobs"]) == {"lint", "jobs", "export"}

    lint = flow["jobs"]["lint"]
    assert lint["permissions"]["security-events"] == "write"
    setup = next(s for s in lint["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11" and setup["with"]["cache"] == "pip"
    assert "pyproject.toml" in setup["with"]["cache-dependency-path"]
    assert ["pip", "install", f"nb2prod=={__version__}"] in commands(lint)  # as pre-commit's rev
    assert nb2prod_commands(lint) == [
        [
            "nb2prod",
            "lint",
            "--format",
            "sarif",
            "--min-severity",
            "warning",
            "-o",
            "nb2prod.sarif",
            "--exit-zero",
            ".",
        ],  # fmt: skip
        ["nb2prod", "lint", "--format", "github", "."],
    ]
    steps = [s.get("uses", s.get("run")) for s in lint["steps"]]
    upload = next(
        s for s in lint["steps"] if s.get("uses") == "github/codeql-action/upload-sarif@v4"
    )
    assert steps.index(upload["uses"]) == steps.index("nb2prod lint --format github .") - 1
    assert upload["if"] == "success() || failure()"
    assert upload["with"]["sarif_file"] == "nb2prod.sarif"

    jobs = flow["jobs"]["jobs"]
    assert "needs" not in jobs  # a finding elsewhere does not stop this notebook's run
    assert sorted(argv[:3] for argv in nb2prod_commands(jobs, "run")) == [
        ["nb2prod", "run", "churn.ipynb"],
        ["nb2prod", "run", "notebooks/train.ipynb"],
    ]
    artifacts = [
        s for s in jobs["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert len(artifacts) == 2  # the executed notebook and the tracking store
    assert all(a["if"] == "success() || failure()" for a in artifacts)

    export = flow["jobs"]["export"]
    assert "needs" not in export
    assert nb2prod_commands(export) == [
        ["nb2prod", "lint", "--fail-on", "error", "churn.ipynb"],
        [
            "nb2prod",
            "export",
            "churn.ipynb",
            "-o",
            "build/churn",
            "--force",
            "--verify",
            "--summary",
            "$GITHUB_STEP_SUMMARY",
        ],  # fmt: skip
    ]
    # The options are the export command's own: click accepts them.
    main.commands["export"].make_context("export", nb2prod_commands(export)[1][2:])
    assert "eda.ipynb" not in (project / WORKFLOW).read_text(encoding="utf-8")


def test_init_writes_a_pre_commit_config_whose_hook_installs_the_linter_alone(project):
    """A local hook: pre-commit installs only its additional_dependencies, nb2prod-lint at
    this version (seconds, no Node.js), not the repository's full nb2prod; it runs as the
    repository's declared hook does (tests/test_precommit_hook.py runs it)."""
    assert init(project).returncode == 0
    config = yaml.safe_load((project / PRE_COMMIT).read_text(encoding="utf-8"))
    [declared] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    assert repo["repo"] == "local" and "rev" not in repo
    [hook] = repo["hooks"]
    assert hook.pop("additional_dependencies") == [f"nb2prod-lint=={__version__}"]
    assert hook == {k: declared[k] for k in ("id", "name", "entry", "language", "types")}


def test_a_project_without_notebooks_still_gets_the_lint_job(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / WORKFLOW).read_text(encoding="utf-8")
    assert set(yaml.safe_load(text)["jobs"]) == {"lint"}
    assert "no notebook has a `parameters` cell" in text
    assert "no notebook has an `nb2prod:predict` cell" in text
    assert "run as jobs: none" in result.stdout


def test_unreadable_notebooks_are_skipped_with_a_warning(project):
    (project / "broken.ipynb").write_text("{", encoding="utf-8")
    write_notebook(project / "odd.ipynb", [code("x = 1", tags=["parameters", "nb2prod:bogus"])])
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert "broken.ipynb: not read" in result.stderr and "odd.ipynb: not read" in result.stderr
    run_lines = nb2prod_commands(workflow(project)["jobs"]["jobs"], "run")
    assert sorted(argv[2] for argv in run_lines) == ["churn.ipynb", "notebooks/train.ipynb"]


def test_the_files_go_to_the_project_root_of_path(project):
    result = run("init", "--ci", "github", str(project / "notebooks"), cwd=project.parent)
    assert result.returncode == 0, result.stderr
    assert (project / WORKFLOW).is_file() and (project / PRE_COMMIT).is_file()
    assert not (project / "notebooks" / ".github").exists()
    assert f"wrote {project.name}/{WORKFLOW.as_posix()}" in result.stdout


def test_excluded_notebooks_are_not_run(project):
    (project / "pyproject.toml").write_text('[tool.nb2prod.lint]\nexclude = ["notebooks/**"]\n')
    assert init(project).returncode == 0
    run_lines = nb2prod_commands(workflow(project)["jobs"]["jobs"], "run")
    assert [argv[2] for argv in run_lines] == ["churn.ipynb"]


def test_requirements_txt_is_installed_for_jobs_and_keys_the_cache(project):
    (project / "requirements.txt").write_text("pandas\n")
    assert init(project).returncode == 0
    flow = workflow(project)
    for name in ("jobs", "export"):
        assert ["pip", "install", "-r", "requirements.txt"] in commands(flow["jobs"][name])
    assert ["pip", "install", "-r", "requirements.txt"] not in commands(flow["jobs"]["lint"])
    setup = flow["jobs"]["lint"]["steps"][1]
    assert setup["with"]["cache-dependency-path"].split() == ["pyproject.toml", "requirements.txt"]


def test_without_a_file_to_key_the_cache_on_there_is_no_pip_cache(tmp_path):
    (tmp_path / ".git").mkdir()  # the project root, with no pyproject.toml
    assert init(tmp_path).returncode == 0
    setup = workflow(tmp_path)["jobs"]["lint"]["steps"][1]
    assert setup["with"] == {"python-version": "3.11"}


# --------------------------------------------------------------------------- never overwrite


def _snapshot(project) -> dict[Path, bytes]:
    return {p: (project / p).read_bytes() for p in (WORKFLOW, PRE_COMMIT)}


def test_a_second_run_refuses_and_changes_nothing(project):
    assert init(project).returncode == 0
    (project / WORKFLOW).write_text("# my own workflow\n", encoding="utf-8")
    before = _snapshot(project)
    result = init(project)
    assert result.returncode == 2
    assert ".github/workflows/nb2prod.yml already exists" in result.stderr
    assert "--force replaces them" in result.stderr
    assert _snapshot(project) == before


def test_force_rewrites(project):
    assert init(project).returncode == 0
    generated = (project / WORKFLOW).read_bytes()
    (project / WORKFLOW).write_text("# my own workflow\n", encoding="utf-8")
    result = init(project, "--force")
    assert result.returncode == 0, result.stderr
    assert (project / WORKFLOW).read_bytes() == generated  # and the same bytes every time
    assert not list(project.glob(".github/workflows/.*.tmp"))


def test_a_pre_commit_config_without_the_hook_is_refused_before_anything_is_written(project):
    mine = "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n"
    (project / PRE_COMMIT).write_text(mine, encoding="utf-8")
    result = init(project)
    assert result.returncode == 2 and ".pre-commit-config.yaml already exists" in result.stderr
    assert not (project / WORKFLOW).exists()  # nothing written, not even the other file
    assert (project / PRE_COMMIT).read_text(encoding="utf-8") == mine
    assert init(project, "--force").returncode == 0
    assert "nb2prod-lint" in (project / PRE_COMMIT).read_text(encoding="utf-8")


def test_a_pre_commit_config_that_runs_the_hook_is_kept(project):
    mine = (
        "repos:\n  - repo: https://github.com/nb2prod/nb2prod\n    rev: v0.0.9\n"
        "    hooks:\n      - id: nb2prod-lint\n  - repo: https://github.com/psf/black\n"
        "    rev: 24.1.0\n    hooks:\n      - id: black\n"
    )
    (project / PRE_COMMIT).write_text(mine, encoding="utf-8")
    for args in ((), ("--force",)):
        result = init(project, *args)
        assert result.returncode == 0, result.stderr
        assert f"kept {PRE_COMMIT}" in result.stdout
        assert (project / PRE_COMMIT).read_text(encoding="utf-8") == mine
    assert (project / WORKFLOW).is_file()


def test_a_file_in_the_place_of_a_folder_stops_before_writing(project):
    (project / ".github").write_text("not a folder", encoding="utf-8")
    result = init(project, "--force")
    assert result.returncode == 2 and "in the way" in result.stderr
    assert not (project / PRE_COMMIT).exists()


def test_dry_run_prints_the_files_and_writes_nothing(project):
    result = init(project, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert f"--- would write {WORKFLOW.as_posix()}\n" in result.stdout
    assert f"--- would write {PRE_COMMIT}\n" in result.stdout
    assert "nb2prod lint --format github ." in result.stdout and "id: nb2prod-lint" in result.stdout
    assert not (project / ".github").exists() and not (project / PRE_COMMIT).exists()


def test_dry_run_says_which_files_force_would_replace(project):
    (project / PRE_COMMIT).write_text("repos: []\n", encoding="utf-8")
    result = init(project, "--dry-run")
    assert result.returncode == 0
    assert f"--- would write {PRE_COMMIT} (exists; --force replaces it)" in result.stdout
    assert (project / PRE_COMMIT).read_text(encoding="utf-8") == "repos: []\n"


def test_init_adds_the_tracking_store_to_gitignore_once_and_keeps_what_it_held(project):
    (project / ".gitignore").write_text("*.pyc\n__pycache__/", encoding="utf-8")  # no newline
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert "added .nb2prod/ to .gitignore" in result.stdout
    text = (project / ".gitignore").read_text(encoding="utf-8")
    assert text.startswith("*.pyc\n__pycache__/\n") and text.endswith("\n.nb2prod/\n")
    assert init(project, "--force").returncode == 0
    assert (project / ".gitignore").read_text(encoding="utf-8") == text  # not twice
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    ignored = subprocess.run(["git", "check-ignore", "-q", ".nb2prod/mlflow.db"], cwd=project)
    assert ignored.returncode == 0  # git itself ignores the store


def test_a_gitignore_that_ignores_the_store_is_left_alone(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / ".gitignore").write_text("/.nb2prod\n", encoding="utf-8")
    result = init(tmp_path)
    assert result.returncode == 0 and ".gitignore" not in result.stdout
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "/.nb2prod\n"


def test_a_new_project_gets_a_gitignore_and_dry_run_only_says_so(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    dry = init(tmp_path, "--dry-run")
    assert "--- would add .nb2prod/ to .gitignore" in dry.stdout
    assert not (tmp_path / ".gitignore").exists()
    assert init(tmp_path).returncode == 0
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8").endswith("\n.nb2prod/\n")


# --------------------------------------------------------------------------- arguments


def test_ci_is_required_and_only_github_is_known(project):
    assert run("init", cwd=project).returncode == 2
    unknown = run("init", "--ci", "gitlab", cwd=project)
    assert unknown.returncode == 2 and "github" in unknown.stderr
    assert "others may come" in run("init", "--help", cwd=project).stdout
    assert not (project / ".github").exists()


def test_a_missing_path_is_a_usage_error(project):
    result = init(project, "no/such/folder")
    assert result.returncode == 2 and "no such file or folder" in result.stderr


# --------------------------------------------------------------------------- core


@pytest.mark.parametrize(
    "value",
    [
        "train.ipynb",
        "models/churn model.ipynb",
        "a: b.ipynb",
        "#1 first.ipynb",
        "- dash.ipynb",
        'it\'s "quoted".ipynb',
        "true",
        "on",
        "1.5",
        ".inf",
        "0x1F",
        "ünïcode/ノート.ipynb",
        "pip install nb2prod[lab]>=0.1",
        "trailing ",
    ],
)
def test_yaml_scalar_reads_back_as_the_same_string(value):
    assert yaml.safe_load(f"key: {yaml_scalar(value)}\n") == {"key": value}


def test_odd_notebook_names_reach_the_command_line_unchanged(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    name = 'it\'s a "job" $HOME: #1.ipynb'
    write_notebook(tmp_path / name, [code("x = 1", tags=["parameters"])])
    scaffold = plan_ci(tmp_path)
    flow = yaml.safe_load(scaffold.files[0].content)
    assert nb2prod_commands(flow["jobs"]["jobs"], "run")[0][:3] == ["nb2prod", "run", name]


def test_notebooks_with_one_name_in_two_folders_get_two_packages(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    write_notebook(tmp_path / "a" / "churn.ipynb", CHURN)
    write_notebook(tmp_path / "b" / "churn.ipynb", CHURN)
    scaffold = plan_ci(tmp_path)
    assert [e.package for e in scaffold.scan.exports] == ["churn", "churn_2"]
    assert [j.slug for j in scaffold.scan.jobs] == ["a-churn", "b-churn"]


def test_the_install_line_is_a_parameter(project):
    scaffold = plan_ci(project, install="pip install nb2prod==0.1.0")
    flow = yaml.safe_load(scaffold.files[0].content)
    for job in flow["jobs"].values():
        assert ["pip", "install", "nb2prod==0.1.0"] in commands(job)


def test_each_job_is_gated_by_its_own_notebooks_errors_only(project):
    assert init(project).returncode == 0
    flow = workflow(project)
    for name in ("jobs", "export"):
        job = flow["jobs"][name]
        assert "needs" not in job
        lines = nb2prod_commands(job)
        gates = [argv for argv in lines if argv[1] == "lint"]
        assert gates and all(argv[2:4] == ["--fail-on", "error"] for argv in gates)
        # the gate comes before the notebook is run or exported
        assert lines.index(gates[0]) < next(i for i, a in enumerate(lines) if a[1] != "lint")
        main.commands["lint"].make_context("lint", gates[0][2:])


def test_jobs_have_timeouts_keep_the_store_and_write_a_step_summary(project):
    assert init(project).returncode == 0
    flow = workflow(project)
    assert all(isinstance(job["timeout-minutes"], int) for job in flow["jobs"].values())
    jobs = flow["jobs"]["jobs"]
    store = next(s for s in jobs["steps"] if s.get("with", {}).get("path") == ".nb2prod/")
    assert store["with"]["include-hidden-files"] is True  # upload-artifact skips dot folders
    assert store["if"] == "success() || failure()"
    # Each run and export adds its own Markdown to the run's page: no `nb2prod runs` step.
    for name, command in (("jobs", "run"), ("export", "export")):
        lines = nb2prod_commands(flow["jobs"][name], command)
        assert lines and all(a[-2:] == ["--summary", "$GITHUB_STEP_SUMMARY"] for a in lines)
        main.commands[command].make_context(command, lines[0][2:])
    assert not nb2prod_commands(jobs, "runs")


# --------------------------------------------------------------------------- [tool.nb2prod.test]


def _test_table(project, table: str) -> None:
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\n[tool.nb2prod.test]\n{table}'
    )


def test_jobs_run_each_parameter_set_with_the_test_tables_timeout(project):
    _test_table(
        project,
        'timeout = 90\n[tool.nb2prod.test.parameters]\n"notebooks/train.ipynb" = '
        '[{epochs = 1}, {epochs = 5, note = "it\'s"}]\n',
    )
    assert init(project).returncode == 0
    jobs = workflow(project)["jobs"]["jobs"]
    entries = jobs["strategy"]["matrix"]["include"]
    assert [(e["notebook"], e["label"], e["slug"]) for e in entries] == [
        ("churn.ipynb", "defaults", "churn"),
        ("notebooks/train.ipynb", "epochs=1", "notebooks-train-1"),
        ("notebooks/train.ipynb", "epochs=5,note=it's", "notebooks-train-2"),
    ]
    lines = commands(jobs)
    written = [json.loads(argv[2]) for argv in lines if argv[:1] == ["printf"]]
    assert written == [{}, {"epochs": 1}, {"epochs": 5, "note": "it's"}]
    assert all(argv[-1] == "$RUNNER_TEMP/parameters.json" for argv in lines if argv[0] == "printf")
    (project / "parameters.json").write_text("{}")
    for argv in nb2prod_commands(jobs, "run"):
        assert argv[3:5] == ["-f", "$RUNNER_TEMP/parameters.json"]
        assert argv[argv.index("--timeout") + 1] == "90"
        argv[4] = str(project / "parameters.json")  # the file the printf line writes
        main.commands["run"].make_context("run", argv[2:])
    assert "run ${{ matrix.notebook }} [${{ matrix.label }}]" == jobs["name"]


def test_notebooks_the_test_table_excludes_are_linted_but_neither_run_nor_exported(project):
    _test_table(project, 'exclude = ["churn.ipynb"]\n')
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert "linted only ([tool.nb2prod.test] exclude): churn.ipynb" in result.stdout
    flow = workflow(project)
    assert set(flow["jobs"]) == {"lint", "jobs"}  # no export: churn was the only one
    assert [a[2] for a in nb2prod_commands(flow["jobs"]["jobs"], "run")] == [
        "notebooks/train.ipynb"
    ]
    assert nb2prod_commands(flow["jobs"]["lint"], "lint")[-1][-1] == "."  # still linted


def test_a_sequence_runs_its_notebooks_in_order_in_one_job_and_exports_there(project):
    _test_table(project, 'sequences = [["notebooks/train.ipynb", "churn.ipynb"]]\n')
    result = init(project)
    assert result.returncode == 0, result.stderr
    assert "run in order, in one job (sequence-1): notebooks/train.ipynb -> churn.ipynb" in (
        result.stdout
    )
    flow = workflow(project)
    assert set(flow["jobs"]) == {"lint", "sequence-1"}  # both notebooks are its to run
    sequence = flow["jobs"]["sequence-1"]
    assert "strategy" not in sequence and sequence["timeout-minutes"] == 60
    assert [a[:3] for a in nb2prod_commands(sequence)] == [
        ["nb2prod", "lint", "--fail-on"],
        ["nb2prod", "run", "notebooks/train.ipynb"],  # train first, as listed
        ["nb2prod", "run", "churn.ipynb"],
        ["nb2prod", "export", "churn.ipynb"],  # in the checkout the runs wrote to
    ]
    gate = nb2prod_commands(sequence)[0]
    assert gate[4:] == ["notebooks/train.ipynb", "churn.ipynb"]
    uploads = [
        s["with"]["name"] for s in sequence["steps"] if "upload-artifact" in s.get("uses", "")
    ]
    assert uploads == ["executed-sequence-1", "mlflow-sequence-1", "package-churn"]
    text = (project / WORKFLOW).read_text(encoding="utf-8")
    assert "no notebook has a `parameters` cell" not in text
    assert "no notebook has an `nb2prod:predict` cell" not in text


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("sequence = []\n", "unknown key(s) sequence"),
        ('exclude = ["notebooks/old_*.ipynb"]\n', "'notebooks/old_*.ipynb' matches no notebook"),
        ('sequences = [["notebooks/train.ipynb", "eval.ipynb"]]\n', "'eval.ipynb' is no notebook"),
        (
            'exclude = ["churn.ipynb"]\nsequences = [["notebooks/train.ipynb", "churn.ipynb"]]\n',
            "'churn.ipynb' is also excluded",
        ),
    ],
)
def test_a_wrong_test_table_stops_init_naming_the_valid_choices(project, table, words):
    _test_table(project, table)
    result = init(project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr and "[tool.nb2prod.test]" in result.stderr
    if "unknown" in words:
        assert "valid keys: exclude, parameters, sequences, timeout" in result.stderr
    if "notebook" in words:
        assert "notebooks: churn.ipynb, notebooks/eda.ipynb, notebooks/train.ipynb" in (
            result.stderr
        )
    assert not (project / WORKFLOW).exists()


def test_the_sarif_step_leaves_info_findings_out_of_code_scanning(tmp_path):
    """Under the explore profile, an unexecuted notebook's findings are info: advice the
    JSON report keeps, never a code-scanning alert."""
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod.lint]\nprofile = "explore"\n')
    write_notebook(
        tmp_path / "nb.ipynb",
        [code("x = 1", count=2), code("y = x + 1", count=1), code("v = input('n?')", count=3)],
    )
    flow = yaml.safe_load(plan_ci(tmp_path).files[0].content)
    sarif_line = nb2prod_commands(flow["jobs"]["lint"], "lint")[0]
    assert run(*sarif_line[1:], cwd=tmp_path).returncode == 0
    sarif = json.loads((tmp_path / "nb2prod.sarif").read_text(encoding="utf-8"))
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["error"]  # input()
    report = json.loads(run("lint", "--format", "json", ".", cwd=tmp_path).stdout)
    assert sorted(f["severity"] for f in report["findings"]) == ["error", "info"]
    fewer = run("lint", "--min-severity", "error", "--fail-on", "info", ".", cwd=tmp_path)
    assert fewer.returncode == 1 and "1 error" in fewer.stdout and "info" not in fewer.stdout
