"""structure rules."""

from __future__ import annotations

from nb2prod.lint.rule import Rule, Severity  # noqa: F401
