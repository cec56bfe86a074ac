"""``nb2prod promote``: a registered version against the ``champion`` on labelled data.

Both versions score the same rows (every column but the target), the metric compares their
predictions with the target, and the comparison is recorded as a run of the experiment
``models/NAME`` whatever the verdict.  The alias moves only when the candidate is at least
as good as the champion by ``min_improvement`` (in the metric's units, in its better
direction); otherwise PromotionRefused (exit 1) names both scores and the registry is left
as it was.  With no champion yet, the candidate becomes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nb2prod.errors import EXIT_FINDINGS, Nb2ProdError, UsageError
from nb2prod.rollout.batch import prediction_column, predictions, read_table
from nb2prod.rollout.metrics import get_metric, score
from nb2prod.rollout.record import file_digest, notebook_of, record
from nb2prod.rollout.registry import Registry

PROMOTED, FIRST, REFUSED, ALREADY = "promoted", "first champion", "refused", "already champion"


class PromotionRefused(Nb2ProdError):
    """The candidate is worse than the champion (by more than allowed): exit 1."""

    exit_code = EXIT_FINDINGS


@dataclass
class Promotion:
    model: str
    candidate: str
    champion: str | None  # the champion's version before the promotion
    metric: str
    candidate_score: float | None
    champion_score: float | None
    min_improvement: float
    verdict: str
    rows: int = 0
    run_id: str | None = None

    def text(self) -> str:
        name = f"{self.model} version {self.candidate}"
        if self.verdict == ALREADY:
            return f"{name} is already @champion: nothing to do"
        scores = f"{self.metric} {self.candidate_score:.6g}"
        if self.champion is not None:
            scores += f" vs {self.champion_score:.6g} for version {self.champion}"
        what = {
            PROMOTED: f"{name} is now @champion (was version {self.champion})",
            FIRST: f"{name} is now @champion (there was none)",
            REFUSED: f"{name} stays a challenger; @champion stays version {self.champion}",
        }[self.verdict]
        return f"{what}\n  {scores} on {self.rows:,} rows (run {self.run_id})"


def promote(
    name: str,
    version: str,
    data: str | Path,
    target: str,
    *,
    metric: str | None = None,
    min_improvement: float = 0.0,
    prediction: str | None = None,
    params: Mapping[str, str] | None = None,
    tracking_uri: str | None = None,
) -> Promotion:
    """Promote ``version`` of ``name`` to ``@champion`` when it scores at least as well on
    ``data`` (CSV or Parquet with a ``target`` column); raises PromotionRefused else.
    ``params`` are runtime parameters both versions predict with."""
    registry = Registry.open(tracking_uri, Path.cwd())
    candidate = registry.version(name, version)
    champion = registry.champion(name)
    if champion is not None and champion.version == candidate.version:
        return Promotion(name, candidate.version, champion.version, metric or "", None, None,
                         min_improvement, ALREADY)  # fmt: skip
    frame = read_table(data)
    if target not in frame.columns:
        raise UsageError(
            f"{data}: no target column {target!r} (columns: {', '.join(map(str, frame.columns))})"
        )
    labels = frame[target]
    if labels.isna().any():
        raise UsageError(f"{data}: the target {target} is empty in {int(labels.isna().sum())} rows")
    chosen = get_metric(metric, labels)
    features = frame.drop(columns=[target])
    versions = [candidate] if champion is None else [candidate, champion]
    scores = [
        score(chosen, labels, answer[prediction_column(answer, target, prediction)])
        for answer in predictions(registry, versions, features, params)
    ]
    champion_score = scores[1] if champion is not None else None
    if champion_score is None:
        verdict = FIRST
    elif chosen.gain(scores[0], champion_score) >= min_improvement - 1e-12:
        verdict = PROMOTED
    else:
        verdict = REFUSED
    before = champion.version if champion else None
    result = Promotion(name, candidate.version, before, chosen.name, scores[0], champion_score,
                       min_improvement, verdict, len(frame))  # fmt: skip
    if verdict != REFUSED:
        registry.set_champion(name, candidate.version)
    notebook = notebook_of(candidate, champion)
    result.run_id = _record(registry, result, data, target, params or {}, notebook)
    if verdict == REFUSED:
        direction = "higher" if chosen.higher_is_better else "lower"
        problem = PromotionRefused(
            f"{name} version {candidate.version} scores {chosen.name} {scores[0]:.6g}, the "
            f"champion (version {result.champion}) {champion_score:.6g} ({direction} is better, "
            f"by at least {min_improvement:g}): @champion is unchanged",
            f"the comparison is run {result.run_id} in experiment models/{name}",
        )
        problem.result = result
        raise problem
    return result


def _record(
    registry: Registry,
    result: Promotion,
    data: str | Path,
    target: str,
    params: Mapping[str, str],
    notebook: str | None,
) -> str:
    metrics = {f"candidate_{result.metric}": result.candidate_score or 0.0}
    if result.champion_score is not None:
        metrics[f"champion_{result.metric}"] = result.champion_score
    logged = {f"param.{k}": str(v) for k, v in params.items()}
    logged |= {
        "model": result.model,
        "candidate_version": result.candidate,
        "champion_version": result.champion or "none",
        "metric": result.metric,
        "min_improvement": f"{result.min_improvement:g}",
        "target": target,
        "data": str(Path(data).resolve()),
        "data_sha256": file_digest(data),
        "rows": str(result.rows),
    }
    return record(
        registry, result.model, "promote",
        run_name=f"promote {result.model} v{result.candidate}", metrics=metrics,
        params=logged, verdict=result.verdict, report=result.__dict__, notebook=notebook,
    )  # fmt: skip
