"""Rule documentation, generated from the rule classes (``nb2prod rule``, docs/rules/).

``python -m nb2prod.linter.docs docs/rules`` rewrites the folder; a test checks it is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nb2prod.linter.rule import FAMILIES, OLD_CODES_END, RENAMED_CODES, Rule, all_rules


def old_codes(rule: type[Rule]) -> list[str]:
    """The codes ``rule`` had before the renumbering (still accepted until OLD_CODES_END)."""
    return [old for old, new in RENAMED_CODES.items() if new == rule.code]


def rule_markdown(rule: type[Rule]) -> str:
    """The documentation page of one rule."""
    facts = [
        f"Family: {FAMILIES[rule.family].title}",
        f"default severity: {rule.severity.value}"
        + (
            " (info in the `explore` profile, error in `prod`)"
            if rule.family == "execution"
            else ""
        ),
        "enabled by default" if rule.default else "off by default (enable with `extend-select`)",
        f"safe fix: {rule.fix}" if rule.fix else "no automatic fix",
    ]
    facts += [f"formerly {old}, accepted until nb2prod {OLD_CODES_END}" for old in old_codes(rule)]
    page = f"# {rule.name} ({rule.code})\n\n{'; '.join(facts)}.\n\n{rule.doc()}\n"
    if rule.options:
        page += "\n## Options\n"
        for name, default in rule.options.items():
            page += f"- `{name}` in `[tool.nb2prod.lint]`, default `{json.dumps(default)}`\n"
    return page


def rule_table(rules: list[type[Rule]]) -> str:
    """One line per rule, for ``nb2prod rule``."""
    lines = [f"{'code':<7} {'name':<34} {'severity':<8} {'fix':<4} summary"]
    for rule in rules:
        fix = "yes" if rule.fix else ""
        default = "" if rule.default else " (off by default)"
        lines.append(
            f"{rule.code:<7} {rule.name:<34} {rule.severity.value:<8} {fix:<4} {rule.summary()}{default}"
        )
    return "\n".join(lines)


def rules_json(rules: list[type[Rule]]) -> str:
    return json.dumps(
        [
            {
                "code": r.code,
                "name": r.name,
                "family": r.family,
                "old_codes": old_codes(r),
                "severity": r.severity.value,
                "default": r.default,
                "fix": r.fix,
                "options": r.options,
                "doc": r.doc(),
            }
            for r in rules
        ],
        indent=2,
    )


def index_markdown(rules: list[type[Rule]]) -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule classes by `python -m nb2prod.linter.docs docs/rules`; "
        "`nb2prod rule CODE` prints the same text.",
        "",
    ]
    for family, (_, title) in FAMILIES.items():
        members = [r for r in rules if r.family == family]
        if not members:
            continue
        lines += [
            f"## {title}",
            "",
            "| code | name | severity | fix | what it finds |",
            "|---|---|---|---|---|",
        ]
        for r in members:
            default = "" if r.default else " *(off by default)*"
            lines.append(
                f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.severity.value} | "
                f"{'yes' if r.fix else ''} | {r.summary()}{default} |"
            )
        lines.append("")
    lines += [
        "## Renumbered codes",
        "",
        "In 0.2 the codes were renumbered so that each family has one prefix. The old codes "
        f"still work in `--select`, `--ignore`, `[tool.nb2prod.lint]` and `noqa` until nb2prod "
        f"{OLD_CODES_END}, with a deprecation note; [NB010](NB010.md) finds them in `noqa` "
        "comments and `--fix` rewrites them.",
        "",
        "| old code | new code |",
        "|---|---|",
        *(f"| {old} | [{new}]({new}.md) |" for old, new in RENAMED_CODES.items()),
        "",
    ]
    return "\n".join(lines)


def generate(folder: Path) -> dict[Path, str]:
    """Every file of the rule docs folder and its content."""
    rules = all_rules()
    pages = {folder / f"{r.code}.md": rule_markdown(r) for r in rules}
    pages[folder / "README.md"] = index_markdown(rules)
    return pages


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/rules")
    folder.mkdir(parents=True, exist_ok=True)
    pages = generate(folder)
    for stale in folder.glob("NB*.md"):
        if stale not in pages:
            stale.unlink()
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} files to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
