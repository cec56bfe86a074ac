"""The child that scores one batch with one registered version (see ``batch``):
``python -m nb2prod.rollout.batch_child``, a child of nb2prod.child's protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nb2prod.child import serve


@dataclass
class ScoreVersion:
    """Score ``frame`` (features only) with ``model_uri`` from the store ``tracking_uri``,
    with the runtime parameters ``params`` (text, typed as the model types them)."""

    model_uri: str
    tracking_uri: str
    frame: Any
    params: dict[str, str] = field(default_factory=dict)


def handle(request: ScoreVersion) -> Any:
    """The prediction columns of the model for the rows of the frame."""
    from nb2prod.scoring.frames import score_frame
    from nb2prod.scoring.model import resolve_model, typed_params

    spec = resolve_model(request.model_uri, tracking_uri=request.tracking_uri)
    params = typed_params(spec, request.params)
    frame = request.frame
    scored = score_frame(frame, spec, params, dict(frame.dtypes))
    return scored.iloc[:, len(frame.columns) :]


if __name__ == "__main__":
    serve(handle)
