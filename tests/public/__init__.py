"""Public notebooks nobody here wrote, reduced to what a test needs: one module per source
notebook, its docstring naming the source, its licence and what was cut."""
