"""Open a SQLite tracking store and be killed (SIGKILL, no cleanup) part-way through.

``python killed_opening.py nb2prod|mlflow WHEN URI``: open the store through nb2prod's
TrackingStore or through MLflow alone (as nb2prod did before it locked the store), and kill
this process right after the SQL statement number WHEN, or right after the first statement
that contains the text WHEN.
"""

from __future__ import annotations

import os
import signal
import sys

from sqlalchemy import event
from sqlalchemy.engine import Engine

opener, when, uri = sys.argv[1:4]
executed = 0


@event.listens_for(Engine, "after_cursor_execute")
def _kill_at_the_chosen_statement(connection, cursor, statement, *args) -> None:
    global executed
    executed += 1
    if executed == int(when) if when.isdigit() else when in statement:
        os.kill(os.getpid(), signal.SIGKILL)


if opener == "mlflow":
    from mlflow import MlflowClient

    MlflowClient(uri).search_experiments()
else:
    from nb2prod.tracking.store import TrackingStore

    TrackingStore(uri).experiment_id("opened")
sys.exit(f"opened the store after {executed} statements without being killed")
