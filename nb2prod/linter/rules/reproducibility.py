"""Reproducibility rules: randomness that changes the results from one run to the next.

Both rules follow the notebook as a top-to-bottom run makes its calls
(:class:`~nb2prod.linter.rules._random_run.RandomnessRun`).
"""

from __future__ import annotations

from collections.abc import Iterator

from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.linter.rules._plot_flow import only_shown
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
    library, at the first unseeded draw a result depends on.

    Not reported: draws whose values only feed plots and display, such as jitter added
    to a scatter plot, random colours or a few random rows shown (no result a job
    produces changes with them).  The value is followed through arithmetic, indexing,
    NumPy, pandas and builtin functions, the names and columns it is assigned to (up to
    their next assignment, across cells) and the lists it is appended to; it must end
    only in calls of plotting libraries (matplotlib, seaborn, plotly, bokeh, altair,
    holoviews, hvplot, plotnine, ...), methods of the figures and axes the notebook made,
    pandas' ``.plot``, ``print``/``display`` or an expression statement (shown as a
    cell's last line, dropped elsewhere).  A value that also reaches anything else (a
    model, another library or notebook function, a file, a condition, a loop, a return
    value), or that is never used, still counts.

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
            if only_shown(ctx, event.cell, event.call):
                continue  # jitter for a plot, random colours: no result depends on it
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
    then draw from, nor a ``df.sample(...)`` only shown or plotted (as NB601 follows it).

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
        seen: set[int] = set()
        for event in run.events:
            if id(event.call) in seen:
                continue
            seen.add(id(event.call))
            shown = needs_random_state(event.call, event.qualified)
            if shown is None or NUMPY in event.seeded:
                continue
            if pandas_sample(event.call) and only_shown(ctx, event.cell, event.call):
                continue  # `df.sample(n=5)` alone on a line only shows a few rows
            yield self.report(
                ctx,
                f"`{shown}` has no `random_state`, so it draws differently on every run; pass "
                "`random_state=...` (e.g. a `SEED` parameter)",
                event.cell,
                node=event.call,
            )
