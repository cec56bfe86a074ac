"""NB501 hardcoded-secret, NB502 secret-in-output, NB503 credential-in-url.

Fake credentials are generated at run time, so this file holds no token-shaped text
for secret scanners (and push protection) to trip on.
"""

from __future__ import annotations

import base64
import json
import random
import string

import nbformat
import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.credentials import find_tokens
from nb2prod.linter.engine import lint_file
from tests.conftest import code, codes, error, markdown, result, stream

SECRETS = ["NB501", "NB502", "NB503"]
UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits


def fake(prefix: str, length: int, alphabet: str = ALNUM, seed: int = 0) -> str:
    """``prefix`` plus ``length`` random characters, with at least one digit and one letter."""
    rng = random.Random(f"{prefix}{length}{seed}")
    while True:
        body = "".join(rng.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in body) and any(c.isalpha() for c in body):
            return prefix + body


def fake_jwt() -> str:
    part = lambda data: base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")  # noqa: E731
    return ".".join(
        [part('{"alg":"HS256","typ":"JWT"}'), part('{"sub":"42","exp":1900000000}'), fake("", 43)]
    )


OPENAI = fake("sk-" + "proj-", 43)  # 51 characters, like the brief's sk-p…(51 chars)
GITHUB = fake("gh" + "p_", 36)
AWS_ID = fake("AK" + "IA", 16, UPPER_DIGITS)
HF = fake("h" + "f_", 34)

TOKENS = {
    "AWS access key id": AWS_ID,
    "AWS access key id (temporary)": fake("AS" + "IA", 16, UPPER_DIGITS),
    "GitHub token": GITHUB,
    "GitHub token (oauth)": fake("gh" + "o_", 36),
    "GitHub token (fine-grained)": fake("github" + "_pat_", 22) + fake("_", 59),
    "OpenAI API key": OPENAI,
    "OpenAI API key (legacy)": fake("sk" + "-", 24) + "aB" + fake("", 22),
    "Anthropic API key": fake("sk-" + "ant-api03-", 93, ALNUM + "-_"),
    "Slack token": "xo" + "xb-123456789012-1234567890123-" + fake("", 24),
    "Google API key": fake("AI" + "za", 35),
    "Stripe API key": fake("sk_" + "live_", 24),
    "Stripe API key (restricted)": fake("rk_" + "live_", 24),
    "Hugging Face token": HF,
    "JSON Web Token": fake_jwt(),
    "Databricks token": fake("dap" + "i", 32, "0123456789abcdef"),
    "GitLab token": fake("glp" + "at-", 20),
    "Groq API key": fake("gs" + "k_", 52),
    "Replicate API token": fake("r8" + "_", 37),
    "SendGrid API key": fake("S" + "G.", 22) + fake(".", 43),
    "Google OAuth client secret": fake("GOC" + "SPX-", 28),
}


def only(findings, code):
    return [f for f in findings if f.code == code]


# --------------------------------------------------------------------------- NB501 token formats


@pytest.mark.parametrize("label", sorted(TOKENS))
def test_token_formats_in_a_string_literal(lint_cells, label):
    token = TOKENS[label]
    findings = lint_cells(["import os\n", f'client = Client(key="{token}")\n'], select=SECRETS)
    assert codes(findings) == ["NB501"]
    finding = findings[0]
    assert (finding.cell, finding.line, finding.column) == (2, 1, 22)
    assert finding.end_column == 22 + len(token)
    assert finding.severity == "error" and finding.name == "hardcoded-secret"
    assert label.split(" (")[0] in finding.message
    assert f"{token[:4]}…({len(token)} chars)" in finding.message
    assert token not in finding.message and token[4:12] not in finding.message


def test_openai_key_message_is_redacted_like_the_brief(lint_cells):
    [finding] = lint_cells([f'OPENAI_API_KEY = "{OPENAI}"'], select=SECRETS)
    assert "OpenAI API key `sk-p…(51 chars)`" in finding.message
    assert "os.environ" in finding.message and "revoke" in finding.message


def test_token_in_a_comment_points_at_the_token(lint_cells):
    source = "x = 1\n# old key, do not use: " + GITHUB + " (rotated)\n"
    [finding] = lint_cells([source], select=SECRETS)
    column = len("# old key, do not use: ") + 1
    assert (finding.line, finding.column, finding.end_column) == (2, column, column + 40)


def test_token_in_a_cell_that_does_not_parse(lint_cells):
    source = f'client = OpenAI(\n    api_key="{OPENAI}",\n    timeout=30,,\n'
    findings = lint_cells([source], select=SECRETS)
    assert codes(findings) == ["NB501"] and findings[0].line == 2


def test_token_in_bash_cell_and_env_magic(lint_cells):
    cells = [
        f"%%bash\nexport OPENAI_API_KEY={OPENAI}\npython train.py\n",
        f"%env HF_TOKEN={HF}\n",
        f"!curl -H 'Authorization: token {GITHUB}' https://api.github.com/user\n",
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.code, f.cell, f.line) for f in findings] == [
        ("NB501", 1, 2),
        ("NB501", 2, 1),
        ("NB501", 3, 1),
    ]


def test_token_in_getenv_default_is_still_hardcoded(lint_cells):
    findings = lint_cells(
        [f'import os\nkey = os.getenv("OPENAI_API_KEY", "{OPENAI}")'], select=SECRETS
    )
    assert codes(only(findings, "NB501")) == ["NB501"]


def test_ipynb_line_points_at_the_secret(lint_cells):
    [finding] = lint_cells([f'import os\n\n\nHF_TOKEN = "{HF}"\n'], select=SECRETS)
    raw_lines = (lint_cells.folder / "nb.ipynb").read_text().splitlines()
    assert HF in raw_lines[finding.ipynb_line - 1]


def test_aws_secret_key_assigned_to_aws_names(lint_cells):
    secret = fake("", 40, ALNUM + "/+")
    cells = [
        f'session = boto3.Session(aws_access_key_id="{AWS_ID}",\n'
        f'                        aws_secret_access_key="{secret}")\n',
        f"%%bash\nexport AWS_SECRET_ACCESS_KEY={secret}\n",
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.cell, f.line) for f in findings] == [(1, 1), (1, 2), (2, 2)]
    assert "AWS secret access key" in findings[1].message
    assert secret[:4] not in findings[1].message  # no public prefix: show at most two chars


def test_private_key_needs_key_material(lint_cells):
    header = "-----BEGIN RSA " + "PRIVATE KEY-----"
    body = fake("MIIE", 60, ALNUM + "+/")
    cells = [
        f'KEY = """{header}\n{body}\n-----END RSA PRIVATE KEY-----"""',
        f'pem = "{header}\\n{body}\\n"',
        f'if text.startswith("{header}"):\n    kind = "rsa"',
        f'template = "{header}\\n...\\n-----END RSA PRIVATE KEY-----"',
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.cell, f.line) for f in findings] == [(1, 1), (2, 1)]
    assert header in findings[0].message and body[:10] not in findings[0].message


def test_azure_connection_string_account_key(lint_cells):
    key = fake("", 86, ALNUM + "+/") + "=="
    conn = f"DefaultEndpointsProtocol=https;AccountName=sales;AccountKey={key};EndpointSuffix=x"
    [finding] = lint_cells([f'client = from_connection_string("{conn}")'], select=SECRETS)
    assert "Azure storage account key" in finding.message
    assert finding.column == len('client = from_connection_string("') + conn.index(key) + 1
    assert key[:4] not in finding.message


def test_slack_webhook(lint_cells):
    url = "https://hooks.slack.com/" + "services/T0" + fake("", 8, UPPER_DIGITS) + "/B0"
    url += fake("", 8, UPPER_DIGITS) + "/" + fake("", 24)
    placeholder = "https://hooks.slack.com/" + "services/T00000000/B00000000/" + "X" * 24
    findings = lint_cells([f'WEBHOOK = "{url}"\nDOCS = "{placeholder}"'], select=SECRETS)
    assert [f.line for f in findings] == [1] and "Slack webhook" in findings[0].message


def test_each_token_reported_once(lint_cells):
    cells = [
        f'OPENAI_API_KEY = "{OPENAI}"\n'
        f'os.environ["OPENAI_API_KEY"] = "{OPENAI}"\n'
        f'config = {{"api_key": "{OPENAI}", "token": "{OPENAI}"}}\n'
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.line, f.column) for f in findings] == [(1, 19), (2, 33), (3, 23), (3, 87)]
    assert all("OpenAI API key" in f.message for f in findings)


# --------------------------------------------------------------------------- NB501 secret names


@pytest.mark.parametrize(
    "source, name",
    [
        ('db_password = "Tr0ub4dor&3"', "db_password"),
        ('PASSWORD = "hunter2"', "PASSWORD"),
        ('conn = psycopg2.connect(host="db", user="etl", password="hunter2")', "password"),
        ('payload = {"username": "etl", "password": "hunter2"}', "password"),
        ("settings.client_secret = 'a8f5f167f44f4964e6c998dee827110c'", "client_secret"),
        ('os.environ["DB_PASSWORD"] = "hunter2"', "DB_PASSWORD"),
        ('api_key: str = "k3y-Zq81-77"', "api_key"),
        ('user, password = "etl", "hunter2"', "password"),
        ('def connect(host, passwd="hunter2"):\n    pass', "passwd"),
        ('os.environ.setdefault("SNOWFLAKE_PASSWORD", "hunter2")', "SNOWFLAKE_PASSWORD"),
        ('wandbApiKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f0aa55aa55"', "wandbApiKey"),
        ('headers = {"X-API-Key": "q9Zt-44-Lm0"}', "X-API-Key"),
        ('SECRET_KEY = b"dj4ng0-s3cret-v4lue"', "SECRET_KEY"),
        ('private_key = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"', "private_key"),
        ('PGPASSWORD = "Tr0ub4dor3"', "PGPASSWORD"),
        ('r = requests.get(url, auth=("etl", "Tr0ub4dor3"))', "password"),
        ('auth = HTTPBasicAuth("etl", "Tr0ub4dor3")', "password"),
    ],
)
def test_secret_named_literals(lint_cells, source, name):
    findings = lint_cells([source], select=SECRETS)
    assert codes(findings) == ["NB501"]
    assert f"`{name}`" in findings[0].message and "os.environ" in findings[0].message
    assert "hunter2" not in findings[0].message


def test_secret_key_without_aws_in_its_name_is_not_an_aws_key(lint_cells):
    value = fake("", 40)
    [finding] = lint_cells([f'SECRET_KEY = "{value}"'], select=SECRETS)
    assert "AWS" not in finding.message and "`SECRET_KEY`" in finding.message


def test_secret_name_points_at_the_value(lint_cells):
    [finding] = lint_cells(
        ['import os\nconn = connect(\n    password="hunter2",\n)'], select=SECRETS
    )
    assert (finding.line, finding.column, finding.end_column) == (3, 14, 23)
    assert "`…(7 chars)`" in finding.message


def test_authorization_header(lint_cells):
    cells = [
        'headers = {"Authorization": "Bearer 8f14e45fceea167a5a36dedd4bea2543"}',
        'headers = {"Authorization": f"Bearer {token}"}',
        'headers = {"Authorization": "Bearer <token>"}',
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [f.cell for f in findings] == [1] and "`Authorization`" in findings[0].message


def test_env_magic_and_export_with_secret_names(lint_cells):
    cells = [
        "%env DB_PASSWORD=Tr0ub4dor3\n%env DB_HOST=db.internal\n%env TOKEN=$HF_TOKEN",
        "%set_env WANDB_API_KEY 0f1e2d3c4b5a6978\n",
        "%%bash\nexport PGPASSWORD='Tr0ub4dor3'\nexport PGUSER=etl\npsql -c 'select 1'\n",
        "%%bash\nexport GITHUB_TOKEN=$(cat ~/.token)\nexport HF_TOKEN=`pass show hf`\n",
        "!kaggle-upload --password=Tr0ub4dor3 --token $KAGGLE_TOKEN data/\n",
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.cell, f.line, f.column) for f in findings] == [
        (1, 1, 18),
        (2, 1, 24),
        (3, 2, 20),
        (5, 1, 27),
    ]


def test_files_written_by_writefile(lint_cells):
    cells = [
        "%%writefile .env\nDB_HOST=db.internal\nDB_PASSWORD=Tr0ub4dor3\nAPI_KEY=${API_KEY}\n",
        "%%writefile config.yaml\ndatabase:\n  user: etl\n  password: 'Tr0ub4dor3'  # prod\n",
        '%%writefile app.py\nimport os\n\nclient = Client(token="Tr0ub4dor3")\n',
        '%%writefile settings.json\n{\n  "token": "Tr0ub4dor3",\n  "token_url": "https://x"\n}',
        "%%writefile notes.txt\nThe password: is in the vault\n",
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.cell, f.line, f.column) for f in findings] == [
        (1, 3, 13),
        (2, 4, 14),
        (3, 4, 23),
        (4, 3, 13),
    ]


def test_secret_name_in_a_cell_with_a_syntax_error(lint_cells):
    findings = lint_cells(['password = "hunter2"\nprint(password'], select=SECRETS)
    assert codes(findings) == ["NB501"] and findings[0].line == 1


# --------------------------------------------------------------------------- NB502


def test_token_in_stream_output(lint_cells):
    out = stream(f"loaded config\napi_key={OPENAI}\n")
    cells = [code("print(config)", count=1, outputs=[stream("ok\n"), out])]
    findings = lint_cells(cells, select=SECRETS)
    [finding] = only(findings, "NB502")
    assert (finding.cell, finding.line, finding.column) == (1, 1, 1)
    assert finding.severity == "error" and finding.name == "secret-in-output"
    assert "output 2 (stream stdout)" in finding.message
    assert "OpenAI API key `sk-p…(51 chars)`" in finding.message and OPENAI not in finding.message
    assert finding.fix == "remove the outputs that show the credential"


def test_token_in_html_json_and_traceback_outputs(lint_cells):
    html = nbformat.v4.new_output(
        "display_data", data={"text/html": f"<table><td>{GITHUB}</td></table>"}
    )
    as_json = nbformat.v4.new_output(
        "display_data", data={"application/json": {"auth": {"token": HF}}}
    )
    ansi = "\x1b[0;31mAuthenticationError\x1b[0m: Incorrect API key provided: "
    crash = nbformat.v4.new_output(
        "error", ename="AuthenticationError", evalue="401", traceback=[ansi + OPENAI + "\x1b[0m"]
    )
    markdown_out = nbformat.v4.new_output("display_data", data={"text/markdown": f"`{AWS_ID}`"})
    cells = [code("x", count=i + 1, outputs=[o]) for i, o in enumerate([html, as_json, crash])]
    cells.append(code("show()", count=4, outputs=[markdown_out]))
    findings = only(lint_cells(cells, select=["NB502"]), "NB502")
    assert [f.cell for f in findings] == [1, 2, 3, 4]
    assert "output 1 (text/html)" in findings[0].message and "GitHub token" in findings[0].message
    assert "application/json" in findings[1].message and "Hugging Face" in findings[1].message
    assert "output 1 (error)" in findings[2].message and "OpenAI" in findings[2].message
    assert "text/markdown" in findings[3].message and "AWS access key id" in findings[3].message


def test_one_finding_per_secret_per_cell(lint_cells):
    both = nbformat.v4.new_output(
        "display_data", data={"text/plain": f"Config(key='{HF}')", "text/html": f"<b>{HF}</b>"}
    )
    findings = lint_cells([code("cfg", count=1, outputs=[both, stream(HF)])], select=["NB502"])
    assert len(findings) == 1 and "output 1 (text/plain)" in findings[0].message


def test_connection_url_password_in_output(lint_cells):
    crash = error(
        "OperationalError", "connection to postgresql://etl:Tr0ub4dor3@db.internal failed"
    )
    masked = result("Engine(postgresql://etl:***@db.internal/sales)")
    findings = lint_cells(
        [code("engine.connect()", count=1, outputs=[crash, masked])], select=SECRETS
    )
    [finding] = only(findings, "NB502")
    assert (
        "password in connection URL `postgresql://etl:…(10 chars)@db.internal`" in finding.message
    )
    assert "Tr0ub4dor3" not in finding.message


def test_output_fix_removes_only_leaking_outputs(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        code("print(os.environ)", count=1, outputs=[stream("start\n"), stream(f"KEY={GITHUB}\n")]),
        code("1 + 1", count=2, outputs=[result("2", 2)]),
    ]
    path = tmp_path / "leak.ipynb"
    nbformat.write(nb, str(path))
    settings = lint_settings(str(path), LintOverrides(select=("NB502",)))
    report = lint_file(str(path), settings, fix="fix")
    assert report.fixed == 1 and report.findings == []
    fixed = nbformat.read(str(path), as_version=4)
    assert [o["text"] for o in fixed.cells[0].outputs] == ["start\n"]
    assert fixed.cells[1].outputs[0]["data"]["text/plain"] == "2"
    assert GITHUB not in path.read_text()


def test_output_name_heuristic_and_images_are_not_scanned(lint_cells):
    png = base64.b64encode(b"\x89PNG\r\n" + bytes(range(256)) * 8).decode()
    standalone = f"{png[:76]}\n{AWS_ID}\n{png[76:]}"  # would match if it were scanned
    assert find_tokens(standalone) and find_tokens(f'src="data:image/png;base64,{AWS_ID}"')
    image = nbformat.v4.new_output(
        "display_data", data={"image/png": standalone, "text/plain": "<Figure size 640x480>"}
    )
    html = nbformat.v4.new_output(
        "display_data", data={"text/html": f'<img src="data:image/png;base64,{AWS_ID}">'}
    )
    pdf = nbformat.v4.new_output("display_data", data={"application/pdf": standalone})
    logs = stream("password = hunter2\ntoken: abc123\n")
    cells = [code("plot()", count=1, outputs=[image, html, pdf, logs])]
    assert lint_cells(cells, select=SECRETS) == []


# --------------------------------------------------------------------------- NB503


def test_password_in_connection_url(lint_cells):
    source = 'engine = create_engine("postgresql://analyst:Tr0ub4dor3@db.internal/sales")'
    findings = lint_cells([source], select=SECRETS)
    assert codes(findings) == ["NB503"]
    finding = findings[0]
    assert (finding.line, finding.column, finding.end_column) == (1, 46, 56)
    assert finding.severity == "error" and finding.name == "credential-in-url"
    assert "`postgresql://analyst:…(10 chars)@db.internal`" in finding.message
    assert "Tr0ub4dor3" not in finding.message and "os.environ" in finding.message


def test_url_credentials_in_fstrings_magics_and_shell(lint_cells):
    cells = [
        'url = f"mongodb+srv://{user}:Tr0ub4dor3@{cluster}/db"',
        "%sql mysql+pymysql://etl:Tr0ub4dor3@db.internal/sales",
        "%%sql postgresql://etl:Tr0ub4dor3@db.internal/sales\nSELECT 1",
        f"%%bash\ngit clone https://bot:{GITHUB}@github.com/org/repo.git",
        'db_password_url = "redis://:Tr0ub4dor3@cache:6379/0"',
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.code, f.cell, f.line) for f in findings] == [
        ("NB503", 1, 1),
        ("NB503", 2, 1),
        ("NB503", 3, 1),
        ("NB503", 4, 2),  # a token as a URL password is NB503 only
        ("NB503", 5, 1),  # a URL bound to a secret name is NB503 only
    ]


def test_url_credentials_in_a_cell_that_does_not_parse(lint_cells):
    source = 'x = (\nurl = "postgresql://etl:Tr0ub4dor3@db/sales"\n# postgresql://a:Tr0ub4dor3@db'
    findings = lint_cells([source], select=SECRETS)
    assert [(f.code, f.line) for f in findings] == [("NB503", 2)]


@pytest.mark.parametrize(
    "source",
    [
        'url = f"postgresql://{user}:{pw}@db.internal/sales"',
        'url = "postgresql://{}:{}@{}/{}".format(user, pw, host, db)',
        'url = "postgresql://%s:%s@%s/sales" % (user, pw, host)',
        'url = "postgresql://etl:***@db.internal/sales"',
        'url = "mysql://root:<password>@localhost/db"',
        'url = "postgresql://etl:${PGPASSWORD}@db/sales"',
        'url = "postgresql://user:password@localhost:5432/db"',
        'url = "postgresql://postgres:postgres@localhost:5432/postgres"',
        'url = "amqp://guest:guest@localhost:5672//"',
        'engine = create_engine("mysql://scott:tiger@localhost/test")',
        "# connect with postgresql://etl:Tr0ub4dor3@db.internal/sales\nx = 1",
        'url = "http://localhost:8888/?token=abc123"',
        'repo = "git@github.com:org/repo.git"',
        'path = "s3://bucket/prefix/file.parquet"',
        'url = "postgresql://" + user + ":" + pw + "@" + host',
    ],
)
def test_url_without_a_real_password(lint_cells, source):
    assert lint_cells([source], select=SECRETS) == []


# --------------------------------------------------------------------------- precision


_PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 6).decode()
#: A PNG payload with an access-key-like run inside the base64 and one on its own line.
PNG_WITH_KEYLIKE_TEXT = f"{_PNG[:100]}{AWS_ID}{_PNG[100:300]}\n{AWS_ID}\n{_PNG[300:]}"

REALISTIC_NEGATIVE_NOTEBOOK = [
    markdown(
        "# Fine-tuning\nSet your key first, e.g. `OPENAI_API_KEY=" + OPENAI + "`, and your "
        "database password in `.env`."
    ),
    code(
        "%pip install -q transformers datasets openai\n!git clone https://github.com/org/repo.git"
    ),
    code(
        "import os\nfrom getpass import getpass\nfrom google.colab import userdata\n"
        "import pandas as pd\nfrom transformers import AutoTokenizer\n"
        "from sklearn.feature_extraction.text import CountVectorizer\n"
        'os.environ["TOKENIZERS_PARALLELISM"] = "false"\n'
        'api_key = os.environ["OPENAI_API_KEY"]\n'
        'hf_token = os.getenv("HF_TOKEN")\n'
        'secret = os.environ.get("APP_SECRET", "")\n'
        'db_password = getpass("Password: ")\n'
        'wandb_key = userdata.get("WANDB_API_KEY")\n'
        'api_key_env = "OPENAI_API_KEY"\n'
        'API_KEY = "OPENAI_API_KEY"\n'
        "token = None\n"
        'password = ""\n'
    ),
    code(
        'API_KEY = "<your key>"\nTOKEN = "xxxxxxxxxxxxxxxx"\nOPENAI_API_KEY = "YOUR_API_KEY"\n'
        'password = "changeme"\nsecret = "***"\napi_key = "..."\nauth_token = "TODO"\n'
        'db_password = "${DB_PASSWORD}"\nbearer = {"token": "{token}"}\n'
        'AWS_ACCESS_KEY_ID = "AK' + 'IAIOSFODNN7EXAMPLE"\n'
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'
        'sample_jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6'
        'IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"\n'
    ),
    code(
        'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased", token=hf_token)\n'
        "tokenizer.pad_token = tokenizer.eos_token\n"
        'tokenizer.add_special_tokens({"pad_token": "[PAD]", "bos_token": "<s>"})\n'
        "special = {'eos_token': '</s>', 'unk_token': '<unk>', 'mask_token': '[MASK]'}\n"
        'enc = tokenizer(texts, max_length=256, truncation=True, padding="max_length")\n'
        'token_count = sum(len(t) for t in enc["input_ids"])\n'
        "max_tokens = 256\n"
        'token = "running"\n'
        'vectorizer = CountVectorizer(token_pattern=r"(?u)\\b\\w\\w+\\b")\n'
        'response = client.chat.completions.create(model="gpt-4o-mini", max_tokens=256,\n'
        '    messages=[{"role": "user", "content": "Summarise the passwords policy"}])\n'
        "out = model.generate(**inputs, max_new_tokens=128, pad_token_id=tokenizer.eos_token_id)\n"
    ),
    code(
        'df = pd.read_csv("users.csv")\n'
        'df["password_hash"] = df["password"].map(hash_password)\n'
        'password_col = "password"\n'
        'df = df.rename(columns={"pwd": "password", "password": "user_password"})\n'
        'df = df.astype({"token": "string"}).fillna({"password": "unknown"})\n'
        'value = settings.get("key", "value")\nmapping = {"key": "value"}\nkey = "value"\n'
        'credentials_path = "credentials.json"\n'
        'credentials = service_account.Credentials.from_service_account_file("sa.json")\n'
        'secret_name = "prod/db/password"\n'
        'token_url = "https://oauth2.googleapis.com/token"\n'
        'digest = "5f4dcc3b5aa765d61d8327deb882cf99"\n'
        'AWS_REGION = "us-east-1"\n'
        'payload = {"grant_type": "client_credentials", "token_type": "Bearer"}\n'
        'st.text_input("Password", type="password")\n'
        "def login(user, token=None, password_prompt='Password: '):\n"
        "    return user\n"
        'OPENAI_API_KEY = "eyJhbGci..."\n'
        'page = service.list(page_token="CAUQAA", next_token="AAAb12")\n'
        'r = requests.get(url, auth=("etl", os.environ["PW"]))\n'
        'os.environ["TOKENIZERS_PARALLELISM"] = "false"\n'
        '"""Pass token="abc123" to `login`."""\n'
        'tokenizer.chat_template = "{% for m in messages %}{{ m.content }}{% endfor %}"\n'
        'hf_token_name = "read-only-2024"\n'
        'model_id = "meta-llama/Llama-3.1-8B"\n'
        'hf = HfApi(token=hf_token, endpoint="https://huggingface.co")\n'
        'password_regex = r"^(?=.*[A-Z])(?=.*\\d).{8,}$"\n'
    ),
    code(
        'engine = create_engine(f"postgresql://{user}:{pw}@db.internal/sales")\n'
        'log_url = "postgresql://etl:***@db.internal/sales"'
    ),
    code(
        "df.plot()",
        count=3,
        outputs=[
            nbformat.v4.new_output(
                "display_data",
                data={"image/png": PNG_WITH_KEYLIKE_TEXT, "text/plain": "<Figure size 640x480>"},
            ),
            nbformat.v4.new_output(
                "display_data",
                data={"text/html": f'<img src="data:image/png;base64,{PNG_WITH_KEYLIKE_TEXT}">'},
            ),
            stream("Epoch 1/3: loss=0.4312 tokens/s=1523.4\n"),
            result("{'input_ids': [101, 7592, 102], 'token_type_ids': [0, 0, 0]}", 3),
        ],
    ),
]


def test_realistic_data_science_notebook_has_no_findings(lint_cells):
    findings = lint_cells(REALISTIC_NEGATIVE_NOTEBOOK, select=SECRETS)
    assert findings == [], [(f.code, f.cell, f.line, f.message) for f in findings]


def test_markdown_and_raw_cells_are_not_code(lint_cells):
    cells = [markdown(f"Use `{OPENAI}`"), nbformat.v4.new_raw_cell(f"password = '{HF}'")]
    assert lint_cells(cells, select=SECRETS) == []


@pytest.mark.parametrize(
    "text",
    [
        "task-" + fake("", 40),  # `sk-` inside a word
        "sk-learn-compatible-estimator-wrapper-for-pipelines",
        fake("x", 30) + "AK" + "IA" + fake("", 16, UPPER_DIGITS) + "Zz",  # inside a longer run
        "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",  # letters only: not generated
        "ghp_" + "x" * 36,
        "sk-proj-your-key-goes-here-replace-me-now",
    ],
)
def test_token_lookalikes(lint_cells, text):
    assert lint_cells([f'note = "{text}"'], select=SECRETS) == []


def test_allowed_secrets_option(lint_cells):
    (lint_cells.folder / "pyproject.toml").write_text(
        '[tool.nb2prod.lint]\nallowed-secrets = ["hunter2", "Tr0ub4dor3"]\n'
    )
    cells = [
        code('password = "hunter2"\nurl = "postgresql://etl:Tr0ub4dor3@localhost/demo"'),
        code("print(url)", count=1, outputs=[stream("postgresql://etl:Tr0ub4dor3@localhost\n")]),
        code('other = {"password": "Hunter3!"}'),
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.code, f.cell) for f in findings] == [("NB501", 3)]


def test_odd_cells_do_not_crash(lint_cells):
    big = "x = 1\n" * 20000 + f'k = "{OPENAI}"\n'
    blob = 'img = "' + base64.b64encode(bytes(range(256)) * 4000).decode() + '"'
    cells = [
        code(""),
        code("   \n"),
        code("%%time\n" + f'TOKEN = "{HF}"'),
        code(big),
        code(blob),
        code("def f(:\n    pass"),
        code("%%sql\nSELECT password FROM users WHERE token = 'abc'"),
        code("%env"),
    ]
    findings = lint_cells(cells, select=SECRETS)
    assert [(f.code, f.cell) for f in findings] == [("NB501", 3), ("NB501", 4)]
    assert findings[1].line == 20001


def test_malformed_outputs_do_not_crash(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    outputs = [
        {"output_type": "stream"},
        {"output_type": "stream", "name": "stdout", "text": ["a ", 3, None, f"{HF}"]},
        {"output_type": "display_data", "data": {"text/plain": 42, "text/html": None}},
        {"output_type": "display_data", "data": "nonsense"},
        {"output_type": "error", "evalue": None, "traceback": "not a list"},
        {"weird": 1},
        "nonsense",
        None,
    ]
    cell = {
        "cell_type": "code",
        "metadata": {},
        "source": "x",
        "outputs": outputs,
        "execution_count": 1,
    }
    document = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(document))
    settings = lint_settings(str(path), LintOverrides(select=tuple(SECRETS + ["NB000"])))
    findings = lint_file(str(path), settings).findings
    assert [(f.code, f.cell) for f in findings] == [("NB502", 1)]
    assert "output 2 (stream stdout)" in findings[0].message
