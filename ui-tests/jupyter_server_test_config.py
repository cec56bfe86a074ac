"""The Jupyter server the Galata tests run against (started by playwright.config.js).

Galata's helper sets an empty token and no XSRF check (so these tests drive the UI, while
tests/server covers authentication); we add root, a port, a temp root seeded with the
example notebooks, and one MLflow store shared by the server and its kernels (kernels
inherit this environment), as ARCHITECTURE §4.4 resolves it from MLFLOW_TRACKING_URI.
"""

import os
import shutil
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

from nb2prod.tracking.store import TrackingStore

c = get_config()  # noqa: F821 (defined by the traitlets config loader)

HERE = Path(__file__).resolve().parent
scratch = Path(tempfile.mkdtemp(prefix="nb2prod-ui-"))
root = scratch / "root"
root.mkdir()
for notebook in sorted((HERE.parent / "example_notebooks").glob("*.ipynb")):
    shutil.copy(notebook, root / notebook.name)

os.environ["JUPYTERLAB_GALATA_ROOT_DIR"] = str(root)
os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{scratch / 'mlflow.db'}"
os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")

configure_jupyter_server(c)

c.ServerApp.port = int(os.environ.get("NB2PROD_UI_PORT", "8897"))
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.allow_root = True
c.ServerApp.jpserver_extensions = {"nb2prod": True}
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

# Create and migrate the store once, before any kernel or request can race to do it.
_client = TrackingStore(os.environ["MLFLOW_TRACKING_URI"]).client
