"""Registry and promotion: ``nb2prod export --register``, ``nb2prod promote`` and
``nb2prod shadow`` (docs/rollout.md).

``registry`` reads and writes the resolved store's model registry (aliases, never the
deprecated stages), ``batch`` scores labelled or unlabelled data with one registered
version per child process, ``metrics`` compares predictions with labels, ``promote`` and
``shadow`` are the two commands, ``record`` logs what they found as an MLflow run.
"""
