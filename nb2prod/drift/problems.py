"""The drift engine's error.  The engine (``reference``, ``measures``, ``check``,
``report`` and this module) imports nothing of nb2prod outside this folder, and its
modules import each other relatively, so an exported package can carry a copy of it
(``PKG drift``) without depending on nb2prod; ``nb2prod.drift.run`` turns this error into
nb2prod's ``UsageError``."""

from __future__ import annotations


class DriftInputError(ValueError):
    """Statistics or a batch that cannot be compared (exit 2): ``message`` says what is
    wrong, ``hint`` what to do."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
