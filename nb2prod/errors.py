"""Named exceptions of the core; adapters turn them into messages and exit codes."""

from __future__ import annotations

from typing import Any

# Exit codes shared by every adapter (ARCHITECTURE §4.3).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_NOTEBOOK_FAILED = 4
EXIT_MISMATCH = 5


class Nb2ProdError(Exception):
    """Base of every error nb2prod raises on purpose.

    ``exit_code`` is what the CLI exits with; ``hint`` says what to do about it.
    """

    exit_code = EXIT_USAGE
    #: What was done before the error, when there is something to show: the scorecard of
    #: a failed verification, the result of a job that failed or was not recorded.
    result: Any = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(Nb2ProdError):
    """Bad arguments or configuration."""


class ConfigError(UsageError):
    """`[tool.nb2prod]` in pyproject.toml is malformed."""


class NotebookReadError(Nb2ProdError):
    """A file could not be read as a Jupyter notebook."""

    def __init__(self, path: str, reason: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: {reason}", hint)
        self.path = path
        self.reason = reason


class EnvironmentProblem(Nb2ProdError):
    """Something nb2prod needs is missing from the environment."""

    exit_code = EXIT_ENVIRONMENT


class NotebookFailed(Nb2ProdError):
    """The notebook itself raised, or its kernel died, while nb2prod ran it."""

    exit_code = EXIT_NOTEBOOK_FAILED


class EquivalenceMismatch(Nb2ProdError):
    """The exported package does not give the notebook's answers."""

    exit_code = EXIT_MISMATCH


class VerificationFailed(Nb2ProdError):
    """A check of the exported package failed (it did not install, its tests failed)."""

    exit_code = EXIT_FINDINGS


def first_line(exc: BaseException) -> str:
    """An exception as one short line (its type and first line), for one-line messages."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]
