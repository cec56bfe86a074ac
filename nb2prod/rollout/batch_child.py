"""The child that scores one batch with one registered version (see ``batch``):
``python -m nb2prod.rollout.batch_child``, a child of nb2prod.child's protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nb2prod.child import serve


@dataclass
class ScoreVersion:
    """Score ``frame`` (features only) with ``model_uri`` from the store ``tracking_uri``."""

    model_uri: str
    tracking_uri: str
    frame: Any


def handle(request: ScoreVersion) -> Any:
    """The prediction columns of the model for the rows of the frame."""
    from nb2prod.scoring.frames import score_frame
    from nb2prod.scoring.model import resolve_model

    spec = resolve_model(request.model_uri, tracking_uri=request.tracking_uri)
    frame = request.frame
    scored = score_frame(frame, spec, {}, dict(frame.dtypes))
    return scored.iloc[:, len(frame.columns) :]


if __name__ == "__main__":
    serve(handle)
