"""Rule documentation is complete and docs/rules/ is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nb2prod.linter.docs import generate
from nb2prod.linter.rule import FAMILIES, all_rules

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    "## What it does",
    "## Why it blocks production",
    "## Example",
    "## Use instead",
    "## Fix",
]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_is_documented_in_the_five_sections(rule):
    doc = rule.doc()
    positions = [doc.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), f"{rule.code} lacks a section"
    assert positions == sorted(positions), f"{rule.code} sections out of order"
    assert re.fullmatch(r"NB\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.family in FAMILIES and rule.summary()
    for option, default in rule.options.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", option) and default is not None


def test_rule_names_are_unique():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_docs_rules_folder_is_current():
    folder = ROOT / "docs" / "rules"
    pages = generate(folder)
    stale = [
        p.name
        for p, text in pages.items()
        if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    extra = {p.name for p in folder.glob("NB*.md")} - {p.name for p in pages}
    assert not stale and not extra, f"run `make docs`: stale {stale}, extra {sorted(extra)}"


def test_help_texts_the_rest_api_and_docs_cite_no_architecture_document():
    """ARCHITECTURE.md is the contributors' map and does not ship with nb2prod: what a user
    reads (every command's --help, the REST API's description, docs/) says the thing."""
    import click

    from nb2prod.cli.main import main

    def helps(command: click.Command, ctx: click.Context):
        yield command.get_help(ctx)
        for name in getattr(command, "commands", {}):
            sub = command.commands[name]  # type: ignore[attr-defined]
            yield from helps(sub, click.Context(sub, info_name=name, parent=ctx))

    texts = list(helps(main, click.Context(main, info_name="nb2prod")))
    assert len(texts) > 10 and any("--tracking-uri" in text for text in texts)
    texts.append((ROOT / "nb2prod/server/openapi.yaml").read_text())
    texts += [path.read_text() for path in sorted((ROOT / "docs").rglob("*.md"))]
    assert not [text for text in texts if "ARCHITECTURE" in text]
