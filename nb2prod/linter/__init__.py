"""The production-blocker linter: engine, rules, output formats."""
