"""Export tests; golden/ holds expected generated files, not tests to collect."""

collect_ignore = ["golden"]
