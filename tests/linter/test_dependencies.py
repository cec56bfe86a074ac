"""Declared dependencies, import -> distribution mapping (nb2prod/dependencies/) and
install command parsing (nb2prod/linter/installs.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from nb2prod.dependencies import declared as declarations
from nb2prod.dependencies import distributions
from nb2prod.linter.installs import install_commands, is_conda_pinned, is_pinned, shell_segments

from ..conftest import write_notebook


def declared(folder, *more):
    return declarations.declared_dependencies([folder, *more])


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- dependency files


def test_requirements_files_follow_includes(tmp_path):
    write(
        tmp_path / "requirements.txt",
        """\
        # comment
        pandas==2.2.2  # pinned
        Scikit_Learn>=1.3 ; python_version > "3.9"
        requests[socks]
        -r requirements/base.txt
        --requirement=extra.txt
        -c constraints.txt
        --index-url https://example.org/simple
        -e git+https://github.com/org/tool.git@abc1234#egg=Tool_X
        -e .
        ./local/pkg
        https://example.org/archive.zip
        mlflow @ https://example.org/mlflow-2.0.whl
        numpy \\
            >=1.26
        -r missing.txt
        """,
    )
    write(tmp_path / "requirements" / "base.txt", "torch\n-r ../requirements.txt\n")
    write(tmp_path / "extra.txt", "polars\n")
    write(tmp_path / "constraints.txt", "notdeclared==1\n")
    result = declared(tmp_path)
    assert result.names == {
        "pandas",
        "scikit-learn",
        "requests",
        "torch",
        "polars",
        "tool-x",
        "mlflow",
        "numpy",
    }
    assert [p.relative_to(tmp_path).as_posix() for p in result.files] == [
        "requirements.txt",
        "requirements/base.txt",
    ]


def test_requirements_file_name_variants(tmp_path):
    write(tmp_path / "requirements-dev.txt", "pytest\n")
    write(tmp_path / "dev_requirements.txt", "ruff\n")
    write(tmp_path / "requirements.in", "httpx\n")
    write(tmp_path / "notes.txt", "notapackage\n")
    assert declared(tmp_path).names == {"pytest", "ruff", "httpx"}


def test_pyproject_tables(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        """\
        [project]
        name = "my-project"
        dependencies = ["pandas>=2", "PyYAML"]
        [project.optional-dependencies]
        ml = ["torch==2.3"]
        [dependency-groups]
        dev = ["pytest", {include-group = "lint"}]
        lint = ["ruff"]
        [tool.poetry.dependencies]
        python = "^3.11"
        httpx = "^0.27"
        [tool.poetry.group.docs.dependencies]
        mkdocs = "*"
        [tool.poetry.dev-dependencies]
        black = "*"
        [tool.pdm.dev-dependencies]
        test = ["hypothesis"]
        [tool.uv]
        dev-dependencies = ["mypy"]
        """,
    )
    assert declared(tmp_path).names == {
        "my-project",
        "pandas",
        "pyyaml",
        "torch",
        "pytest",
        "ruff",
        "httpx",
        "mkdocs",
        "black",
        "hypothesis",
        "mypy",
    }


def test_pyproject_without_dependency_tables_is_no_dependency_file(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.nb2prod.lint]\nselect = ['NB3']\n")
    write(tmp_path / "sub" / "pyproject.toml", "")
    assert declared(tmp_path, tmp_path / "sub").files == ()


def test_broken_files_are_skipped(tmp_path):
    write(tmp_path / "pyproject.toml", "[project\n")
    write(tmp_path / "setup.py", "setup(\n")
    write(tmp_path / "requirements.txt", "numpy\n")
    result = declared(tmp_path)
    assert result.names == {"numpy"} and [p.name for p in result.files] == ["requirements.txt"]


def test_environment_yml(tmp_path):
    write(
        tmp_path / "environment.yml",
        """\
        name: ml
        channels:
          - conda-forge
        dependencies:
          - python=3.11
          - numpy=1.26   # pinned
          - conda-forge::scikit-learn>=1.3
          - "pandas 2.2.*"
          - pip
          - pip:
            - torch==2.3.0
            - -r requirements-extra.txt
            - "git+https://github.com/org/repo@abc1234#egg=repo_x"
        variables:
          - notadependency
        """,
    )
    assert declared(tmp_path).names == {"numpy", "scikit-learn", "pandas", "pip", "torch", "repo-x"}


def test_environment_yaml_with_items_at_the_key_indent(tmp_path):
    write(tmp_path / "environment.yaml", "dependencies:\n- scipy\n- pip:\n  - shap\nprefix: /x\n")
    assert declared(tmp_path).names == {"scipy", "shap"}


def test_pipfile(tmp_path):
    write(
        tmp_path / "Pipfile",
        """\
        [[source]]
        url = "https://pypi.org/simple"
        [packages]
        requests = "*"
        Django = {version = ">=4"}
        [dev-packages]
        pytest = "*"
        [requires]
        python_version = "3.11"
        """,
    )
    assert declared(tmp_path).names == {"requests", "django", "pytest"}


def test_setup_cfg(tmp_path):
    write(
        tmp_path / "setup.cfg",
        """\
        [metadata]
        name = mylib
        [options]
        install_requires =
            numpy>=1.26
            pandas  # data frames
            file: reqs.txt
        [options.extras_require]
        plot = matplotlib; seaborn
        """,
    )
    write(tmp_path / "reqs.txt", "scipy\n")
    assert declared(tmp_path).names == {"mylib", "numpy", "pandas", "scipy", "matplotlib"}


def test_setup_py_literals(tmp_path):
    write(
        tmp_path / "setup.py",
        """\
        from setuptools import setup
        REQUIRES = ["numpy>=1", "opencv-python-headless"]
        setuptools_setup = None
        setup(
            name="mylib",
            install_requires=REQUIRES,
            extras_require={"viz": ["plotly"], "bad": some_call()},
        )
        """,
    )
    assert declared(tmp_path).names == {"mylib", "numpy", "opencv-python-headless", "plotly"}


def test_declarations_are_cached_per_file_version(tmp_path):
    requirements = write(tmp_path / "requirements.txt", "numpy\n")
    before = declarations._read_folder.cache_info()
    assert declared(tmp_path).names == {"numpy"}
    assert declared(tmp_path).names == {"numpy"}
    after = declarations._read_folder.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
    requirements.write_text("numpy\npandas\n")  # another size: a new version
    assert declared(tmp_path).names == {"numpy", "pandas"}


# --------------------------------------------------------------------------- imports


@pytest.mark.parametrize(
    ("dotted", "key"),
    [
        ("pandas", "pandas"),
        ("sklearn.model_selection", "sklearn"),
        ("google.cloud.storage.blob", "google.cloud.storage"),
        ("azure.identity", "azure.identity"),
        ("google", "google"),
    ],
)
def test_import_keys(dotted, key):
    assert distributions.import_key(dotted) == key


@pytest.mark.parametrize(
    ("key", "names"),
    [
        ("sklearn", {"scikit-learn"}),
        ("cv2", {"opencv-python-headless"}),
        ("PIL", {"pillow"}),
        ("yaml", {"pyyaml"}),
        ("bs4", {"beautifulsoup4"}),
        ("skimage", {"scikit-image"}),
        ("dateutil", {"python-dateutil"}),
        ("dotenv", {"python-dotenv"}),
        ("sentence_transformers", {"sentence-transformers"}),
        ("google.cloud.storage", {"google-cloud-storage"}),
        ("google.protobuf", {"protobuf"}),
        ("torch", {"pytorch"}),  # the conda name
        ("jupyter", {"jupyter-core"}),  # installed here: importlib.metadata knows
    ],
)
def test_declared_provider(key, names):
    assert distributions.declared_provider(key, frozenset(names))


@pytest.mark.parametrize(
    ("key", "names"),
    [
        ("sklearn", {"sklearn-pandas"}),
        ("cv2", {"opencv-foo"}),
        ("google.cloud.bigquery", {"google-cloud-storage", "protobuf"}),
        ("pandas", set()),
    ],
)
def test_not_declared_provider(key, names):
    assert not distributions.declared_provider(key, frozenset(names))


def test_best_distribution_names():
    assert distributions.best_distribution("sklearn") == "scikit-learn"
    assert distributions.best_distribution("jupyter") == "jupyter_core"
    assert distributions.best_distribution("google.cloud.storage") == "google-cloud-storage"
    assert distributions.best_distribution("somethingunknown") == "somethingunknown"


def test_stdlib_and_first_party(tmp_path):
    assert (
        distributions.is_stdlib("os")
        and distributions.is_stdlib("tomllib")
        and distributions.is_stdlib("__future__")
    )
    assert not distributions.is_stdlib("pandas")
    write(tmp_path / "helpers.py", "")
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "nspkg" / "mod.py", "")
    (tmp_path / "data").mkdir()
    for name in ("helpers", "pkg", "nspkg"):
        assert distributions.is_first_party(name, [tmp_path])
    assert not distributions.is_first_party("data", [tmp_path])
    assert not distributions.is_first_party("pandas", [tmp_path])


def test_lint_reads_nothing_without_third_party_imports(tmp_path):
    """A notebook with only standard-library imports: no dependency file is read and
    importlib.metadata is never asked; a declared name needs no importlib either."""
    write(tmp_path / "requirements.txt", "pandas\n")
    write(tmp_path / "pyproject.toml", "")
    stdlib = write_notebook(tmp_path / "a.ipynb", ["import os, json\nfrom pathlib import Path"])
    declared_only = write_notebook(tmp_path / "b.ipynb", ["import pandas"])
    script = textwrap.dedent(f"""
        import sys
        from nb2prod.config import LintOverrides, lint_settings
        from nb2prod.linter.engine import lint_file
        from nb2prod.dependencies import declared as declarations, distributions
        for path in ({str(stdlib)!r}, {str(declared_only)!r}):
            settings = lint_settings(path, LintOverrides(select=("NB401",)))
            assert lint_file(path, settings).findings == []
            print(declarations._read_folder.cache_info().misses, distributions._installed.cache_info().misses)
    """)
    output = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert output.stdout.split("\n")[:2] == ["0 0", "1 0"]


# --------------------------------------------------------------------------- install commands


@pytest.mark.parametrize(
    ("command", "segments"),
    [
        (
            "cd x && pip install y; ls | wc -l",
            [["cd", "x"], ["pip", "install", "y"], ["ls"], ["wc", "-l"]],
        ),
        ("pip install 'a b' # comment", [["pip", "install", "a b"]]),
        ("pip install x 2>&1 >/dev/null", [["pip", "install", "x"]]),
        ("pip install x > log.txt &", [["pip", "install", "x"]]),
        ('pip install "numpy>=1', [["pip", "install", "numpy>=1"]]),
        ("pip install git+https://x/y#egg=z", [["pip", "install", "git+https://x/y#egg=z"]]),
        ("pip install \\\n  x", [["pip", "install", "x"]]),
    ],
)
def test_shell_segments(command, segments):
    assert shell_segments(command) == segments


@pytest.mark.parametrize(
    ("command", "tool", "action", "packages", "files"),
    [
        ("pip install pandas", "pip", "install", ("pandas",), ()),
        ("pip3.11 install -q x", "pip", "install", ("x",), ()),
        ("python -m pip install -U x", "pip", "install", ("x",), ()),
        ("{sys.executable} -m pip install x", "pip", "install", ("x",), ()),
        ("/usr/bin/python3 -mpip install x", "pip", "install", ("x",), ()),
        ("uv pip install --system x", "pip", "install", ("x",), ()),
        (
            "pip --disable-pip-version-check --proxy http://p install x",
            "pip",
            "install",
            ("x",),
            (),
        ),
        (
            "pip install -rrequirements.txt -i https://idx x==1",
            "pip",
            "install",
            ("x==1",),
            ("requirements.txt",),
        ),
        ("pip install --requirement=r.txt", "pip", "install", (), ("r.txt",)),
        ("pip install -e ./lib", "pip", "install", ("./lib",), ()),
        (
            "pip install x @ git+https://h/r@abc1234",
            "pip",
            "install",
            ("x @ git+https://h/r@abc1234",),
            (),
        ),
        ("sudo -u root -E pip install x", "pip", "install", ("x",), ()),
        ("PIP_NO_CACHE=1 pip install x", "pip", "install", ("x",), ()),
        ("pip uninstall -y x", "pip", "uninstall", ("x",), ()),
        (
            "conda install -c conda-forge -n env -y numpy=1.26",
            "conda",
            "install",
            ("numpy=1.26",),
            (),
        ),
        ("micromamba install --file env.txt", "conda", "install", (), ("env.txt",)),
        ("conda remove scipy", "conda", "uninstall", ("scipy",), ()),
        (
            "apt-get install -y -o Dpkg::Options::=--force-confold ffmpeg",
            "apt-get",
            "install",
            ("ffmpeg",),
            (),
        ),
        ("apk add git", "apk", "install", ("git",), ()),
        ("pip install -e", "pip", "install", (), ()),  # an option cut off: nothing to read
        ("pip install x -r", "pip", "install", ("x",), ()),
    ],
)
def test_install_commands(command, tool, action, packages, files):
    [install] = install_commands(command)
    assert (install.tool, install.action, install.packages, install.files) == (
        tool,
        action,
        packages,
        files,
    )


@pytest.mark.parametrize(
    "command",
    [
        "pip list",
        "pip freeze > r.txt",
        "pip show x",
        "pip",
        "pip --version",
        "conda list",
        "conda create -n x",
        "apt-get update",
        "echo pip install x",
        "ls",
        "",
        "uv add x",
        "python script.py install",
    ],
)
def test_not_install_commands(command):
    assert install_commands(command) == []


@pytest.mark.parametrize(
    ("requirement", "pinned"),
    [
        ("pandas==2.2.2", True),
        ("pandas===2.2.2", True),
        ("pandas[excel]==2.2", True),
        ("pandas==2.2; python_version>'3'", True),
        ("pandas>=2,==2.2.2", True),
        ("pandas", False),
        ("pandas>=2", False),
        ("pandas~=2.2", False),
        ("pandas==2.*", False),
        ("pandas!=2.0", False),
        (".", True),
        ("./lib", True),
        ("/abs/x.whl", True),
        ("x-1.0-py3-none-any.whl", True),
        ("git+https://github.com/o/r@0123abcd", True),
        ("git+https://github.com/o/r", False),
        ("git+https://github.com/o/r@v1.2", False),
        ("x @ git+https://h/r@0123abcd", True),
        ("x @ git+https://h/r", False),
        ("https://example.org/x-1.0.tar.gz", True),
        ("https://github.com/o/r/archive/refs/heads/main.zip", False),
        ("{pkg}", True),
        ("$PKG", True),
    ],
)
def test_is_pinned(requirement, pinned):
    assert is_pinned(requirement) is pinned


@pytest.mark.parametrize(
    ("spec", "pinned"),
    [
        ("numpy=1.26.4", True),
        ("numpy==1.26", True),
        ("conda-forge::numpy=1.26", True),
        ("numpy 1.26.4", True),
        ("numpy", False),
        ("numpy>=1.26", False),
        ("numpy=1.26.*", False),
        ("numpy 1.26.*", False),
    ],
)
def test_is_conda_pinned(spec, pinned):
    assert is_conda_pinned(spec) is pinned


def test_unpinned_is_empty_for_removals_constraints_and_system_packages():
    assert install_commands("pip uninstall x")[0].unpinned() == []
    assert install_commands("pip install -c c.txt x")[0].unpinned() == []
    assert install_commands("apt-get install x")[0].unpinned() == []
    assert install_commands("pip install x y==1 -U")[0].unpinned() == ["x"]


def test_what_is_installed_is_read_once_per_environment(tmp_path):
    """Providers, versions and requirements of installed distributions: read with
    importlib.metadata once, then from the user's cache without importing it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nb2prod.dependencies import distributions\n"
        "print(distributions._installed_cache())\n"
        "print(distributions.installed_distributions('yaml'))\n"
        "print(distributions.installed_release('pyyaml'), distributions.installed_release('nope'))\n"
        "print(sorted(distributions.installed_requirements('requests') & {'idna', 'urllib3'}))\n"
        "print('importlib.metadata' in sys.modules)\n"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    lines = first.stdout.splitlines()
    assert lines[0].startswith(str(tmp_path / "nb2prod" / "installed-")), first.stderr
    assert lines[1] == "['PyYAML']"
    from importlib.metadata import version

    assert lines[2] == f"{version('PyYAML')} None"
    assert lines[3] == "['idna', 'urllib3']"
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert again.stdout.splitlines()[:4] == lines[:4]  # read back from the cache file
    assert again.stdout.splitlines()[4] == "False"  # without importlib.metadata
    assert len(list((tmp_path / "nb2prod").glob("installed-*.json"))) == 1


def test_a_broken_distribution_leaves_the_others_known(tmp_path):
    """A distribution whose METADATA is not UTF-8 makes importlib.metadata raise: it is
    skipped, and what else is installed is still read."""
    import subprocess
    import sys

    site = tmp_path / "site-packages"
    broken = site / "broken-1.0.dist-info"
    broken.mkdir(parents=True)
    (broken / "METADATA").write_bytes(b"Metadata-Version: 2.1\nName: broken\nVersion: \xff\n")
    fine = site / "fine-2.0.dist-info"
    fine.mkdir()
    (fine / "METADATA").write_text("Metadata-Version: 2.1\nName: fine\nVersion: 2.0\n")
    code = (
        "from nb2prod.dependencies import distributions as d\n"
        "print(d.installed_release('fine'), d.installed_release('broken'), "
        "d.installed_distributions('yaml'))\n"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(site), "PATH": "/usr/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "2.0 None ['PyYAML']", done.stderr


def test_a_cut_off_install_option_is_no_internal_error(lint_cells):
    findings = lint_cells(["!pip install -e", "%pip install pandas -r"], select=["ALL"])
    assert "NB000" not in {f.code for f in findings}
