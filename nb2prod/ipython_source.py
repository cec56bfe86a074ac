"""The Python that IPython runs for a cell's source, with or without IPython installed.

nb2prod-lint (the linter alone, for pre-commit) leaves IPython out to install in seconds;
then only pasted prompts are undone here, as IPython's first transforms do: the rest of the
syntax IPython accepts is masked by :mod:`nb2prod.syntax` before this is asked."""

from __future__ import annotations

import re
import warnings

#: Where IPython's input transforms act: escapes at a line's start (``!``, ``%``, ``?``
#: and the autocall ``,``/``;``/``/``) or after ``=`` (``x = !ls``), ``?`` ending a line,
#: pasted prompts, and blank lines or indentation before the code.  Code with none of
#: them IPython runs as it is.
IPYTHON_TRANSFORMS = re.compile(
    r"^[ \t]*(?:[!%?,;/]|>>>|\.\.\.|In \[)|=[ \t]*[!%]|\?[ \t]*(?:\#.*)?$|\A\s", re.M
)


def as_ipython_runs_it(code: str) -> str:
    """The Python IPython runs for ``code`` (without IPython: ``code`` without prompts)."""
    if not IPYTHON_TRANSFORMS.search(code):
        # Most cells asked about are plain syntax errors: IPython's import (about 60 ms
        # in every lint worker) would only confirm them.
        return code if code.endswith("\n") else code + "\n"
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return _without_prompts(code)
    with warnings.catch_warnings():  # it warns about odd line endings it copes with
        warnings.simplefilter("ignore")
        return TransformerManager().transform_cell(code)


#: A pasted interpreter prompt: ``>>> ``/``... `` or IPython's ``In [3]: ``/``   ...: ``.
_PROMPT = re.compile(r"^(>>>|\.\.\.)( |$)|^In \[\d+\]: |^\s*\.\.\.: ?")


def _without_prompts(code: str) -> str:
    """Strip pasted prompts when the first or second line has one (IPython's rule),
    keeping lines; like IPython's, the result ends with a newline."""
    lines = code.splitlines(keepends=True)
    if any(_PROMPT.match(line) for line in lines[:2]):
        code = "".join(_PROMPT.sub("", line, count=1) for line in lines)
    return code if code.endswith("\n") else code + "\n"
