"""NB201-NB206: absolute and user-specific paths, literal data paths, cd, sys.path,
notebooks that run other notebooks.  Real notebooks through the lint engine."""

from __future__ import annotations

import os

import pytest

from tests.conftest import code, codes, markdown

PATH_RULES = ["NB201", "NB202"]


def only(findings, rule):
    return [f for f in findings if f.code == rule]


def where(finding):
    return (finding.cell, finding.line, finding.column, finding.end_line, finding.end_column)


# --------------------------------------------------------------------------- NB201


@pytest.mark.parametrize(
    "literal",
    [
        '"/data/train.csv"',
        '"/mnt/team/features"',
        '"/opt/app/model.pkl"',
        '"/srv/shared/x"',
        '"/var/lib/app/state.db"',
        '"/scratch/run1"',
        '"/dbfs/mnt/raw/events.parquet"',
        '"/workspace/data"',
        '"/gpfs/projects/x"',
        '"/etc/app/config.yaml"',
        '"/project/results/summary.json"',  # unknown root, but a file name
        'r"C:\\data"',
        '"D:/x"',
        '"d:\\\\exports\\\\sales.csv"',
        '"\\\\\\\\fileserver\\\\share\\\\data.csv"',
        '"file:///srv2/data.csv"',
        '"file://localhost/etc/app.ini"',
    ],
)
def test_absolute_path_literals_are_reported(lint_cells, literal):
    findings = lint_cells(["import pandas as pd", f"source = {literal}"], select=PATH_RULES)
    assert codes(findings) == ["NB201"]
    (finding,) = findings
    assert where(finding) == (2, 1, 10, 1, 10 + len(literal))
    assert finding.severity == "error"
    assert "hardcoded absolute path" in finding.message
    assert "`parameters` cell" in finding.message


def test_location_points_at_the_literal_inside_a_call(lint_cells):
    findings = lint_cells(
        ["import pandas as pd\n\ndf = pd.read_csv('/mnt/team/train.csv', sep=';')"],
        select=["NB201"],
    )
    (finding,) = findings
    assert where(finding) == (1, 3, 18, 3, 39)
    assert "'/mnt/team/train.csv'" in finding.message


def test_fstring_with_an_absolute_start_is_reported_as_a_whole(lint_cells):
    findings = lint_cells(['name = "x"\npath = f"/data/{name}.csv"'], select=["NB201"])
    (finding,) = findings
    assert where(finding) == (1, 2, 8, 2, 27)
    assert "'/data/{…}.csv'" in finding.message


def test_fstring_that_starts_with_a_variable_is_not_absolute(lint_cells):
    cells = [
        code('DATA_DIR = "data"', tags=["parameters"]),
        'path = f"{DATA_DIR}/train.csv"\nroute = f"/predict/{DATA_DIR}"',
    ]
    assert lint_cells(cells, select=PATH_RULES) == []


def test_implicitly_concatenated_literal_spans_its_lines(lint_cells):
    findings = lint_cells(['path = (\n    "/data/raw/"\n    "events.csv"\n)'], select=["NB201"])
    (finding,) = findings
    assert where(finding) == (1, 2, 5, 3, 17)


@pytest.mark.parametrize(
    "source",
    [
        'import os\nos.listdir("/project/inputs")',
        'open("/project/config")',
        "from pathlib import Path\np = Path('/project') / 'inputs'",
        'import os\np = os.path.join("/project", "inputs")',
        'import pandas as pd\nsuffix = "x"\ndf = pd.read_csv("/project/" + suffix)',
    ],
)
def test_route_like_string_passed_to_a_path_function_is_reported(lint_cells, source):
    findings = lint_cells([source], select=["NB201"])
    assert codes(findings) == ["NB201"]
    assert "/project" in findings[0].message


def test_route_like_string_assigned_to_a_name_used_as_a_path_is_reported(lint_cells):
    cells = [
        'ROOT = "/project/inputs"',
        'import os\nimport pandas as pd\ndf = pd.read_csv(os.path.join(ROOT, "train.csv"))',
    ]
    findings = lint_cells(cells, select=["NB201"])
    assert [(f.cell, f.line, f.column) for f in findings] == [(1, 1, 8)]


def test_paths_inside_functions_and_python_cell_magics_are_reported(lint_cells):
    cells = [
        'def load():\n    return open("/data/labels.txt").read()',
        '%%time\nmodel = joblib.load("/opt/models/model.pkl")',
    ]
    findings = lint_cells(cells, select=["NB201"])
    assert [(f.cell, f.line, f.column) for f in findings] == [(1, 2, 17), (2, 2, 21)]


def test_absolute_path_passed_to_chdir_is_both_a_path_and_a_cd(lint_cells):
    findings = lint_cells(['import os\nos.chdir("/data")'], select=["NB201", "NB204"])
    assert sorted(codes(findings)) == ["NB201", "NB204"]


def test_tmp_is_allowed_by_default_but_not_its_lookalikes(lint_cells):
    cells = ['a = "/tmp/scratch.csv"\nb = "/tmp"\nc = "/tmpdata/x.csv"']
    findings = lint_cells(cells, select=["NB201"])
    assert [f.line for f in findings] == [3]


def test_allowed_path_prefixes_option(lint_cells):
    (lint_cells.folder / "pyproject.toml").write_text(
        '[tool.nb2prod.lint]\nallowed-path-prefixes = ["/opt/ml", "C:\\\\Shared"]\n'
    )
    cells = [
        'model = "/opt/ml/model/model.pkl"\n'
        'other = "/opt/mlflow/x.pkl"\n'
        'scratch = "/tmp/x.csv"\n'
        'share = r"c:\\shared\\data.csv"'
    ]
    findings = lint_cells(cells, select=["NB201"])
    assert [f.line for f in findings] == [2, 3]  # the option replaces the default ["/tmp"]


def test_path_need_not_exist(lint_cells):
    # Julynter only reports paths that exist on the machine running the check.
    missing = "/srv/nb2prod-missing-7f3c/definitely/not/here.csv"
    assert not os.path.exists(missing)
    findings = lint_cells([f'p = "{missing}"', 'q = "/home/nobody-7f3c/x.csv"'], select=PATH_RULES)
    assert codes(findings) == ["NB201", "NB202"]


NOT_ABSOLUTE = [
    # URLs are remote locations
    'url = "https://example.com/data/train.csv"',
    'url = "http://localhost:5000/api/v1/predict"',
    'uri = "s3://bucket/data/train.csv"',
    'uri = "gs://bucket/x.parquet"',
    'uri = "hf://datasets/x/train.csv"',
    'uri = "abfss://container@account.dfs.core.windows.net/data/x.csv"',
    'uri = "runs:/0123abcd/model"',
    'cdn = "//cdn.example.com/lib.js"',
    # web routes
    'route = "/api/v1/predict"',
    'route = "/health"',
    'route = "/items/{item_id}"',
    # regular expressions
    'import re\npattern = re.compile("/\\\\w+")',
    'import re\nclean = re.sub(r"/data/\\w+\\.csv", "<file>", text)',
    'mask = df["url"].str.contains("/data/raw/")',
    'USER_PATTERN = r"/home/(\\w+)/"',
    'ROUTE_PATTERN = r"^/data/.*$"',
    'hint = "/* broadcast */ SELECT * FROM events"',
    # not absolute, or not a path at all
    'fmt = "%Y/%m/%d"',
    'sep = "/"',
    'joined = "/".join(parts)',
    'rel = "a/b"',
    'rel = "data/train.csv"',
    'mime = "text/csv"',
    'ratio = "/ 2"',
    'tracking = "file:///tmp/mlruns"',
    'db = "sqlite:////data/mlflow.db"',
    'label = "/data is mounted read-only on the cluster"',
    'cmd = "/usr/bin/env python"',
    'xpath = "/html/body/div"',
    'col = df["path"]',
    'raw = b"/data/x.csv"',
    # kernel pseudo-files
    'null = open("/dev/null", "w")',
    'info = open("/proc/cpuinfo").read()',
    'temp = "/sys/class/thermal/thermal_zone0/temp"',
    # configurable: the environment wins
    'import os\ndata_dir = os.getenv("DATA_DIR", "/data")',
    'import os\ndata_dir = os.environ.get("DATA_DIR", default="/data/x.csv")',
    # comparisons detect the environment, they do not depend on it
    'on_cluster = cwd.startswith("/mnt/")',
    'is_default = path == "/data/x.csv"',
]


@pytest.mark.parametrize("source", NOT_ABSOLUTE)
def test_strings_that_are_not_absolute_paths(lint_cells, source):
    assert lint_cells([source], select=PATH_RULES) == []


def test_web_app_routes_are_not_paths(lint_cells):
    flask_cell = (
        "from flask import Flask, redirect\n"
        "app = Flask(__name__)\n\n"
        '@app.route("/api/v1/predict", methods=["POST"])\n'
        "def predict():\n"
        '    return redirect("/static/result.html")\n'
    )
    fastapi_cell = (
        "from fastapi import FastAPI, APIRouter\n"
        "api = FastAPI()\n"
        'router = APIRouter(prefix="/api")\n\n'
        '@api.get("/health")\n'
        "def health():\n"
        '    return {"status": "ok"}\n\n'
        '@router.post("/items/{item_id}/score.json")\n'
        "def score(item_id: int):\n"
        "    return {}\n\n"
        'api.mount("/static", None)\n'
        'response = client.get("/api/v1/predict.json")\n'
    )
    assert lint_cells([flask_cell, fastapi_cell], select=PATH_RULES) == []


def test_comments_markdown_and_docstrings_are_not_checked(lint_cells):
    cells = [
        markdown("Data lives in `/data/train.csv` or `C:\\Users\\alice\\x.csv`."),
        '"""Reads /data/train.csv on the cluster."""\n'
        "# the file is /mnt/team/train.csv, see /home/alice/notes.txt\n"
        "def load():\n"
        '    """Load /data/train.csv (or ~/train.csv on a laptop)."""\n'
        "    return None\n\n"
        "class Loader:\n"
        "    '''Reads from /opt/app/data.'''\n",
        # docstrings that are nothing but a path
        '"""/data/train.csv"""\n'
        "def path():\n"
        '    """/home/alice/x.csv"""\n\n'
        "class Paths:\n"
        "    r'''C:\\data\\x.csv'''\n",
    ]
    assert lint_cells(cells, select=PATH_RULES) == []


def test_parameters_cell_defaults_are_where_paths_belong(lint_cells):
    cells = [
        code(
            'DATA_DIR = "/data/project"\n'
            'MODEL_PATH = "/opt/models/model.pkl"\n'
            'HOME_DATA = "/home/alice/data.csv"\n'
            'LOCAL = r"C:\\Users\\alice\\x.csv"',
            tags=["parameters"],
        ),
        'import os\nimport pandas as pd\ndf = pd.read_csv(os.path.join(DATA_DIR, "x.csv"))',
    ]
    assert lint_cells(cells, select=["NB201", "NB202", "NB203"]) == []


def test_escapes_are_not_string_literals(lint_cells):
    cells = ["%ls /data\n!cp /data/x.csv /mnt/backup/", "%%bash\ncat /home/alice/x.csv"]
    assert lint_cells(cells, select=PATH_RULES) == []


# --------------------------------------------------------------------------- NB202


@pytest.mark.parametrize(
    ("literal", "words"),
    [
        ('"/Users/alice/data.csv"', "a user's home folder"),
        ('"/home/bob/projects/x"', "a user's home folder"),
        ('"/Users/alice/My Documents/data"', "a user's home folder"),
        ('"/root/.kaggle/kaggle.json"', "the root user's home folder"),
        ('r"C:\\Users\\alice\\Desktop\\sales.xlsx"', "Windows user's home folder"),
        ('"c:/users/alice/x.csv"', "Windows user's home folder"),
        ('"/mnt/c/Users/alice/x.csv"', "under WSL"),
        ('"~/data/train.csv"', "home folder (`~`)"),
        ('"~alice/train.csv"', "home folder (`~`)"),
        ('"/content/drive/MyDrive/data.csv"', "Google Drive as mounted in Colab"),
        ('"/content/sample_data/mnist_test.csv"', "Colab"),
        ('"/kaggle/input/titanic/train.csv"', "Kaggle"),
        ('"/Volumes/External/exports/x.csv"', "macOS volume"),
        ('r"D:\\Dropbox\\data.csv"', "personal folder (Dropbox)"),
        ('"E:/OneDrive - Acme/report.xlsx"', "personal folder (OneDrive - Acme)"),
        ('"file:///Users/alice/x.csv"', "a user's home folder"),
    ],
)
def test_user_specific_paths_are_reported(lint_cells, literal, words):
    findings = lint_cells([f"source = {literal}"], select=PATH_RULES)
    assert codes(findings) == ["NB202"]  # and not NB201 as well
    (finding,) = findings
    assert where(finding) == (1, 1, 10, 1, 10 + len(literal))
    assert finding.severity == "error"
    assert words in finding.message
    assert "`parameters` cell" in finding.message


def test_colab_mount_point_is_user_specific(lint_cells):
    cells = ['from google.colab import drive\ndrive.mount("/content/drive")']
    findings = lint_cells(cells, select=["NB202"])
    assert [(f.line, f.column) for f in findings] == [(2, 13)]


def test_lone_tilde_counts_only_as_a_path_argument(lint_cells):
    cells = ['import os\nhome = os.path.expanduser("~")\nsep = "~"\nexpr = df.query("~flag")']
    findings = lint_cells(cells, select=PATH_RULES)
    assert [(f.code, f.line) for f in findings] == [("NB202", 2)]


def test_env_default_on_a_laptop_is_still_user_specific(lint_cells):
    cells = ['import os\np = os.getenv("DATA", "/Users/alice/data.csv")']
    assert codes(lint_cells(cells, select=PATH_RULES)) == ["NB202"]


def test_allowed_prefix_also_silences_user_specific_paths(lint_cells):
    (lint_cells.folder / "pyproject.toml").write_text(
        '[tool.nb2prod.lint]\nallowed-path-prefixes = ["/Volumes"]\n'
    )
    cells = ['catalog = "/Volumes/main/raw/events/x.csv"\nlaptop = "/Users/al/x.csv"']
    findings = lint_cells(cells, select=PATH_RULES)
    assert [(f.code, f.line) for f in findings] == [("NB202", 2)]


@pytest.mark.parametrize(
    "source",
    [
        'url = "https://example.com/home/alice/data.csv"',
        'note = "/home/alice is away this week"',
        'import re\nshort = re.sub(r"/Users/\\w+/", "~/", path)',
        'cache = "/srv/app/downloads/cache.bin"',  # NB201 only: lower-case server folder
        'here = "/home"',  # NB201 only: no user in it
    ],
)
def test_not_user_specific(lint_cells, source):
    assert "NB202" not in codes(lint_cells([source], select=PATH_RULES))


# --------------------------------------------------------------------------- NB203


def test_read_from_literal_relative_path(lint_cells):
    findings = lint_cells(
        ['import pandas as pd\ntrain = pd.read_csv("data/train.csv")'], select=["NB203"]
    )
    (finding,) = findings
    assert finding.severity == "warning"
    assert finding.message == (
        "reads data from the literal path 'data/train.csv'; make it a parameter (a variable "
        "in the `parameters` cell) so jobs can point it elsewhere"
    )
    assert where(finding) == (1, 2, 21, 2, 37)


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ('import pandas as pd\npd.read_parquet("data/x.parquet")', "data/x.parquet"),
        ('from pandas import read_excel\nread_excel("sales.xlsx")', "sales.xlsx"),
        ('import polars as pl\npl.read_csv("x.csv")', "x.csv"),
        ('import polars as pl\npl.scan_parquet("x.parquet")', "x.parquet"),
        ('with open("labels.txt") as fh:\n    labels = fh.read()', "labels.txt"),
        ('labels = open("labels.txt", "r").read()', "labels.txt"),
        ('labels = open("labels.txt", mode="rt").read()', "labels.txt"),
        ('import numpy as np\nx = np.load("x.npy")', "x.npy"),
        ('import joblib\nmodel = joblib.load("model.pkl")', "model.pkl"),
        ('import json\ncfg = json.load(open("cfg.json"))', "cfg.json"),
        ('import pickle\nm = pickle.load(open("m.pkl", "rb"))', "m.pkl"),
        ('import torch\nstate = torch.load("weights.pt")', "weights.pt"),
        ('from PIL import Image\nimg = Image.open("cat.png")', "cat.png"),
        ('import cv2\nimg = cv2.imread("cat.jpg")', "cat.jpg"),
        ('import xarray as xr\nds = xr.open_dataset("air.nc")', "air.nc"),
        ('import h5py\nf = h5py.File("data.h5", "r")', "data.h5"),
        ('import h5py\nf = h5py.File("data.h5")', "data.h5"),
        ('import scipy.io\nm = scipy.io.loadmat("x.mat")', "x.mat"),
        ('from scipy.io import loadmat\nm = loadmat("x.mat")', "x.mat"),
        ('import tensorflow as tf\nm = tf.keras.models.load_model("m.keras")', "m.keras"),
        ('model.load_weights("weights.h5")', "weights.h5"),
        ('from pathlib import Path\ntext = Path("notes.md").read_text()', "notes.md"),
        ('from pathlib import Path\nraw = (Path("data") / "x.bin").read_bytes()', "data/x.bin"),
        ('from pathlib import Path\nwith Path("x.csv").open() as fh:\n    pass', "x.csv"),
        (
            'import os\nimport pandas as pd\npd.read_csv(os.path.join("data", "x.csv"))',
            "data/x.csv",
        ),
        ('import pandas as pd\npd.read_csv(f"data/train.csv")', "data/train.csv"),
        ('import pandas as pd\npd.read_csv(filepath_or_buffer="x.csv")', "x.csv"),
        ('import pandas as pd\npd.read_csv("./data/x.csv")', "./data/x.csv"),
    ],
)
def test_reads_from_literal_paths(lint_cells, source, path):
    findings = lint_cells([source], select=["NB203"])
    assert codes(findings) == ["NB203"]
    assert f"'{path}'" in findings[0].message


def test_location_of_a_path_built_from_literals_covers_the_expression(lint_cells):
    findings = lint_cells(
        ['import os\nimport pandas as pd\ndf = pd.read_csv(os.path.join("data", "x.csv"))'],
        select=["NB203"],
    )
    assert where(findings[0]) == (1, 3, 18, 3, 47)


@pytest.mark.parametrize(
    "source",
    [
        # remote or absolute (NB201/NB202 report those)
        'import pandas as pd\npd.read_csv("https://example.com/train.csv")',
        'import pandas as pd\npd.read_parquet("s3://bucket/x.parquet")',
        'import pandas as pd\npd.read_csv("/data/train.csv")',
        'import pandas as pd\npd.read_csv("~/train.csv")',
        'import pandas as pd\npd.read_csv(r"C:\\data\\train.csv")',
        'import mlflow\nm = mlflow.pyfunc.load_model("runs:/0123abcd/model")',
        # a variable is the fix
        "import pandas as pd\npd.read_csv(TRAIN_PATH)",
        'import os\nimport pandas as pd\npd.read_csv(os.path.join(DATA_DIR, "x.csv"))',
        'import pandas as pd\npd.read_csv(f"{DATA_DIR}/x.csv")',
        'from pathlib import Path\n(Path(DATA_DIR) / "x.csv").read_text()',
        # writes, not reads
        'with open("out.txt", "w") as fh:\n    fh.write("x")',
        'open("log.txt", "a").write("x")',
        'import h5py\nf = h5py.File("out.h5", "w")',
        'df.to_csv("out.csv")',
        'from pathlib import Path\nPath("out.txt").write_text("x")',
        # not files
        'import pandas as pd\npd.read_sql("select * from t", con)',
        "import pandas as pd\npd.read_clipboard()",
        "import pandas as pd\npd.read_json('{\"a\": [1, 2]}')",
        'import io\nimport pandas as pd\npd.read_csv(io.StringIO("a,b\\n1,2"))',
        'import spacy\nnlp = spacy.load("en_core_web_sm")',
        'import sqlite3\ncon = sqlite3.connect(":memory:")',
        "open(path, mode).read()",
    ],
)
def test_not_literal_data_reads(lint_cells, source):
    assert lint_cells([source], select=["NB203"]) == []


def test_reading_a_file_an_earlier_cell_wrote_is_fine(lint_cells):
    cells = [
        'import pandas as pd\nimport zipfile\npd.DataFrame().to_csv("out/clean.csv")',
        'df = pd.read_csv("./out/clean.csv")',
        'with zipfile.ZipFile(ARCHIVE) as z:\n    z.extractall("raw")\nraw = pd.read_csv("raw/x.csv")',
    ]
    assert lint_cells(cells, select=["NB203"]) == []


def test_reading_before_writing_is_reported(lint_cells):
    cells = ['import pandas as pd\ndf = pd.read_csv("cache.csv")', 'df.to_csv("cache.csv")']
    assert [(f.cell, f.line) for f in lint_cells(cells, select=["NB203"])] == [(1, 2)]


def test_parameters_cell_reads_are_not_reported(lint_cells):
    cells = [code('import json\nCONFIG = json.load(open("config.json"))', tags=["parameters"])]
    assert lint_cells(cells, select=["NB203"]) == []


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ('import sqlite3\ncon = sqlite3.connect("../../data/x.sqlite")', "../../data/x.sqlite"),
        ('import sqlite3\ncon = sqlite3.connect(database="x.db")', "x.db"),
        ('import duckdb\ncon = duckdb.connect("data/x.duckdb")', "data/x.duckdb"),
        (
            'from sqlalchemy import create_engine\nengine = create_engine("sqlite:///../data/x.db")',
            "../data/x.db",
        ),
        (
            'import sqlalchemy as sa\nengine = sa.create_engine(url="sqlite+pysqlite:///x.db")',
            "x.db",
        ),
    ],
)
def test_database_files_are_data_reads(lint_cells, source, path):
    findings = lint_cells([source], select=["NB203"])
    assert codes(findings) == ["NB203"]
    assert f"'{path}'" in findings[0].message


def test_database_url_is_reported_on_its_string(lint_cells):
    source = 'import sqlalchemy\ne = sqlalchemy.create_engine("sqlite:///data/x.db", echo=True)'
    (finding,) = lint_cells([source], select=["NB203"])
    assert where(finding) == (1, 2, 30, 2, 51)


@pytest.mark.parametrize(
    "source",
    [
        'import sqlite3\ncon = sqlite3.connect(":memory:")',
        'import sqlite3\ncon = sqlite3.connect("")',
        "import duckdb\ncon = duckdb.connect()",
        'import duckdb\ncon = duckdb.connect(":memory:")',
        'from sqlalchemy import create_engine\ne = create_engine("sqlite://")',
        'from sqlalchemy import create_engine\ne = create_engine("sqlite:///:memory:")',
        'from sqlalchemy import create_engine\ne = create_engine("postgresql://db.internal/crm")',
        "from sqlalchemy import create_engine\ne = create_engine(DB_URL)",
        # absolute: NB201's
        'from sqlalchemy import create_engine\ne = create_engine("sqlite:////srv/x.db")',
    ],
)
def test_databases_that_are_not_literal_files(lint_cells, source):
    assert lint_cells([source], select=["NB203"]) == []


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ('import sqlite3\ncon = sqlite3.connect("/srv/data/x.sqlite")', "/srv/data/x.sqlite"),
        ('import duckdb\ncon = duckdb.connect("/srv/x.duckdb")', "/srv/x.duckdb"),
        (
            'from sqlalchemy import create_engine\ne = create_engine("sqlite:////srv/x.db")',
            "/srv/x.db",
        ),
    ],
)
def test_absolute_database_files_are_nb201(lint_cells, source, path):
    findings = lint_cells([source], select=["NB201", "NB203"])
    assert codes(findings) == ["NB201"]
    assert f"'{path}'" in findings[0].message


@pytest.mark.parametrize(
    ("write", "read"),
    [
        (
            'import keras\ncb = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)',
            'import keras\nm = keras.models.load_model("best.keras")',
        ),
        (
            "from tensorflow.keras.callbacks import ModelCheckpoint\n"
            'cb = ModelCheckpoint(filepath="ckpt/best.h5", monitor="val_loss")',
            'model.load_weights("ckpt/best.h5")',
        ),
        (
            'import tensorflow as tf\ncb = tf.keras.callbacks.ModelCheckpoint("best.weights.h5")',
            'model.load_weights("best.weights.h5")',
        ),
        (
            'import keras\nlog = keras.callbacks.CSVLogger("training.log")',
            'import pandas as pd\nh = pd.read_csv("training.log")',
        ),
        ('model.save("m.keras")', 'import keras\nm = keras.models.load_model("m.keras")'),
        ('df.to_parquet("out/x.parquet")', 'import pandas as pd\npd.read_parquet("out/x.parquet")'),
        ('df.to_json("x.json")', 'import pandas as pd\npd.read_json("x.json")'),
        ('df.to_pickle("x.pkl")', 'import pandas as pd\npd.read_pickle("x.pkl")'),
        ('df.to_excel("x.xlsx")', 'import pandas as pd\npd.read_excel("x.xlsx")'),
        ('import joblib\njoblib.dump(m, "m.joblib")', 'import joblib\nm = joblib.load("m.joblib")'),
        (
            'import pickle\npickle.dump(m, open("m.pkl", "wb"))',
            'import pickle\nm = pickle.load(open("m.pkl", "rb"))',
        ),
        ('import numpy as np\nnp.save("x.npy", x)', 'import numpy as np\nx = np.load("x.npy")'),
        (
            'import matplotlib.pyplot as plt\nplt.savefig("fig.png")',
            'from PIL import Image\nimg = Image.open("fig.png")',
        ),
        ('fig.savefig("fig.png")', 'from PIL import Image\nimg = Image.open("fig.png")'),
        (
            'import torch\ntorch.save(model.state_dict(), "w.pt")',
            'import torch\nstate = torch.load("w.pt")',
        ),
        ('open("notes.txt", "w").write("x")', 'notes = open("notes.txt").read()'),
    ],
)
def test_reading_back_what_the_notebook_wrote_is_fine(lint_cells, write, read):
    assert lint_cells([write, read], select=["NB203"]) == []


def test_public_keras_example_reads_back_its_checkpoint(tmp_path):
    import nb2prod
    from tests.public.keras_timeseries import keras_timeseries_notebook

    path = keras_timeseries_notebook(tmp_path)
    assert nb2prod.lint(path, select=["NB203"], isolated=True).findings == []


# --------------------------------------------------------------------------- NB204


@pytest.mark.parametrize(
    ("source", "span", "shown"),
    [
        ('import os\nos.chdir("../data")', (2, 1, 2, 20), "`os.chdir()`"),
        ('from os import chdir\nchdir("..")', (2, 1, 2, 12), "`os.chdir()`"),
        ("x = 1\n%cd ../data", (2, 1, 2, 12), "`%cd ../data`"),
        ("%cd", (1, 1, 1, 4), "`%cd`"),
        ("cd data", (1, 1, 1, 8), "`%cd data`"),
        ("%pushd /data", (1, 1, 1, 13), "`%pushd /data`"),
        ("%popd", (1, 1, 1, 6), "`%popd`"),
        ("if True:\n    %cd data", (2, 5, 2, 13), "`%cd data`"),
        ('get_ipython().run_line_magic("cd", "..")', (1, 1, 1, 41), "`%cd ..`"),
    ],
)
def test_working_directory_changes(lint_cells, source, span, shown):
    findings = lint_cells([source], select=["NB204"])
    assert codes(findings) == ["NB204"]
    (finding,) = findings
    assert where(finding)[1:] == span
    assert finding.severity == "error"
    assert shown in finding.message and "working directory" in finding.message


@pytest.mark.parametrize(
    "source",
    [
        "!cd data && ls",  # runs in a subshell: the kernel's folder does not change
        "%%bash\ncd /data\nls",
        "cd = 3\nprint(cd)",
        "import os\nhere = os.getcwd()",
        "from pathlib import Path\nhere = Path.cwd()",
        'msg = "run %cd .. first"',
    ],
)
def test_not_working_directory_changes(lint_cells, source):
    assert lint_cells([source], select=["NB204"]) == []


# --------------------------------------------------------------------------- NB205


@pytest.mark.parametrize(
    ("source", "span"),
    [
        ('import sys\nsys.path.append("../src")', (2, 1, 2, 26)),
        ('import sys\nsys.path.insert(0, "/home/alice/lib")', (2, 1, 2, 38)),
        ('import sys\nsys.path.extend(["a", "b"])', (2, 1, 2, 28)),
        ('from sys import path\npath.append("..")', (2, 1, 2, 18)),
        ('import sys\nsys.path += ["../src"]', (2, 1, 2, 23)),
        ('import sys\nsys.path = ["../src"] + sys.path', (2, 1, 2, 33)),
        ('import sys\nsys.path[:0] = ["../src"]', (2, 1, 2, 26)),
        ('import site\nsite.addsitedir("../vendor")', (2, 1, 2, 29)),
    ],
)
def test_sys_path_mutations(lint_cells, source, span):
    findings = lint_cells([source], select=["NB205"])
    assert codes(findings) == ["NB205"]
    (finding,) = findings
    assert where(finding)[1:] == span
    assert finding.severity == "warning"
    assert "pip install -e ." in finding.message


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nprint(sys.path)",
        "import sys\nfirst = sys.path[0]",
        'import sys\nwhere = sys.path.index("/x")',
        'paths = []\npaths.append("x")',
        'import os\nos.environ["PYTHONPATH"] = "src"',
        "import sys\npath = list(sys.path)\npath.append('x')",
    ],
)
def test_not_sys_path_mutations(lint_cells, source):
    assert lint_cells([source], select=["NB205"]) == []


# --------------------------------------------------------------------------- NB206


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("%run other.ipynb", "`%run other.ipynb` runs another notebook"),
        ("%run -i ./prep/Features.IPYNB", "runs another notebook"),
        ('%run "my notebook.ipynb"', "runs another notebook"),
        ("run helpers.ipynb", "runs another notebook"),
        ("%store -r", "`%store -r` restores variables"),
        ("%store -r df model", "restores variables"),
        (
            "import import_ipynb\nimport helpers",
            "`import_ipynb` imports code from another notebook",
        ),
        ("import nbimporter", "`nbimporter`"),
        ("from ipynb.fs.full.utils import clean", "`ipynb.fs.full.utils`"),
        ("from ipynb.fs.defs.utils import clean", "`ipynb.fs.defs.utils`"),
        ("import ipynb.fs.full.utils", "`ipynb.fs.full.utils`"),
        (
            'dbutils.notebook.run("./child", 600, {"date": "2024-01-01"})',
            "`dbutils.notebook.run()`",
        ),
        ('get_ipython().run_line_magic("run", "other.ipynb")', "runs another notebook"),
    ],
)
def test_notebook_dependencies(lint_cells, source, words):
    findings = lint_cells([source], select=["NB206"])
    assert codes(findings) == ["NB206"]
    assert findings[0].severity == "error"
    assert words in findings[0].message
    assert findings[0].line == 1 and findings[0].column == 1


@pytest.mark.parametrize(
    "source",
    [
        "%run script.py",
        "%run -m package.module",
        "%run -i train.py --epochs 3",
        "%store df",
        "import ipynb",
        "import json",
        'name = "other.ipynb"',
        'import nbformat\nnb = nbformat.read("other.ipynb", as_version=4)',
        "from .ipynb_utils import x",
    ],
)
def test_not_notebook_dependencies(lint_cells, source):
    assert lint_cells([source], select=["NB206"]) == []


# --------------------------------------------------------------------------- robustness


def test_odd_cells_do_not_crash_the_rules(lint_cells):
    rules = ["NB000", "NB201", "NB202", "NB203", "NB204", "NB205", "NB206"]
    big = "\n".join(f'x{i} = "/data/part-{i}.csv"' for i in range(3000))
    cells = [
        "",
        "   \n\n",
        markdown("# Title"),
        'x = "/data/a.csv"\ndef broken(:\n    pass\ny = "/data/b.csv"',
        "%%sql\nSELECT * FROM '/data/x.parquet'",
        "%%time\n",
        "f = f'{x!r:>{width}}'\nb = b'/data'\nn = None",
        big,
    ]
    findings = lint_cells(cells, select=rules)
    assert "NB000" not in codes(findings)
    assert [(f.cell, f.line) for f in findings if f.cell == 4] == [(4, 1), (4, 4)]
    assert sum(1 for f in findings if f.cell == 8) == 3000
