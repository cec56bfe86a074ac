"""Code frames quote whole lines: a line holding a credential, shown for a finding about
something else on it (or for another secret on it), shows none of the credential, in every
report format, with the columns kept."""

from __future__ import annotations

import nbformat

from nb2prod.config import LintOverrides
from nb2prod.linter.engine import lint_paths
from nb2prod.linter.formats import FORMATS, render

from ..conftest import code, write_notebook

TOKEN = "sk-proj-" + "Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3"
WAREHOUSE_PASSWORD = "Hb8nQ2wZ5yKs"
PLANTED = (TOKEN, WAREHOUSE_PASSWORD)


def test_no_code_frame_quotes_a_credential(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    printed = nbformat.v4.new_output("stream", name="stdout", text="connected\n")
    path = write_notebook(
        tmp_path / "n.ipynb",
        [
            code(
                f"warehouse_password = '{WAREHOUSE_PASSWORD}'\n"
                f"connect(password='{WAREHOUSE_PASSWORD}', key='{TOKEN}')",
                count=1,
                outputs=[printed],
            )
        ],
    )
    report = lint_paths([str(path)], LintOverrides())
    assert "NB108" in {f.code for f in report.findings}  # `connect`: its frame quotes line 2
    for fmt in FORMATS:
        shown = render(report, fmt, show_info=True)
        for planted in PLANTED:
            assert planted not in shown, f"{planted} in the {fmt} report:\n{shown}"
    text = render(report, "text")
    assert f"connect(password='{'*' * len(WAREHOUSE_PASSWORD)}'" in text
