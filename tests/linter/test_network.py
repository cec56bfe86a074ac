"""NB207: downloads and logins while the notebook runs.  Minimal cases, then reductions of
public notebooks (tests/public/) through the lint engine."""

from __future__ import annotations

import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.linter.engine import lint_file
from tests.conftest import code, codes
from tests.public.california_housing import housing_cached_notebook, housing_notebook
from tests.public.hf_text_classification import (
    text_classification_notebook,
    text_classification_pinned_notebook,
)
from tests.public.iris import iris_notebook
from tests.public.keras_mnist import mnist_notebook

SELECT = ["NB207"]


def lint_public(tmp_path, build):
    (tmp_path / "pyproject.toml").touch()
    path = build(tmp_path)
    return lint_file(
        str(path), lint_settings(str(path), LintOverrides(select=tuple(SELECT)))
    ).findings


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (
            'import urllib.request\nurllib.request.urlretrieve("https://x.org/a.csv", "a.csv")',
            "urllib.request.urlretrieve",
        ),
        ('from urllib.request import urlopen\nurlopen("http://x.org/a.json")', "urlopen"),
        ('import requests\nr = requests.get("https://api.x.org/v1/items")', "requests.get"),
        ('import requests\nr = requests.post(url="https://api.x.org/v1")', "requests.post"),
        ('import httpx\nr = httpx.get(f"https://x.org/{day}")', "httpx.get"),
        ('import pandas as pd\ndf = pd.read_csv("https://x.org/train.csv")', "pd.read_csv"),
        ('import pandas as pd\ndf = pd.read_json("ftp://x.org/a.json")', "pd.read_json"),
        (
            'import pandas as pd\nt = pd.read_html("https://en.wikipedia.org/wiki/X")',
            "pd.read_html",
        ),
        (
            'import pandas as pd\nURL = "https://x.org/t.parquet"\ndf = pd.read_parquet(URL)',
            "pd.read_parquet",
        ),
        (
            "from sklearn.datasets import fetch_openml\nX, y = fetch_openml('mnist_784', return_X_y=True)",
            "fetch_openml",
        ),
        (
            "from sklearn import datasets\nd = datasets.fetch_20newsgroups(subset='train')",
            "datasets.fetch_20newsgroups",
        ),
        (
            "import tensorflow as tf\n(x, y), _ = tf.keras.datasets.cifar10.load_data()",
            "tf.keras.datasets.cifar10.load_data",
        ),
        ("from keras.datasets import mnist\n(x, y), _ = mnist.load_data()", "mnist.load_data"),
        ("import nltk\nnltk.download('punkt')", "nltk.download"),
        ("from datasets import load_dataset\nds = load_dataset('imdb')", "load_dataset"),
        (
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased')",
            "AutoModel.from_pretrained",
        ),
        (
            "import torchvision\nds = torchvision.datasets.MNIST('data', download=True)",
            "torchvision.datasets.MNIST",
        ),
        ("import tensorflow_datasets as tfds\nds = tfds.load('mnist', split='train')", "tfds.load"),
        ("from huggingface_hub import notebook_login\nnotebook_login()", "notebook_login"),
        ("from huggingface_hub import login\nlogin()", "login"),
        ("import wandb\nwandb.login()", "wandb.login"),
        ("trainer.push_to_hub('me/model')", "trainer.push_to_hub"),
        # example datasets that statsmodels, seaborn and xarray fetch from the web
        (
            "import statsmodels.api as sm\ndta = sm.datasets.get_rdataset('Guerry', 'HistData')",
            "sm.datasets.get_rdataset",
        ),
        (
            "from statsmodels.datasets import get_rdataset\nx = get_rdataset('medpar', 'COUNT')",
            "get_rdataset",
        ),
        (
            "import statsmodels.api as sm\nd = sm.datasets.webuse('lutkepohl2')",
            "sm.datasets.webuse",
        ),
        ("import seaborn as sns\ntips = sns.load_dataset('tips')", "sns.load_dataset"),
        ("import xarray as xr\nds = xr.tutorial.open_dataset('air')", "xr.tutorial.open_dataset"),
        ("import pooch\npath = pooch.retrieve(url, known_hash=None)", "pooch.retrieve"),
        ("import yfinance as yf\nprices = yf.download('MSFT')", "yf.download"),
        (
            "from tsfresh.examples.robot_execution_failures import "
            "download_robot_execution_failures\ndownload_robot_execution_failures()",
            "download_robot_execution_failures",
        ),
        ("from river import datasets\ndataset = datasets.Bikes()", "datasets.Bikes"),
        ("from yellowbrick.datasets import load_concrete\nX, y = load_concrete()", "load_concrete"),
        (
            "import pandas_datareader as pdr\nr = pdr.fred.FredReader(['HOUST'])",
            "pdr.fred.FredReader",
        ),
        (
            "import pandas_datareader as pdr\nf = pdr.get_data_famafrench('F')",
            "pdr.get_data_famafrench",
        ),
    ],
)
def test_downloads_and_logins_are_reported(lint_cells, source, shown):
    findings = lint_cells([source], select=SELECT)
    assert codes(findings) == ["NB207"]
    (finding,) = findings
    assert finding.severity == "warning"
    assert f"`{shown}()`" in finding.message
    assert finding.line == source.count("\n") + 1


@pytest.mark.parametrize(
    "source",
    [
        "!wget https://x.org/data.zip",
        "!curl -L -o data.zip https://x.org/data.zip",
        "files = !wget -q https://x.org/a.csv",
        "!cd data && wget https://x.org/a.csv",
    ],
)
def test_download_commands_are_reported(lint_cells, source):
    findings = lint_cells([source], select=SELECT)
    assert codes(findings) == ["NB207"]
    assert "downloads with" in findings[0].message


def test_download_through_a_helper_function_is_reported(lint_cells):
    # statsmodels' statespace_varmax example downloads through a function of its own
    helper = (
        "import requests\n\n\ndef download_file(url):\n"
        "    with requests.get(url, stream=True, timeout=30) as r:\n"
        "        return r.content\n"
    )
    findings = lint_cells(
        [helper, "data = download_file('https://www.stata-press.com/data/r12/lutkepohl2.dta')"],
        select=SELECT,
    )
    assert [(f.code, f.cell) for f in findings] == [("NB207", 2)]
    assert "`download_file()` downloads 'https://www.stata-press.com/" in findings[0].message
    # given a path, or a URL from the parameters cell, the helper downloads nothing reported
    parameters = code("URL = 'https://example.org/x.csv'", tags=["parameters"])
    assert not lint_cells([parameters, helper, "download_file(URL)"], select=SELECT)
    assert not lint_cells([helper, "download_file('data/local.dta')"], select=SELECT)
    # a function of the notebook's named download_* is not a package's downloader
    assert not lint_cells(
        ["def download_data():\n    return 1\n\n\ndownload_data()"], select=SELECT
    )


def test_shell_cell_download_is_reported(lint_cells):
    findings = lint_cells(
        ["%%bash\nmkdir -p data\ncurl -o data/a.csv https://x.org/a.csv"], select=SELECT
    )
    assert [(f.code, f.line) for f in findings] == [("NB207", 3)]


@pytest.mark.parametrize(
    "cells",
    [
        # a URL from the parameters cell is the right pattern
        [
            code('DATA_URL = "https://x.org/train.csv"', tags=["parameters"]),
            "import pandas as pd\ndf = pd.read_csv(DATA_URL)",
        ],
        [
            code('MODEL = "bert-base-uncased"', tags=["parameters"]),
            "from transformers import AutoModel\nm = AutoModel.from_pretrained(MODEL)",
        ],
        ["import pandas as pd\ndf = pd.read_csv('data/train.csv')"],
        ["import requests\nr = requests.get(endpoint)"],
        ["d = {}\nv = d.get('https://x.org')"],
        # bundled datasets read no network
        [
            "from sklearn.datasets import load_iris, load_diabetes, load_breast_cancer, load_digits, "
            "load_wine\nfor f in (load_iris, load_diabetes, load_breast_cancer, load_digits, load_wine):"
            "\n    f()\nX, y = load_iris(return_X_y=True)"
        ],
        [
            "from sklearn.datasets import fetch_openml\nX = fetch_openml('mnist_784', download_if_missing=False)"
        ],
        ["import torchvision\nds = torchvision.datasets.MNIST('data', download=False)"],
        ["import tensorflow_datasets as tfds\nds = tfds.load('mnist', download=False)"],
        # pinned, offline, local or saved by the notebook itself
        [
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert-base-uncased', "
            "revision='86b5e0934494bd15c9632b12f734a8a67f723594')"
        ],
        [
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('bert', local_files_only=True)"
        ],
        ["from transformers import AutoModel\nm = AutoModel.from_pretrained('./models/bert')"],
        [
            "model.save_pretrained('out/model')\nfrom transformers import AutoModel\n"
            "m = AutoModel.from_pretrained('out/model')"
        ],
        [
            "from datasets import load_dataset\nds = load_dataset('csv', data_files='data/train.csv')"
        ],
        ["import os\nfrom huggingface_hub import login\nlogin(token=os.environ['HF_TOKEN'])"],
        ["import os, wandb\nwandb.login(key=os.environ['WANDB_API_KEY'])"],
        ["!ls data\n!pip install requests"],
        ["import json\nconfig = json.load(open(path))"],
    ],
)
def test_not_reported(lint_cells, cells):
    assert lint_cells(cells, select=SELECT) == []


def test_parameters_cell_itself_is_not_reported(lint_cells):
    cells = [code("import nltk\nnltk.download('punkt')", tags=["parameters"])]
    assert lint_cells(cells, select=SELECT) == []


def test_sklearn_california_housing(tmp_path):
    findings = lint_public(tmp_path, housing_notebook)
    assert [(f.code, f.cell, f.line) for f in findings] == [("NB207", 2, 1)]
    assert "`fetch_california_housing()`" in findings[0].message
    assert "read it from a path given as a parameter" in findings[0].message


def test_sklearn_california_housing_cached(tmp_path):
    assert lint_public(tmp_path, housing_cached_notebook) == []


def test_keras_mnist(tmp_path):
    findings = lint_public(tmp_path, mnist_notebook)
    assert [(f.code, f.cell, f.line) for f in findings] == [("NB207", 3, 1)]
    assert "`keras.datasets.mnist.load_data()`" in findings[0].message


def test_transformers_text_classification(tmp_path):
    findings = lint_public(tmp_path, text_classification_notebook)
    assert [(f.cell, f.line) for f in findings] == [(1, 3), (4, 3), (5, 3), (5, 4), (7, 1)]
    messages = [f.message for f in findings]
    assert "HF_TOKEN" in messages[0]
    assert "'glue'" in messages[1]
    assert "'distilbert-base-uncased'" in messages[2]
    assert "pin `revision=`" in messages[3]
    assert "publishes" in messages[4]


def test_transformers_pinned_and_local(tmp_path):
    assert lint_public(tmp_path, text_classification_pinned_notebook) == []


def test_iris_is_bundled(tmp_path):
    assert lint_public(tmp_path, iris_notebook) == []
