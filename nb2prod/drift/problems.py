"""The drift engine's error.  The engine (``reference``, ``measures``, ``check``,
``report`` and this module) imports nothing of nb2prod outside this folder but nb2prod's
``UsageError``, and that only when it is there: an exported package can carry a copy of
the engine (``PKG drift``) without depending on nb2prod, and its modules import each other
relatively."""

from __future__ import annotations

try:  # part of nb2prod: a UsageError, as every nb2prod command and caller expects (exit 2)
    from ..errors import UsageError as _Root
except ImportError:  # a copy in a package: nb2prod is not there

    class _Root(Exception):  # type: ignore[no-redef]
        exit_code = 2

        def __init__(self, message: str, hint: str | None = None) -> None:
            super().__init__(message)
            self.message = message
            self.hint = hint

        def __str__(self) -> str:
            return f"{self.message} ({self.hint})" if self.hint else self.message


class DriftInputError(_Root, ValueError):
    """Statistics or a batch that cannot be compared (exit 2): ``message`` says what is
    wrong, ``hint`` what to do.  A ``ValueError`` everywhere; in nb2prod also a
    ``UsageError``."""
