"""How a kernel that nobody told finds its notebook, and what papermill's injected cell says.

Jupyter Server names the notebook (``JPY_SESSION_NAME``, IPython's ``__session__``), so
does VS Code (``__vsc_ipynb_file__``), and ``nb2prod run`` sets ``NB2PROD_NOTEBOOK``.
papermill and ``jupyter nbconvert --execute`` tell the kernel nothing: no variable, and
nbclient's execute requests carry a cell's source only (no id, no tags, no metadata).
What such a kernel can still observe, all checked against real runs:

- the process that started it (``JPY_PARENT_PID``, set by jupyter_client): its command
  line names the notebook for the papermill CLI (``papermill in.ipynb out.ipynb``) and for
  ``jupyter nbconvert --execute nb.ipynb``, relative to that process's working directory;
- papermill's output notebook, which papermill saves just before each cell runs, with
  ``metadata.papermill.input_path``: the papermill Python API leaves no other trace, so
  notebooks saved in the last minutes under the kernel's and its parent's working
  directories are looked at (a bounded walk);
- the working directory: nbconvert runs the kernel in the notebook's folder;
- papermill's ``--inject-input-path`` (``PAPERMILL_INPUT_PATH`` in the injected cell).

A notebook counts only when one of its code cells is the cell now running, so a notebook
that merely lies nearby is never taken for this one; two that both hold it are not guessed
between.  Standard library only: this runs inside the user's kernel.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
from pathlib import Path

#: papermill's injected cell for a Python kernel starts with this comment.
INJECTED_COMMENT = "# Parameters"
_RECENT_S = 600.0  # papermill saved its output when this cell started: well within this
_MAX_ENTRIES = 4000  # directory entries looked at per walk: a kernel in $HOME stays quick
_MAX_DEPTH = 3
_MAX_BYTES = 64 * 1024 * 1024
_SKIPPED = {"node_modules", "__pycache__", "site-packages", "build", "dist"}


def find_notebooks(running: str, named: tuple[str, ...] = ()) -> list[Path]:
    """The notebooks (never papermill's outputs: their inputs) holding the cell whose
    source is ``running``; ``named`` are paths the kernel was told of in other ways.
    One notebook is the answer; none or several mean: unknown."""
    source = _normal(running)
    if not source:
        return []
    pid = _parent_pid()
    parent_cwd = _process_cwd(pid)
    here = Path.cwd()
    command = [a for a in _process_args(pid)[1:] if a.endswith(".ipynb")]
    first = [_resolved(p, parent_cwd or here) for p in (*named, *command)]
    found = _holding(first, source, parent_cwd or here)
    if found:
        return found
    nearby = _notebooks_in(here) + _recently_saved([here, *([parent_cwd] if parent_cwd else [])])
    return _holding(nearby, source, parent_cwd or here)


def literal_names(source: str) -> list[str] | None:
    """The names ``source`` assigns when it only assigns literals to names (a parameters
    cell, papermill's injected cell); None otherwise."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    names: list[str] = []
    for statement in tree.body:
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets = [t.id if isinstance(t, ast.Name) else "" for t in statement.targets]
            value = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            targets, value = [statement.target.id], statement.value
        if value is None or not all(targets):
            return None
        try:
            ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        names += [t for t in targets if t not in names]
    return names


def injected_names(source: str) -> list[str] | None:
    """The names papermill's injected cell sets (its ``PAPERMILL_*`` paths left out), or
    None when ``source`` is not such a cell."""
    if not source.startswith(INJECTED_COMMENT + "\n"):
        return None
    names = literal_names(source)
    return None if names is None else [n for n in names if not n.startswith("PAPERMILL_")]


# --------------------------------------------------------------------------- candidates


def _holding(candidates: list[Path], source: str, base: Path) -> list[Path]:
    found: list[Path] = []
    for candidate in dict.fromkeys(candidates):
        node = _read(candidate)
        if node is None or not _has_cell(node, source):
            continue
        recorded = node.get("metadata", {}).get("papermill", {})
        input_path = recorded.get("input_path") if isinstance(recorded, dict) else None
        if isinstance(input_path, str) and "://" not in input_path:
            candidate = _resolved(input_path, base)  # an output stands for its input
            origin = _read(candidate)
            if origin is None or not _has_cell(origin, source):
                continue
        elif isinstance(recorded, dict) and recorded.get("output_path"):
            continue  # an output whose input is not a local file
        if candidate not in found:
            found.append(candidate)
    return found


def _read(path: Path) -> dict | None:
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        node = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return node if isinstance(node, dict) else None


def _has_cell(node: dict, source: str) -> bool:
    cells = node.get("cells")
    return isinstance(cells, list) and any(
        isinstance(c, dict) and c.get("cell_type") == "code" and _normal(c.get("source")) == source
        for c in cells
    )


def _normal(source) -> str:
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source.replace("\r\n", "\n").strip() if isinstance(source, str) else ""


def _resolved(path: str, base: Path) -> Path:
    candidate = Path(path).expanduser()
    return (candidate if candidate.is_absolute() else base / candidate).resolve()


def _notebooks_in(folder: Path) -> list[Path]:
    try:
        return sorted(p.resolve() for p in folder.glob("*.ipynb"))[:200]
    except OSError:
        return []


def _recently_saved(folders: list[Path]) -> list[Path]:
    """Notebooks saved in the last minutes under ``folders`` (papermill's outputs), newest
    first; hidden folders and the usual large trees are skipped."""
    since, seen, found = time.time() - _RECENT_S, 0, []
    for top in dict.fromkeys(f.resolve() for f in folders):
        for folder, dirs, files in os.walk(top):
            depth = len(Path(folder).relative_to(top).parts)
            seen += len(dirs) + len(files)
            dirs[:] = [] if depth >= _MAX_DEPTH else [d for d in dirs if _walked(d)]
            for name in files:
                if name.endswith(".ipynb"):
                    path = Path(folder, name)
                    try:
                        if path.stat().st_mtime >= since:
                            found.append(path)
                    except OSError:
                        pass
            if seen > _MAX_ENTRIES:
                break
    found.sort(key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True)
    return [p.resolve() for p in found]


def _walked(name: str) -> bool:
    return not name.startswith(".") and name not in _SKIPPED


# --------------------------------------------------------------------------- the parent


def _parent_pid() -> int:
    """The process that started the kernel (jupyter_client's ``JPY_PARENT_PID`` on POSIX;
    on Windows that variable holds a handle, not a process id)."""
    if os.name == "posix":
        try:
            return int(os.environ.get("JPY_PARENT_PID") or 0) or os.getppid()
        except ValueError:
            pass
    return os.getppid()


def _process_args(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return [a.decode(sys.getfilesystemencoding(), "replace") for a in raw.split(b"\0") if a]
    except OSError:
        pass
    try:
        import psutil  # type: ignore[import-untyped]  # not a dependency: used where it is installed (macOS, Windows)

        return list(psutil.Process(pid).cmdline())
    except Exception:  # ImportError, no such process, access denied
        return []


def _process_cwd(pid: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        pass
    try:
        import psutil

        return Path(psutil.Process(pid).cwd())
    except Exception:
        return None
