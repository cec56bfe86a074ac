"""Install commands in notebook cells: ``pip``/``conda``/``apt-get`` command lines split
into their packages, and whether each package is pinned to one version.

Shell syntax is handled as far as it matters here: ``&&``/``;``/``|`` chains, quotes
(tolerating an unbalanced one), comments, redirections, ``sudo``/``env`` prefixes.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass

from nb2prod.dependencies.declared import is_url_or_path

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_NAME_AT_URL = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@")
_VCS = re.compile(r"(?:git|hg|svn|bzr)\+", re.I)
_COMMIT = re.compile(r"@([0-9a-fA-F]{7,40})(?:[#&]|$)")
_CLAUSE = re.compile(r"(===|==|~=|!=|<=|>=|<|>)\s*([^\s,;]*)")

# --------------------------------------------------------------------------- pins


def is_pinned(requirement: str) -> bool:
    """True when a pip argument selects one exact release, or is not a registry release at
    all (a local path or archive, a URL, a VCS reference at a commit, ``{var}``/``$var``)."""
    text = requirement.split(";")[0].strip()
    if not text or "{" in text or "$" in text:
        return True  # an IPython/shell variable: the version is unknown here
    url = text.split("@", 1)[1].strip() if _NAME_AT_URL.match(text) else text
    if _VCS.match(url):
        return bool(_COMMIT.search(url.split("#")[0]))
    if is_url_or_path(url):
        return "/heads/" not in url and not re.search(r"/(?:main|master)\.(?:zip|tar\.gz)$", url)
    name = _NAME.match(text)
    rest = text[name.end() :] if name else text
    rest = re.sub(r"^\s*\[[^\]]*\]", "", rest)
    return any(
        op in ("==", "===") and version and "*" not in version
        for op, version in _CLAUSE.findall(rest)
    )


def is_conda_pinned(spec: str) -> bool:
    """True when a conda match spec fixes the version (``numpy=1.26.4``, ``numpy==1.26``)."""
    text = spec.split("::")[-1].strip()
    name = _NAME.match(text)
    rest = text[name.end() :].strip() if name else text
    version = re.match(r"={1,2}\s*([^\s,|<>=!]+)|([0-9][^\s,|<>=!]*)", rest)
    if version is None:
        return "{" in text or "$" in text  # an IPython/shell variable: unknown here
    return "*" not in (version.group(1) or version.group(2))


# --------------------------------------------------------------------------- install commands

_PIP = re.compile(r"pip(?:3(?:\.\d+)?)?")
_CONDA = frozenset({"conda", "mamba", "micromamba"})
_SYSTEM = {
    "apt-get": "install",
    "apt": "install",
    "aptitude": "install",
    "yum": "install",
    "dnf": "install",
    "zypper": "install",
    "apk": "add",
    "brew": "install",
}
_PREFIXES = frozenset(
    {"sudo", "env", "nohup", "time", "exec", "command", "nice", "do", "then", "else"}
)
_PREFIX_VALUES = frozenset({"-u", "-g", "-n"})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_REDIRECT = re.compile(r"\d*(?:>>?|<<?|&>>?|>&|<&)")
_REDIRECT_ATTACHED = re.compile(r"\d*(?:>>?|<|&>)\S")
_PIP_GLOBAL_VALUES = frozenset(
    {
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--log",
        "--log-file",
        "--python",
        "--use-feature",
        "--use-deprecated",
        "--keyring-provider",
        "-p",
    }
)
_PIP_VALUES = _PIP_GLOBAL_VALUES | {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--src",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--upgrade-strategy",
    "--no-binary",
    "--only-binary",
    "--progress-bar",
    "-C",
    "--config-settings",
    "--global-option",
    "--install-option",
    "--report",
    "--root-user-action",
    "--hash",
    "-b",
    "--build",
    "--index-strategy",
    "--resolution",
}
_CONDA_VALUES = frozenset({"-n", "--name", "-p", "--prefix", "--solver", "--repodata-fn"})
_SYSTEM_VALUES = frozenset({"-o", "-t", "--target-release", "--setopt"})


@dataclass(frozen=True)
class InstallCommand:
    """One package-manager command that installs or removes packages.

    ``tool`` is ``pip`` (also ``python -m pip`` and ``uv pip``), ``conda`` (also mamba,
    micromamba) or the system package manager (``apt-get``, ``yum``...); ``launcher`` are
    the words that started it (``("python", "-m", "pip")``), after ``sudo``/``env``
    prefixes, which set ``prefixed``.
    """

    tool: str
    action: str
    launcher: tuple[str, ...]
    subcommand: str
    packages: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    constrained: bool = False
    prefixed: bool = False

    @property
    def python(self) -> bool:
        """True for Python package managers (pip, uv, conda), not system ones."""
        return self.tool in ("pip", "conda")

    @property
    def label(self) -> str:
        launcher = [os.path.basename(word) for word in self.launcher]
        return " ".join([*launcher, self.subcommand])

    def unpinned(self) -> list[str]:
        """Installed packages without an exact version (empty for removals and -c constraints)."""
        if self.action != "install" or self.constrained or not self.python:
            return []
        pinned = is_conda_pinned if self.tool == "conda" else is_pinned
        return [package for package in self.packages if not pinned(package)]


def install_commands(command: str) -> list[InstallCommand]:
    """The install/uninstall commands in a shell command line (``cd x && pip install y``)."""
    found = (_install_command(words) for words in shell_segments(command))
    return [c for c in found if c is not None]


def shell_segments(command: str) -> list[list[str]]:
    """Words of each simple command of ``command``: split at ``&&``, ``||``, ``;``, ``|``,
    ``&`` and newlines, comments and redirections dropped, quotes removed."""
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i, n = 0, len(command)
    while i < n:
        char = command[i]
        if quote is not None:
            current.append(char)
            if char == "\\" and quote == '"' and i + 1 < n:
                current.append(command[i + 1])
                i += 1
            elif char == quote:
                quote = None
        elif char == "\\" and i + 1 < n:
            if command[i + 1] != "\n":  # a backslash-newline continues the line
                current.append(command[i : i + 2])
            i += 1
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == "#" and (not current or current[-1].isspace()):
            end = command.find("\n", i)
            i = n if end < 0 else end
            continue
        elif char in ";|&\n" and not (char == "&" and _redirection_around(command, i)):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return [words for words in map(_words, parts) if words]


def _redirection_around(command: str, i: int) -> bool:
    """``2>&1`` and ``&>file`` use ``&`` without separating commands."""
    return (i > 0 and command[i - 1] in "<>") or (i + 1 < len(command) and command[i + 1] == ">")


def _words(text: str) -> list[str]:
    """Shell words of ``text``; tolerant of an unbalanced quote."""
    words: list[str] | None = None
    for closing in ("", '"', "'"):
        try:
            words = shlex.split(text + closing)
            break
        except ValueError:
            continue
    if words is None:
        words = text.split()
    kept: list[str] = []
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
        elif _REDIRECT.fullmatch(word):
            skip_next = True  # the redirection's target
        elif not _REDIRECT_ATTACHED.match(word):
            kept.append(word)
    return kept


def _install_command(words: list[str]) -> InstallCommand | None:
    start = _skip_prefixes(words)
    prefixed, words = start > 0, words[start:]
    if not words:
        return None
    program = os.path.basename(words[0]).lower()
    if _PIP.fullmatch(program):
        return _pip(words[:1], words[1:], prefixed)
    if words[1:3] == ["-m", "pip"]:
        return _pip(words[:3], words[3:], prefixed)
    if words[1:2] == ["-mpip"]:
        return _pip(words[:2], words[2:], prefixed)
    if program == "uv" and words[1:2] == ["pip"]:
        return _pip(words[:2], words[2:], prefixed)
    if program in _CONDA and len(words) > 1 and words[1] in ("install", "remove", "uninstall"):
        packages, files, _ = _arguments(words[2:], _CONDA_VALUES, files_option=("--file",))
        action = "install" if words[1] == "install" else "uninstall"
        return InstallCommand(
            "conda", action, (words[0],), words[1], packages, files, prefixed=prefixed
        )
    if program in _SYSTEM and len(words) > 1 and words[1] == _SYSTEM[program]:
        packages, _, _ = _arguments(words[2:], _SYSTEM_VALUES)
        return InstallCommand(
            program, "install", (words[0],), words[1], packages, prefixed=prefixed
        )
    return None


def _skip_prefixes(words: list[str]) -> int:
    """Index of the first word after ``VAR=value``, ``sudo -u x``, ``env``..."""
    i = 0
    while i < len(words):
        if _ASSIGNMENT.match(words[i]):
            i += 1
        elif os.path.basename(words[i]) in _PREFIXES:
            i += 1
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in _PREFIX_VALUES else 1
        else:
            break
    return i


def _pip(launcher: list[str], rest: list[str], prefixed: bool) -> InstallCommand | None:
    i = 0
    while i < len(rest) and rest[i].startswith("-"):  # global options before the subcommand
        i += 2 if rest[i] in _PIP_GLOBAL_VALUES else 1
    if i >= len(rest) or rest[i] not in ("install", "uninstall", "sync"):
        return None  # pip list, pip freeze, pip show...
    subcommand = rest[i]
    packages, files, constrained = _arguments(rest[i + 1 :], _PIP_VALUES)
    action = "uninstall" if subcommand == "uninstall" else "install"
    return InstallCommand(
        "pip", action, tuple(launcher), subcommand, packages, files, constrained, prefixed
    )


def _arguments(
    args: list[str],
    value_options: frozenset[str],
    files_option: tuple[str, ...] = ("-r", "--requirement"),
):
    """``(packages, requirement files, constrained)`` of an install command's arguments."""
    packages: list[str] = []
    files: list[str] = []
    constrained = False
    i = 0
    while i < len(args):
        word = args[i]
        option = word.split("=", 1)[0] if word.startswith("--") else word[:2]
        if option in files_option or option in ("-c", "--constraint", "-e", "--editable"):
            value, i = _option_value(args, i, option)
            if value is None:  # the option is the last word (`pip install -r`): nothing to read
                continue
            if option in files_option:
                files.append(value)
            elif option in ("-e", "--editable"):
                packages.append(value)
            else:
                constrained = constrained or value is not None
            continue
        if word.startswith("-"):
            i += 2 if word in value_options else 1
            continue
        if packages and (word.startswith("@") or packages[-1].endswith("@")):
            packages[-1] = f"{packages[-1]} {word}"  # name @ url, split by the shell
        else:
            packages.append(word)
        i += 1
    return tuple(packages), tuple(files), constrained


def _option_value(args: list[str], i: int, option: str) -> tuple[str | None, int]:
    word = args[i]
    if word.startswith("--") and "=" in word:
        return word.split("=", 1)[1], i + 1
    if not word.startswith("--") and len(word) > 2:
        return word[2:], i + 1  # -rrequirements.txt
    return (args[i + 1] if i + 1 < len(args) else None), i + 2
