"""Export of tagged cells into an installable, verified inference package (in progress)."""
