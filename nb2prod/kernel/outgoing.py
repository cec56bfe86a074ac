"""What a kernel sends to MLflow, with the notebook's credentials masked: parameters, tags,
the files ``--artifact`` names and the ones nb2prod writes (a frame's CSV, a figure's HTML).

The credentials are those a job masks (nb2prod.credentials.notebooks): the ones the code
of the cells run so far holds, and the values of secret parameters, masked wherever they
appear, under any name.  A text file is logged as a masked copy; the user's file stays as
it is, and a binary file is logged as it is.  (A job's kernel hands its values to the
job's record masked; the job masks the files it records.)
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nb2prod.credentials.notebooks import redact_string


def known_secrets(sources: Iterable[Any], parameters: dict[str, Any]) -> frozenset[str]:
    """The credentials of the cells ``sources`` (IPython's ``In``) and the values of
    secret-looking ``parameters``."""
    from nb2prod.credentials import looks_secret
    from nb2prod.credentials.notebooks import notebook_secrets

    found: set[str] = set()
    for source in dict.fromkeys(s for s in sources if isinstance(s, str) and s):
        found |= _code_secrets(source)
    values = [v for n, v in parameters.items() if looks_secret(n, str(v))]
    return frozenset(notebook_secrets((), [*found, *values]))


@functools.lru_cache(maxsize=2048)
def _code_secrets(source: str) -> frozenset[str]:
    """A cell's credentials, found once per cell text: this runs for every tracked cell."""
    from nb2prod.credentials.notebooks import code_secrets

    return frozenset(code_secrets(source))


def masked(values: dict[str, str], secrets: frozenset[str]) -> dict[str, str]:
    """Parameters or tags with every credential in them masked."""
    return {name: redact_string(value, secrets) for name, value in values.items()}


def masked_logged(logged, secrets: frozenset[str]):
    """``logged`` with its parameters masked, and its files (a frame's CSV, a figure's
    HTML) masked once written."""
    from nb2prod.credentials.notebooks import redact_file

    def masking(write):
        def write_masked(path: str) -> None:
            write(path)
            redact_file(Path(path), Path(path), secrets)

        return write_masked

    logged.params = masked(logged.params, secrets)
    logged.artifacts = {name: masking(write) for name, write in logged.artifacts.items()}
    return logged


def log_files(store, run_id: str, paths: Iterable[str], secrets: frozenset[str]) -> None:
    """Log each file of ``paths``, a text file as a masked copy; OSError when one is
    missing."""
    from nb2prod.credentials.notebooks import redact_file

    with tempfile.TemporaryDirectory(prefix="nb2prod-masked-") as folder:
        for number, path in enumerate(paths):
            copy = Path(folder) / str(number) / Path(path).name  # the name MLflow shows
            store.log_file(run_id, copy if redact_file(Path(path), copy, secrets) else path)
