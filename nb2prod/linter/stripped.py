"""Whether a project stores a notebook without outputs on purpose.

Some projects strip outputs and execution counts before every commit, so a notebook checked
out from them looks never run.  They say so in files read here once per lint run, and read
again only when they change (cached by path, modification time and size):

- ``.gitattributes`` in the notebook's folder or any folder up to the repository root, and
  ``.git/info/attributes``, giving the notebook a clean filter that strips outputs:
  ``filter=nbstripout`` (what ``nbstripout --install`` writes), ``filter=nb-clean``
  (``nb-clean add-filter``), or any filter whose name says ``strip``, ``clean`` or
  ``clear`` (``filter=stripoutput``).  Git's rules apply: deeper files override shallower
  ones, later lines earlier ones, and ``-filter`` unsets.  ``diff=ipynb`` alone only
  changes how diffs look, so it does not count.
- ``.pre-commit-config.yaml`` at the repository root with a hook that strips outputs from
  the notebook: ``nbstripout`` (kynan/nbstripout or a mirror; not with ``--keep-output``),
  ``nb-clean`` (not with ``--preserve-cell-outputs``), or a hook whose id or entry names
  one of them or clears outputs (``jupyter nbconvert --clear-output``,
  ``--ClearOutputPreprocessor.enabled=True``, ``clear-notebook-outputs``).  Its ``files``
  and ``exclude`` patterns, and the file's own, apply; hooks only run by hand
  (``stages: [manual]``) do not count.

The repository root is the closest folder above the notebook that holds ``.git``, else its
project root (:func:`nb2prod.config.find_project_root`).  Unreadable or malformed files
count as saying nothing.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from nb2prod.config import find_project_root, real_folder
from nb2prod.filestamps import stamp

#: Filter names of clean filters that strip outputs (``nbstripout``, ``nb-clean``, ...).
_STRIP_FILTER = re.compile(r"strip|clean|clear", re.IGNORECASE)
#: What a pre-commit configuration must mention to be parsed at all.
_STRIP_HOOK_WORDS = re.compile(
    r"nbstripout|nb-clean|clear[-_](?:notebook[-_])?output|ClearOutputPreprocessor", re.IGNORECASE
)
#: Arguments under which a stripping tool keeps the outputs.
_KEEPS_OUTPUTS = frozenset({"--keep-output", "--preserve-cell-outputs", "-o"})


def stored_without_outputs(notebook_path: str | os.PathLike) -> bool:
    """True when the project strips the outputs of ``notebook_path`` before it is committed."""
    folder, name = os.path.split(os.path.abspath(notebook_path))
    attribute_files, info_attributes, precommit, relative = _places(folder)
    strips = False
    for path, below in attribute_files:  # the root's file first: deeper ones win
        for pattern, value in _attributes(path):
            if pattern.match(below + name):
                strips = bool(value and _STRIP_FILTER.search(value))
    for pattern, value in _attributes(info_attributes):  # .git/info/attributes: over all
        if pattern.match(relative + name):
            strips = bool(value and _STRIP_FILTER.search(value))
    return strips or any(
        all(pattern.search(relative + name) for pattern in files)
        and not exclude.search(relative + name)
        for files, exclude in _precommit_hooks(precommit)
    )


@functools.lru_cache(maxsize=1024)
def _places(folder: str) -> tuple[tuple[tuple[str, str], ...], str, str, str]:
    """Where the configuration of notebooks in ``folder`` can be: each ``.gitattributes``
    from the repository root down to ``folder`` with the folder's path below it
    (``"notebooks/"``), ``.git/info/attributes``, ``.pre-commit-config.yaml``, and the
    folder's path below the root.  Cached per folder (a lint run asks once per notebook);
    whether each file exists is asked every time."""
    resolved = real_folder(folder)
    chain = (resolved, *resolved.parents)
    root = _repository_root(resolved)
    if root is None:  # not in a git repository: up to the project root
        project = find_project_root(resolved)
        root = project if project in chain else resolved
    below = chain[: chain.index(root)]  # the notebook's folder first, the root's child last
    names = [f.name for f in reversed(below)]
    attribute_files = tuple(
        (str(base / ".gitattributes"), "".join(f"{n}/" for n in names[depth:]))
        for depth, base in enumerate((root, *reversed(below)))
    )
    relative = attribute_files[0][1]
    return (
        attribute_files,
        str(root / ".git" / "info" / "attributes"),
        str(root / ".pre-commit-config.yaml"),
        relative,
    )


@functools.lru_cache(maxsize=1024)
def _repository_root(folder: Path) -> Path | None:
    """The nearest of ``folder`` and its parents holding ``.git``, each looked at once."""
    if (folder / ".git").exists():
        return folder
    return None if folder.parent == folder else _repository_root(folder.parent)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:  # a folder, or gone since it was seen
        return ""


# --------------------------------------------------------------------------- gitattributes


def _attributes(path: str) -> tuple[tuple[re.Pattern, str], ...]:
    """``(pattern, filter)`` of the lines of a gitattributes file that set or unset
    ``filter`` (an unset or unspecified filter is ``""``), in file order."""
    key = stamp(path)
    return _parse_attributes(path, *key) if key else ()


@functools.lru_cache(maxsize=256)
def _parse_attributes(path: str, _mtime_ns: int, _size: int) -> tuple[tuple[re.Pattern, str], ...]:
    lines = []
    for line in _read(path).splitlines():
        fields = line.split()
        if not fields or fields[0].startswith(("#", '"', "!")):
            continue  # comments; quoted and negative patterns (git ignores the latter)
        value = None
        for attribute in fields[1:]:
            if attribute.startswith("filter="):
                value = attribute[len("filter=") :]
            elif attribute in ("-filter", "!filter", "filter"):
                value = ""
        pattern = _glob(fields[0]) if value is not None else None
        if pattern is not None and value is not None:
            lines.append((pattern, value))
    return tuple(lines)


def _glob(pattern: str) -> re.Pattern | None:
    """A gitattributes pattern as a regular expression over a ``/``-separated path relative
    to the file's folder; None for patterns that only match folders (``build/``)."""
    if pattern.endswith("/"):
        return None
    anchored = "/" in pattern  # else it matches a file name at any depth
    pattern = pattern.removeprefix("/")
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            break
        if char == "*":
            while i + 1 < len(pattern) and pattern[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            negated = body[:1] in ("!", "^")
            body = re.escape(body[1:] if negated else body).replace(r"\-", "-")
            out.append(f"[{'^' if negated else ''}{body}]")
            i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    try:
        return re.compile(("" if anchored else "(?:.*/)?") + "".join(out) + r"\Z")
    except re.error:
        return None


# --------------------------------------------------------------------------- pre-commit

#: A hook's ``files`` patterns (all must match) and its ``exclude`` pattern.
_Hook = tuple[tuple[re.Pattern, ...], re.Pattern]


def _precommit_hooks(path: str) -> tuple[_Hook, ...]:
    """``(files, exclude)`` patterns of each hook of a pre-commit configuration that strips
    outputs: a path must match every ``files`` pattern and not ``exclude``."""
    key = stamp(path)
    return _parse_precommit(path, *key) if key else ()


@functools.lru_cache(maxsize=64)
def _parse_precommit(path: str, _mtime_ns: int, _size: int) -> tuple[_Hook, ...]:
    text = _read(path)
    if not _STRIP_HOOK_WORDS.search(text):
        return ()  # the usual case: no YAML parser needed
    import yaml

    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError:
        return ()
    if not isinstance(config, dict) or not isinstance(config.get("repos"), list):
        return ()
    hooks = []
    for repo in config["repos"]:
        repo_hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in repo_hooks if isinstance(repo_hooks, list) else ():
            if not isinstance(hook, dict) or not _strips_outputs(hook):
                continue
            try:  # the configuration's own patterns and the hook's
                files = tuple(
                    re.compile(pattern)
                    for pattern in (config.get("files"), hook.get("files"))
                    if pattern
                )
                excluded = [p for p in (config.get("exclude"), hook.get("exclude")) if p]
                exclude = re.compile("|".join(f"(?:{p})" for p in excluded) or r"(?!)")
            except (re.error, TypeError):
                continue  # a pattern pre-commit itself would reject
            hooks.append((files, exclude))
    return tuple(hooks)


def _strips_outputs(hook: dict) -> bool:
    words = [str(hook.get("id", "")), str(hook.get("entry", ""))]
    args = hook.get("args") or []
    words += [str(arg) for arg in args] if isinstance(args, list) else []
    if hook.get("stages") in (["manual"], "manual"):
        return False
    text = " ".join(words)
    if not _STRIP_HOOK_WORDS.search(text):
        return False
    return not _KEEPS_OUTPUTS.intersection(text.split())
