"""``[tool.nb2prod]`` in pyproject.toml (the closest file that has the table wins)
and the project root every part of nb2prod agrees on."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import re
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.errors import ConfigError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

PROFILES = ("explore", "prod")
DEFAULT_PROFILE = "prod"
#: Rule options that take one of a few words.
_OPTION_CHOICES = {"saved-outputs": ("auto", "stripped", "kept")}
_LINT_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "profile",
    "exclude",
    "show-info",
    "respect-gitignore",
}
#: The keys of ``[tool.nb2prod]`` itself: its tables and the tracking settings.
TOP_KEYS = frozenset(
    {
        "lint",
        "test",
        "tracking_uri",
        "tracking_username_env",
        "tracking_password_env",
        "mlflow_ui_url",
    }
)
#: ``[tool.nb2prod]`` keys naming the variables that hold a team server's user and password.
USERNAME_KEY = "tracking_username_env"
PASSWORD_KEY = "tracking_password_env"
PASSWORD_ENV = "MLFLOW_TRACKING_PASSWORD"  # MLflow's own
_SECRET_KEY_WORDS = ("password", "passwd", "secret", "token", "api_key")
#: The keys of ``[tool.nb2prod.test]`` (``pytest --nb2prod`` and the CI workflow's jobs;
#: read and checked by ``nb2prod.jobs.suite``).
TEST_KEYS = frozenset({"timeout", "parameters", "exclude", "sequences"})


def find_project_root(start: str | os.PathLike) -> Path:
    """Nearest folder holding pyproject.toml or .git, else ``start``'s own folder."""
    start = os.path.abspath(start)
    return _project_root(start if os.path.isdir(start) else os.path.dirname(start))


@functools.lru_cache(maxsize=1024)
def _project_root(folder: str) -> Path:
    # Cached per folder: a lint run asks once per notebook, mostly for the same folders.
    resolved = real_folder(folder)
    return _marked_root(resolved) or resolved


@functools.lru_cache(maxsize=1024)
def _marked_root(folder: Path) -> Path | None:
    """The nearest of ``folder`` and its parents holding pyproject.toml or .git; each
    folder is looked at once, whichever notebook's folder it is above."""
    if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
        return folder
    return None if folder.parent == folder else _marked_root(folder.parent)


@functools.lru_cache(maxsize=1024)
def real_folder(folder: str) -> Path:
    """``folder`` with symlinks resolved, as project roots are found.  Cached: resolving
    costs a system call per path component, and every notebook of a folder asks."""
    return Path(os.path.realpath(folder))


def find_config(folder: str | os.PathLike) -> tuple[Path | None, dict]:
    """The closest pyproject.toml above ``folder`` with a ``[tool.nb2prod]`` table."""
    for candidate in (Path(folder), *Path(folder).parents):
        table = read_tool_table(candidate / "pyproject.toml")
        if table is not None:
            return candidate / "pyproject.toml", table
    return None, {}


def read_tool_table(pyproject: Path) -> dict | None:
    """``[tool.nb2prod]`` of ``pyproject``, None when the file or table is absent."""
    try:
        stat = pyproject.stat()
    except OSError:
        return None
    # Cached by modification time: long-lived processes (the Jupyter server) see edits.
    return _read_tool_table(pyproject, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_tool_table(pyproject: Path, _mtime_ns: int, _size: int) -> dict | None:
    try:
        with open(pyproject, "rb") as fh:
            document = tomllib.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read TOML: {exc}", "fix the file") from None
    table = document.get("tool", {}).get("nb2prod")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.nb2prod] must be a table")
    if table is not None:
        check_no_password(table, pyproject)  # before the keys: a password is no typo
        check_keys(table, TOP_KEYS, f"{pyproject} [tool.nb2prod]")
    return table


def check_no_password(table: dict, pyproject: Path | None) -> None:
    """Refuse a password (or token) written into ``[tool.nb2prod]``: a key such as
    ``tracking_password``, or a ``tracking_uri`` of the form ``https://user:pw@host``."""
    for key in table:
        if key in (USERNAME_KEY, PASSWORD_KEY) or not isinstance(key, str):
            continue
        if any(word in key.lower() for word in _SECRET_KEY_WORDS):
            raise ConfigError(
                f"{pyproject}: [tool.nb2prod] {key}: a password does not belong in "
                "pyproject.toml (it is committed and shared)",
                f"remove it; export it as {PASSWORD_ENV}, or name the variable that holds "
                f'it with {PASSWORD_KEY} = "TEAM_MLFLOW_PASSWORD"',
            )
    uri = table.get("tracking_uri")
    if isinstance(uri, str) and re.match(r"[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]*@", uri, re.I):
        raise ConfigError(
            f"{pyproject}: [tool.nb2prod] tracking_uri holds a password (user:password@)",
            f"write the URI without it and export the password as {PASSWORD_ENV}",
        )


def check_keys(table: dict, known: Iterable[str], where: str) -> None:
    """ConfigError naming the keys of ``table`` not in ``known``, and the valid ones."""
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}",
            f"valid keys: {', '.join(sorted(known))}",
        )


# --------------------------------------------------------------------------- lint settings


@dataclass(frozen=True)
class LintOverrides:
    """What the command line (or another adapter) says, over the configuration files."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    profile: str | None = None
    config_file: str | None = None  # use this pyproject.toml instead of discovery
    isolated: bool = False  # ignore configuration files


@dataclass(frozen=True)
class LintSettings:
    """Settings resolved for one notebook."""

    enabled: frozenset[str]
    profile: str = DEFAULT_PROFILE
    options: dict[str, Any] = field(default_factory=dict)
    config_path: str | None = None
    exclude: tuple[str, ...] = ()
    #: ``(glob, codes)`` of ``per-file-ignores``; applied by :meth:`for_file`.
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    #: ``show-info``: the text report lists info findings instead of counting them.
    show_info: bool = False
    #: ``respect-gitignore``: walking a folder skips what git ignores (``.gitignore`` files,
    #: ``.git/info/exclude``), as Ruff does; a notebook named on the command line is linted.
    respect_gitignore: bool = True

    def for_file(self, notebook_path: str) -> LintSettings:
        """These settings with the ``per-file-ignores`` that match ``notebook_path`` applied."""
        if not self.per_file_ignores:
            return self
        base = Path(self.config_path).parent if self.config_path else Path.cwd()
        ignored = [
            codes
            for glob, codes in self.per_file_ignores
            if path_matches(notebook_path, glob, base)
        ]
        if not ignored:
            return self
        return dataclasses.replace(
            self, enabled=self.enabled.difference(*ignored), per_file_ignores=()
        )

    def option(self, rule_code: str, name: str) -> Any:
        from nb2prod.linter.rule import REGISTRY

        return self.options.get(name, REGISTRY[rule_code].options.get(name))


def resolve_selectors(
    selectors, codes: list[str], names: dict[str, str], where: str | None = None
) -> set[str]:
    """Codes matched by ``selectors`` (``ALL``, a code prefix such as ``NB2``, a rule name, or
    an old code: then with a FutureWarning)."""
    from nb2prod.linter.rule import RENAMED_CODES, renamed_note

    chosen: set[str] = set()
    for selector in selectors:
        selector = selector.strip()
        if not selector:
            continue
        if selector.upper() == "ALL":
            chosen.update(codes)
        elif selector.upper() in RENAMED_CODES:
            note = renamed_note(selector)
            warnings.warn(f"{where}: {note}" if where else note, FutureWarning, stacklevel=2)
            chosen.add(RENAMED_CODES[selector.upper()])
        elif selector in names:
            chosen.add(names[selector])
        else:
            matched = [c for c in codes if c.startswith(selector.upper())]
            if not matched:
                raise UsageError(
                    f"unknown rule selector {selector!r}",
                    "use a code such as NB201, a prefix such as NB2, a rule name, or ALL",
                )
            chosen.update(matched)
    return chosen


def check_overrides(overrides: LintOverrides) -> None:
    """Reject unknown rule selectors given on the command line, even when no file is linted."""
    from nb2prod.linter.rule import all_rules, selector_names

    codes, names = [r.code for r in all_rules()], selector_names()
    for selectors in (overrides.select or (), overrides.ignore, overrides.extend_select):
        resolve_selectors(selectors, codes, names)


def split_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Rule codes as options give them: ``["NB201, NB3", "NB6"]`` -> ``("NB201", "NB3",
    "NB6")``."""
    return tuple(code.strip() for item in values for code in item.split(",") if code.strip())


def _codes(table: dict, key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule codes")
    return value


def lint_settings(notebook_path: str, overrides: LintOverrides) -> LintSettings:
    """The lint settings that apply to ``notebook_path``."""
    return folder_settings(Path(notebook_path).resolve().parent, overrides).for_file(notebook_path)


def folder_settings(folder: Path, overrides: LintOverrides) -> LintSettings:
    """The lint settings of notebooks in ``folder``, before ``per-file-ignores``."""
    from nb2prod.linter.rule import all_rules, selector_names

    rules = all_rules()
    codes = [r.code for r in rules]
    names = selector_names()
    option_defaults = {k: v for r in rules for k, v in r.options.items()}

    config_path: Path | None
    table: dict | None
    if overrides.isolated:
        config_path, table = None, {}
    elif overrides.config_file:
        config_path = Path(overrides.config_file)
        table = read_tool_table(config_path.resolve())
        if table is None:
            raise UsageError(f"{config_path}: no [tool.nb2prod] table (or no such file)")
    else:
        config_path, table = find_config(folder)
    lint = table.get("lint", {})
    where = f"{config_path} [tool.nb2prod.lint]"
    if not isinstance(lint, dict):
        raise ConfigError(f"{where} must be a table")
    check_keys(lint, _LINT_KEYS | set(option_defaults), where)

    if overrides.select is not None:
        enabled = resolve_selectors(overrides.select, codes, names)
    elif "select" in lint:
        enabled = resolve_selectors(_codes(lint, "select", where), codes, names, where)
    else:
        enabled = {r.code for r in rules if r.default}
    enabled |= resolve_selectors(_codes(lint, "extend-select", where), codes, names, where)
    enabled |= resolve_selectors(overrides.extend_select, codes, names)
    enabled -= resolve_selectors(_codes(lint, "ignore", where), codes, names, where)
    enabled -= resolve_selectors(overrides.ignore, codes, names)
    per_file = lint.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
    per_file_ignores = tuple(
        (
            pattern,
            frozenset(resolve_selectors(_codes(per_file, pattern, where), codes, names, where)),
        )
        for pattern in per_file
    )

    profile = overrides.profile or lint.get("profile", DEFAULT_PROFILE)
    if profile not in PROFILES:
        raise ConfigError(f"{where}: profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    options = {key: value for key, value in lint.items() if key in option_defaults}
    for key, value in options.items():
        default = option_defaults[key]
        wrong_items = isinstance(value, list) and not all(isinstance(v, str) for v in value)
        if type(value) is not type(default) or wrong_items:
            expected = "list of strings" if isinstance(default, list) else type(default).__name__
            raise ConfigError(f"{where}: `{key}` must be a {expected}")
        if value not in _OPTION_CHOICES.get(key, (value,)):
            choices = ", ".join(f'"{c}"' for c in _OPTION_CHOICES[key])
            raise ConfigError(f"{where}: `{key}` must be one of {choices}, not {value!r}")
    exclude = tuple(_codes(lint, "exclude", where))
    show_info = lint.get("show-info", False)
    if not isinstance(show_info, bool):
        raise ConfigError(f"{where}: `show-info` must be true or false")
    respect_gitignore = lint.get("respect-gitignore", True)
    if not isinstance(respect_gitignore, bool):
        raise ConfigError(f"{where}: `respect-gitignore` must be true or false")
    if config_path is not None:
        patterns = {"per-file-ignores": tuple(per_file), "exclude": exclude}
        check_lint_patterns(config_path, patterns, where)
    return LintSettings(
        enabled=frozenset(enabled),
        profile=profile,
        options=options,
        config_path=str(config_path) if config_path else None,
        exclude=exclude,
        per_file_ignores=per_file_ignores,
        show_info=show_info,
        respect_gitignore=respect_gitignore,
    )


def shows_info(paths: Iterable[str], overrides: LintOverrides) -> bool:
    """``show-info`` for a report on ``paths`` (notebooks or folders): true when the
    settings of any of them say so (``--config``'s file, none with ``--isolated``)."""
    folders = {os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths}
    return any(folder_settings(Path(folder), overrides).show_info for folder in sorted(folders))


def check_lint_patterns(pyproject: Path, patterns: dict[str, tuple[str, ...]], where: str) -> None:
    """ConfigError for a ``per-file-ignores`` or ``exclude`` pattern that matches no
    notebook of the project: a typo there silently lints what it was meant to spare.

    Checked against every notebook under ``pyproject``'s folder (the folder patterns are
    relative to), not the files of this run: ``nb2prod lint one.ipynb`` and pre-commit's
    staged files would make every other pattern look wrong.  A pattern naming what git
    ignores (``executed/*``: generated notebooks, absent from a fresh clone, where CI runs)
    is fine whether or not such notebooks exist."""
    wanted = tuple((key, p) for key, found in patterns.items() for p in found)
    if not wanted:
        return
    stamp = _stamp(pyproject)
    if (pyproject, stamp, wanted) in _CHECKED_PATTERNS:
        return
    base = pyproject.resolve().parent
    notebooks = _project_notebooks(base)
    for key, pattern in wanted:
        if any(path_matches(nb, pattern, base) for nb in notebooks):
            continue
        if pattern.strip() and _names_ignored_files(base, pattern):
            continue
        names = sorted(os.path.relpath(nb, base) for nb in notebooks)
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise ConfigError(
            f"{where}: `{key}` pattern {pattern!r} matches no notebook",
            f"patterns are relative to {pyproject.name}'s folder; notebooks: {shown or 'none'}",
        )
    _CHECKED_PATTERNS.add((pyproject, stamp, wanted))  # a long-lived server asks per lint


_CHECKED_PATTERNS: set[tuple[Path, int | None, tuple]] = set()


def _stamp(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _project_notebooks(base: Path) -> list[str]:
    """Every notebook under ``base`` that a lint of the folder could reach (hidden, cache
    and virtual environment folders left out), git-ignored ones included."""
    from nb2prod.linter.engine import SKIP_DIRS

    found = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not d.startswith(".")
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
        ]
        found += [os.path.join(folder, name) for name in files if name.endswith(".ipynb")]
    return found


def _names_ignored_files(base: Path, pattern: str) -> bool:
    """Does git ignore the notebooks ``pattern`` names (tried on one name it matches)?"""
    import subprocess

    sample = re.sub(r"\[[^\]]*\]", "x", pattern.lstrip("./")).replace("*", "x").replace("?", "x")
    if not sample.endswith(".ipynb"):
        sample = sample.rstrip("/") + "/x.ipynb"
    try:
        checked = subprocess.run(
            ["git", "-C", str(base), "check-ignore", "--no-index", "-q", sample],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return checked.returncode == 0


def path_matches(path: str, pattern: str, base: Path) -> bool:
    """Glob ``pattern`` against ``path`` relative to ``base`` (or its name, for bare globs)."""
    resolved = Path(path).resolve()
    try:
        relative = resolved.relative_to(base.resolve()).as_posix()
    except ValueError:
        relative = resolved.as_posix()
    if "/" not in pattern:
        return fnmatch.fnmatch(resolved.name, pattern) or fnmatch.fnmatch(relative, pattern)
    return fnmatch.fnmatch(relative, pattern.lstrip("./"))
