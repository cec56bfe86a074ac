"""Reproducibility rules: randomness that changes the results from one run to the next.

Both rules follow the notebook as a top-to-bottom run makes its calls
(:class:`~nb2prod.linter.rules._random_run.RandomnessRun`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.linter.rules._random_calls import (
    NUMPY,
    NUMPY_GENERATOR,
    STDLIB,
    STDLIB_INSTANCE,
    TENSORFLOW,
    TORCH,
    needs_random_state,
    pandas_sample,
    random_draw,
    shown_callee,
)
from nb2prod.linter.rules._random_run import (
    CallEvent,
    any_draw,
    any_missing_state,
    randomness_run,
)

_ADVICE = {
    STDLIB: "call `random.seed(...)` before it",
    NUMPY: "call `np.random.seed(...)` before it, or draw from `np.random.default_rng(seed)`",
    TORCH: "call `torch.manual_seed(...)` before it",
    TENSORFLOW: "call `tf.random.set_seed(...)` (or `tf.keras.utils.set_random_seed(...)`) "
    "before it",
}
_LIBRARY_NAMES = {
    STDLIB: "Python's `random`",
    NUMPY: "NumPy's global generator",
    TORCH: "PyTorch's generator",
    TENSORFLOW: "TensorFlow's global seed",
}


def _draw_message(event: CallEvent, source: str) -> str:
    shown = shown_callee(event.call.func)
    if source == NUMPY_GENERATOR:
        return (
            f"`{shown}()` without a seed starts from fresh OS entropy on every run (no global "
            "seed reaches it); pass one, e.g. `np.random.default_rng(42)`"
        )
    if source == STDLIB_INSTANCE:
        return (
            f"`{shown}()` without a seed starts from fresh OS entropy on every run; pass one, "
            "e.g. `random.Random(42)`"
        )
    what = f"`{shown}(shuffle=True)`" if shown.endswith("DataLoader") else f"`{shown}`"
    if event.via is not None:
        via_cell, _call, function = event.via
        what = f"`{function}()` (calling {what} in cell {event.cell.number})"
    return (
        f"{what} draws from {_LIBRARY_NAMES[source]} before it is seeded, so results change "
        f"on every run; {_ADVICE[source]}"
    )


class UnseededRandomness(Rule):
    """
    ## What it does
    Finds random draws made before the library they draw from is seeded.

    The cells are followed top to bottom.  Draws are Python's ``random`` functions,
    NumPy's legacy ``np.random.*`` functions, ``np.random.default_rng()`` and ``RandomState()`` without a seed,
    ``torch.rand*``/``randn``/``randperm``/``torch.nn.init.*``, ``DataLoader(shuffle=True)``
    and ``random_split``, and ``tf.random.*``.  Each library's seed covers its own API
    (``np.random.seed`` does not seed ``random``); ``keras.utils.set_random_seed``,
    ``transformers.set_seed``, ``seed_everything`` and ``set_seed`` helpers seed them all,
    and a notebook function is followed into where it is called.  Reported once per
    library, at the first unseeded draw.

    ## Why it blocks production
    Every run gives different splits, weights and metrics: a job cannot be compared with
    the notebook, a regression cannot be told from noise, and the exported model cannot
    be rebuilt.

    ## Example
    ```python
    import numpy as np
    idx = np.random.permutation(len(df))
    ```

    ## Use instead
    ```python
    import numpy as np
    rng = np.random.default_rng(42)
    idx = rng.permutation(len(df))
    ```

    ## Fix
    None: seed each library once, in the first cells (ideally from a `SEED` parameter).
    Project-specific seed helpers can be declared with the `seed-functions` option.
    """

    code = "NB601"
    name = "unseeded-randomness"
    family = "reproducibility"
    severity = Severity.WARNING
    options = {"seed-functions": []}

    def check(self, ctx) -> Iterator[Finding]:
        if not any_draw(ctx):
            return  # no call draws at random: the run model is not needed
        run = randomness_run(ctx)
        reported: set[str] = set()
        for event in run.events:
            if not event.executed:
                continue
            source = random_draw(event.call, event.qualified)
            if source is None or source in reported or source in event.seeded:
                continue
            reported.add(source)
            if event.via is not None:
                cell, node = event.via[0], event.via[1].func
            else:
                cell, node = event.cell, event.call.func
            yield self.report(ctx, _draw_message(event, source), cell, node=node)


class MissingRandomState(Rule):
    """
    ## What it does
    Finds scikit-learn splitters, estimators and dataset generators (and pandas'
    ``df.sample``) that draw at random but are created without ``random_state``.

    Covered: ``train_test_split`` (unless ``shuffle=False``), ``ShuffleSplit``,
    ``KFold(shuffle=True)``, random forests and other tree ensembles, ``SGD*``, ``MLP*``,
    ``KMeans``, ``TSNE``, ``TruncatedSVD``, ``make_classification`` and the other
    ``make_*`` generators, ``permutation_importance``, imbalanced-learn's ``SMOTE`` and
    samplers, and pandas' ``df.sample(frac=...)``.  Calls that pass ``**kwargs`` are not
    reported, nor calls made after ``np.random.seed(...)`` seeded the global state they
    then draw from.

    ## Why it blocks production
    Each run splits the data differently and trains a different model, so metrics move
    between the notebook, the job and the exported package, and a failing check cannot be
    reproduced.

    ## Example
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    model = RandomForestClassifier(n_estimators=200).fit(X_train, y_train)
    ```

    ## Use instead
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED)
    model = RandomForestClassifier(n_estimators=200, random_state=SEED).fit(X_train, y_train)
    ```

    ## Fix
    None: pass ``random_state`` (ideally a ``SEED`` parameter).
    """

    code = "NB602"
    name = "missing-random-state"
    family = "reproducibility"
    severity = Severity.WARNING
    options = {"seed-functions": []}

    def check(self, ctx) -> Iterator[Finding]:
        if not any_missing_state(ctx):
            return  # no call lacks a random_state: the run model is not needed
        run = randomness_run(ctx)
        displayed: set[int] | None = None  # computed for the first `.sample(...)` only
        seen: set[int] = set()
        for event in run.events:
            if id(event.call) in seen:
                continue
            seen.add(id(event.call))
            shown = needs_random_state(event.call, event.qualified)
            if shown is None or NUMPY in event.seeded:
                continue
            if pandas_sample(event.call):
                displayed = _displayed_calls(ctx) if displayed is None else displayed
                if id(event.call) in displayed:
                    continue  # `df.sample(n=5)` alone on a line only shows a few rows
            yield self.report(
                ctx,
                f"`{shown}` has no `random_state`, so it draws differently on every run; pass "
                "`random_state=...` (e.g. a `SEED` parameter)",
                event.cell,
                node=event.call,
            )


def _displayed_calls(ctx) -> set[int]:
    """Ids of calls that are whole expression statements (their value is only shown)."""
    return {
        id(node.value)
        for index in ctx.indexes
        for node in index.by_type.get(ast.Expr, ())
        if isinstance(node.value, ast.Call)
    }
