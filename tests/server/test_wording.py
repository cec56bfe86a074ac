"""The core's messages as the panel shows them: no command-line flag a panel user cannot
type, no absolute path of the server's machine."""

from __future__ import annotations

from nb2prod.server.wording import panel_text


def test_force_advice_becomes_the_replace_button():
    said = panel_text(
        "--force never overwrites changes: move these files out of the folder (or undo the "
        "changes), then export again with --force; files you added are kept"
    )
    assert "--force" not in said and said.startswith("Replace never overwrites changes")
    assert "then export again and choose Replace" in said


def test_paths_under_the_server_root_are_shown_relative_to_it(tmp_path):
    root = tmp_path / "lab"
    message = f"{root}/work/build/x holds a changed file: {root.resolve()}/work/build/x/a.py"
    said = panel_text(message, str(root))
    assert str(tmp_path) not in said and said.startswith("work/build/x holds")
