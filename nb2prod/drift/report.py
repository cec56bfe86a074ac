"""A drift check's result: per column and for the dataset, as a table and as JSON.

The JSON (``DriftReport.to_json``) is a contract: its keys are documented in
docs/drift.md; add keys rather than change them, and bump ``REPORT_FORMAT`` when a key's
meaning changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPORT_FORMAT = 1
#: PSI above this is the common "significant shift" rule; reported, not a verdict.
PSI_SIGNIFICANT = 0.2

#: Tests whose score is a p-value: drift when it is *below* the threshold.
P_VALUE_TESTS = {"ks", "chi_squared"}


@dataclass
class ColumnResult:
    """One column's test.  ``score`` is what is compared with ``threshold``: the p-value
    of ``ks`` and ``chi_squared`` (drift when below), the distance of ``wasserstein`` and
    ``jensen_shannon`` (drift when at or above); ``statistic`` is the test's own statistic
    (KS's D, chi-squared's sum) and equals ``score`` for the distances.  ``test`` is None
    for a column that is not tested (``note`` says why)."""

    column: str
    kind: str
    test: str | None
    statistic: float | None
    score: float | None
    threshold: float | None
    drift: bool
    psi: float | None
    reference_nulls: float
    batch_nulls: float
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "kind": self.kind,
            "test": self.test,
            "statistic": _finite(self.statistic),
            "p_value": self.score if self.test in P_VALUE_TESTS else None,
            "score": _finite(self.score),
            "threshold": self.threshold,
            "drift": bool(self.drift),
            "psi": self.psi,
            "psi_significant": self.psi is not None and self.psi > PSI_SIGNIFICANT,
            "reference_null_share": self.reference_nulls,
            "batch_null_share": self.batch_nulls,
            "note": self.note,
        }


@dataclass
class DriftReport:
    """The dataset drifts when at least ``drift_share`` of the tested columns drift."""

    columns: list[ColumnResult]
    reference_rows: int
    batch_rows: int
    drift_share: float
    regime: str  # "small" (<= 1000 reference rows: p-value tests) or "large" (distances)
    seconds: float = 0.0
    source: dict[str, str] = field(default_factory=dict)  # what was compared: model, input

    @property
    def tested(self) -> list[ColumnResult]:
        return [c for c in self.columns if c.test is not None]

    @property
    def drifted(self) -> list[ColumnResult]:
        return [c for c in self.columns if c.drift]

    @property
    def share_drifted(self) -> float:
        return len(self.drifted) / len(self.tested) if self.tested else 0.0

    @property
    def drift(self) -> bool:
        return bool(self.tested) and self.share_drifted >= self.drift_share

    def verdict(self) -> str:
        return "drift" if self.drift else "no drift"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "drift": self.drift,
            "verdict": self.verdict(),
            "share_drifted": self.share_drifted,
            "drift_share": self.drift_share,
            "columns_tested": len(self.tested),
            "columns_drifted": len(self.drifted),
            "reference_rows": self.reference_rows,
            "batch_rows": self.batch_rows,
            "regime": self.regime,
            "psi_significant": PSI_SIGNIFICANT,
            "seconds": round(self.seconds, 4),
            "source": dict(self.source),
            "columns": [c.to_json() for c in self.columns],
        }

    def table(self) -> str:
        """The columns as a readable table, then the dataset's verdict in one line."""
        header = ("column", "test", "statistic", "threshold", "PSI", "verdict")
        rows = [header] + [_row(c) for c in self.columns]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        share = f"{self.share_drifted:.0%}"
        lines.append(
            f"\n{self.verdict().upper()}: {len(self.drifted)} of {len(self.tested)} columns "
            f"drifted ({share}; the dataset drifts at {self.drift_share:.0%}); "
            f"{self.batch_rows:,} rows against a reference of {self.reference_rows:,}"
        )
        return "\n".join(lines)


def _finite(value: float | None) -> float | None:
    """``value``, or None for an infinite one (chi-squared with a value the reference never
    had): strict JSON has no Infinity."""
    import math

    return value if value is None or math.isfinite(value) else None


def _row(result: ColumnResult) -> tuple[str, ...]:
    if result.test is None:
        return (result.column, "-", "-", "-", "-", f"not tested: {result.note}")
    if result.test in P_VALUE_TESTS:
        statistic, threshold = f"p={_number(result.score)}", f"p<{result.threshold:g}"
    else:
        statistic, threshold = _number(result.score), f">={result.threshold:g}"
    psi = _number(result.psi) + (
        " (!)" if result.psi is not None and result.psi > PSI_SIGNIFICANT else ""
    )
    verdict = "DRIFT" if result.drift else "ok"
    if result.note:
        verdict += f" ({result.note})"
    return (result.column, result.test, statistic, threshold, psi, verdict)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value != 0 and abs(value) < 0.001:
        return f"{value:.1e}"
    return f"{value:.3f}"
