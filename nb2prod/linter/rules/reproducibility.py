"""Reproducibility rules: randomness that changes the results from one run to the next.

Both rules follow the notebook as a top-to-bottom run makes its calls (:class:`RandomnessRun`):
cells in document order, each call after its arguments, and the body of a notebook
function where it is called, so ``set_seed(42)`` seeds exactly what its body seeds.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.linter.rules._callees import callees
from nb2prod.notebook import Cell

STDLIB, NUMPY, TORCH, TENSORFLOW = "random", "numpy", "torch", "tensorflow"
SEEDABLE = frozenset({STDLIB, NUMPY, TORCH, TENSORFLOW})
#: Random sources no global seed reaches: they must be given a seed where they are made.
NUMPY_GENERATOR, STDLIB_INSTANCE = "numpy.random.default_rng", "random.Random"

#: Seed calls of one library (qualified names) -> the global generators they seed.
SEED_CALLS: dict[str, frozenset[str]] = {
    "random.seed": frozenset({STDLIB}),
    "numpy.random.seed": frozenset({NUMPY}),
    "torch.manual_seed": frozenset({TORCH}),
    "torch.random.manual_seed": frozenset({TORCH}),
    "torch.cuda.manual_seed": frozenset({TORCH}),
    "torch.cuda.manual_seed_all": frozenset({TORCH}),
    "tensorflow.random.set_seed": frozenset({TENSORFLOW}),
    "tensorflow.set_random_seed": frozenset({TENSORFLOW}),
    "tensorflow.compat.v1.set_random_seed": frozenset({TENSORFLOW}),
    "tensorflow.compat.v1.random.set_random_seed": frozenset({TENSORFLOW}),
    # Keras seeds Python, NumPy and its backend; transformers seeds every library it finds.
    "tensorflow.keras.utils.set_random_seed": frozenset({STDLIB, NUMPY, TENSORFLOW}),
    "keras.utils.set_random_seed": SEEDABLE,
    "transformers.set_seed": SEEDABLE,
}
#: Seed helpers recognised by their last name part (lightning, accelerate, fastai, ...).
SEED_HELPERS = frozenset({"seed_everything", "set_seed", "set_random_seed"})

_STDLIB_DRAWS = frozenset(
    """random randint randrange choice choices sample shuffle uniform gauss normalvariate
    triangular betavariate expovariate gammavariate lognormvariate vonmisesvariate
    paretovariate weibullvariate getrandbits randbytes binomialvariate""".split()
)
#: ``numpy.random`` members that do not draw from the global generator.
_NUMPY_NOT_DRAWS = frozenset(
    """seed get_state set_state default_rng RandomState Generator SeedSequence BitGenerator
    PCG64 PCG64DXSM MT19937 Philox SFC64 bit_generator mtrand""".split()
)
_TORCH_DRAWS = frozenset(
    """rand randn randint randperm normal bernoulli multinomial poisson rand_like randn_like
    randint_like""".split()
)
#: ``torch.nn.init`` functions that do not draw.
_TORCH_INIT_FIXED = frozenset({"constant_", "zeros_", "ones_", "eye_", "dirac_", "calculate_gain"})
#: ``tf.random`` members that do not draw, or draw only from an explicit seed.
_TF_NOT_DRAWS = frozenset(
    {
        "set_seed",
        "Generator",
        "get_global_generator",
        "set_global_generator",
        "create_rng_state",
        "experimental",
        "Algorithm",
        "all_candidate_sampler",
    }
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


# --------------------------------------------------------------------------- the run model


@dataclass(frozen=True)
class CallEvent:
    """A call as a top-to-bottom run makes it.

    ``cell`` holds ``call``; ``seeded`` are the libraries seeded before it runs; ``via`` is
    the module-level call of a notebook function whose body made it (else None);
    ``executed`` is False for calls in functions the notebook never calls (they are
    visited with the seeds of the moment the function was defined).
    """

    cell: Cell
    call: ast.Call
    qualified: str | None
    seeded: frozenset[str]
    via: tuple[Cell, ast.Call, str] | None
    executed: bool


_FunctionDef = (ast.FunctionDef, ast.AsyncFunctionDef)
_MAX_DEPTH = 20  # calls of notebook functions followed inside each other


def _relevant_nodes(ctx, seeds: Callable[[ast.Call, str | None], frozenset[str]]) -> set[ast.AST]:
    """Nodes whose subtree holds something the run reacts to.  That is a call that may
    draw, lack a ``random_state``, seed (``seeds`` says which) or run a notebook function
    or class, a definition, or a name that may refer to a notebook function (a callback).
    The run skips every other subtree: its calls would change nothing and be reported by
    neither rule."""
    relevant: set[ast.AST] = set()

    def mark(node: ast.AST | None, parents: dict[ast.AST, ast.AST]) -> None:
        while node is not None and node not in relevant:
            relevant.add(node)
            node = parents.get(node)

    definitions = [n for index in ctx.indexes for n in index.nodes(*_FunctionDef, ast.ClassDef)]
    callable_names = {n.name for n in definitions}
    function_names = {n.name for n in definitions if not isinstance(n, ast.ClassDef)}
    for index in ctx.indexes:
        parents = index.parents
        for node in index.nodes(*_FunctionDef, ast.ClassDef):
            mark(node, parents)
        if function_names:
            for node in index.nodes(ast.Name):
                if node.id in function_names:
                    mark(node, parents)
    for cell, _parsed, call, qualified in ctx.calls():
        func = call.func
        if (
            (isinstance(func, ast.Name) and func.id in callable_names)
            or _may_draw(call, qualified)
            or _may_need_state(call, qualified)
            or seeds(call, qualified)
        ):
            mark(call, ctx.index(cell).parents)
    return relevant


def _child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, without its generator overhead."""
    children = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


class RandomnessRun:
    """The calls of a top-to-bottom run, each with the libraries seeded before it.

    Only the calls that matter are recorded (draws, calls that may lack a
    ``random_state``, seeds, calls of notebook functions and classes, and the calls around
    them): subtrees without one are skipped (:func:`_relevant_nodes`).

    The walk is one explicit stack of work items (no recursion: generated cells nest
    ``elif`` chains and expressions thousands deep).  Items are ``(action, cell, node,
    extra)``; a function body that is followed ends with a ``return`` item that restores
    the state of the caller.
    """

    def __init__(self, ctx, seed_functions: tuple[str, ...]) -> None:
        self.seed_functions = frozenset(seed_functions)
        self.seeded: set[str] = set()
        self.events: list[CallEvent] = []
        self.functions: dict[str, tuple[Cell, ast.AST]] = {}  # name -> (cell, def)
        self.classes: dict[str, tuple[Cell, ast.AST | None]] = {}  # name -> (cell, __init__)
        self.deferred: list[tuple[Cell, ast.AST, frozenset[str]]] = []  # bodies not yet run
        self.followed: set[int] = set()  # ids of function defs whose body ran
        self.active: list[int] = []  # ids of function defs being run (recursion guard)
        self.effects: dict[tuple[int, frozenset[str]], frozenset[str]] = {}
        self.callees: set[int] = set()  # ids of the `func` nodes of calls
        self.via: tuple[Cell, ast.Call, str] | None = None
        self.executed = True
        self.stack: list[tuple] = []
        self.relevant = _relevant_nodes(ctx, self._seeds)
        # Not kept after the run: the cache maps each context weakly to its run.
        self._qualify = ctx.qualified_name
        try:
            self._run(ctx)
        finally:
            del self._qualify

    def _run(self, ctx) -> None:
        for cell, _parsed, tree in ctx.trees():
            self._walk([("body", cell, tree.body, True)])
        # Functions never called still hold code (NB602 reports it): visit each with the
        # seeds of when it was defined, once.
        self.executed, self.via = False, None
        position = 0
        while position < len(self.deferred):  # the list grows with nested definitions
            cell, function, seeded = self.deferred[position]
            position += 1
            if id(function) not in self.followed:
                self.followed.add(id(function))
                self.seeded = set(seeded)
                self._walk([("body", cell, function.body, False)])

    def _walk(self, items: list[tuple]) -> None:
        actions = {
            "body": self._do_body,
            "statement": self._do_statement,
            "define": self._do_define,
            "define_class": self._do_define_class,
            "expression": self._do_expression,
            "call": self._do_call,
            "return": self._do_return,
        }
        stack = self.stack = items
        while stack:
            action, cell, node, extra = stack.pop()
            actions[action](cell, node, extra)

    def _push(self, *items: tuple) -> None:
        """Schedule ``items`` to run in the order given."""
        self.stack.extend(reversed(items))

    # -- statements
    def _do_body(self, cell: Cell, body: list[ast.stmt], module: bool) -> None:
        relevant = self.relevant
        self._push(*[("statement", cell, s, module) for s in body if s in relevant])

    def _do_statement(self, cell: Cell, node: ast.AST, module: bool) -> None:
        relevant = self.relevant
        if isinstance(node, _FunctionDef):
            args = node.args
            parts = [*node.decorator_list, *args.defaults, *[d for d in args.kw_defaults if d]]
            self._push(
                *[("expression", cell, p, None) for p in parts if p in relevant],
                ("define", cell, node, module),
            )
        elif isinstance(node, ast.ClassDef):
            parts = [*node.decorator_list, *node.bases, *node.keywords]
            self._push(
                *[self._item(cell, p, module) for p in parts if p in relevant],
                ("body", cell, node.body, False),  # a class body runs at once
                ("define_class", cell, node, module),
            )
        else:
            children = _child_nodes(node)
            self._push(*[self._item(cell, c, module) for c in children if c in relevant])

    @staticmethod
    def _item(cell: Cell, node: ast.AST, module: bool) -> tuple:
        if isinstance(node, ast.expr):
            return ("expression", cell, node, None)
        return ("statement", cell, node, module)  # statements, handlers, with-items, keywords

    def _do_define(self, cell: Cell, function: ast.AST, module: bool) -> None:
        if module:
            self.functions[function.name] = (cell, function)
        self.deferred.append((cell, function, frozenset(self.seeded)))

    def _do_define_class(self, cell: Cell, klass: ast.ClassDef, module: bool) -> None:
        if module:
            init = next(
                (s for s in klass.body if isinstance(s, _FunctionDef) and s.name == "__init__"),
                None,
            )
            self.functions.pop(klass.name, None)
            self.classes[klass.name] = (cell, init)

    # -- expressions, in evaluation order: a call runs after its callee and arguments
    def _do_expression(self, cell: Cell, node: ast.AST, _extra) -> None:
        relevant = self.relevant
        if isinstance(node, ast.Lambda):
            if node.body in relevant:
                self._push(("expression", cell, node.body, None))  # assume it runs where written
            return
        if isinstance(node, ast.Constant):
            return
        # Operators (``Load``, ``+``, ``==``) are never relevant: they are left out too.
        children = [("expression", cell, c, None) for c in _child_nodes(node) if c in relevant]
        if isinstance(node, ast.Call):
            self.callees.add(id(node.func))
            self._push(*children, ("call", cell, node, None))
            return
        if isinstance(node, ast.Name) and id(node) not in self.callees:
            self._reference(node)  # a notebook function passed as a callback runs there
        self._push(*children)

    def _reference(self, name: ast.Name) -> None:
        if isinstance(name.ctx, ast.Load) and name.id in self.functions:
            cell, function = self.functions[name.id]
            self._follow(cell, function, name.id, None)

    def _do_call(self, cell: Cell, call: ast.Call, _extra) -> None:
        qualified = self._qualify(call.func)
        self.events.append(
            CallEvent(cell, call, qualified, frozenset(self.seeded), self.via, self.executed)
        )
        self.seeded |= self._seeds(call, qualified)
        if isinstance(call.func, ast.Name):
            name = call.func.id
            if name in self.functions:
                self._follow(*self.functions[name], name, (cell, call, name))
            elif name in self.classes and self.classes[name][1] is not None:
                self._follow(*self.classes[name], name, (cell, call, name))

    def _follow(self, cell: Cell, function: ast.AST, name: str, call_site) -> None:
        """Run a notebook function's body where it is called (``call_site``: the call)."""
        key = (id(function), frozenset(self.seeded))
        if key in self.effects:  # same function, same seeds: same outcome, already reported
            self.seeded |= self.effects[key]
            return
        if id(function) in self.active or len(self.active) >= _MAX_DEPTH:
            return
        self.followed.add(id(function))
        caller = (self.via, key, frozenset(self.seeded))
        if self.via is None and call_site is not None:
            self.via = call_site
        self.active.append(id(function))
        self._push(("body", cell, function.body, False), ("return", cell, function, caller))

    def _do_return(self, _cell: Cell, _function: ast.AST, caller) -> None:
        via, key, before = caller
        self.active.pop()
        self.via = via
        self.effects[key] = frozenset(self.seeded) - before

    # -- seeds
    def _seeds(self, call: ast.Call, qualified: str | None) -> frozenset[str]:
        """The global generators ``call`` seeds."""
        last = _callee_name(call)
        if last in self.seed_functions or (qualified and qualified in self.seed_functions):
            return SEEDABLE
        if qualified is None:
            return frozenset()  # a notebook's own seed helper is followed into instead
        if qualified in SEED_CALLS:
            seeds = SEED_CALLS[qualified]
        elif last in SEED_HELPERS and not qualified.startswith(("tensorflow.", "numpy.")):
            seeds = SEEDABLE
        else:
            return frozenset()
        # `random.seed()` with no argument seeds from the clock, which fixes nothing.
        return seeds if _has_seed_argument(call) else frozenset()


def _callee_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _has_seed_argument(call: ast.Call) -> bool:
    values = [*call.args, *[k.value for k in call.keywords]]
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_constant(node: ast.expr | None, *values) -> bool:
    return isinstance(node, ast.Constant) and any(
        node.value == v and type(node.value) is type(v) for v in values
    )


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


def _any_draw(ctx) -> bool:
    """Whether any call of the notebook draws at random (:func:`random_draw`)."""
    if not callees(ctx).any_qualified_prefix(_DRAW_PREFIXES):
        return False
    return any(_may_draw(call, qualified) for _c, _p, call, qualified in ctx.calls())


def _any_missing_state(ctx) -> bool:
    """Whether any call of the notebook lacks a ``random_state`` (:func:`needs_random_state`)."""
    called = callees(ctx)
    if not (called.any_qualified_prefix(_RANDOM_STATE_PREFIXES) or "sample" in called.written):
        return False
    return any(_may_need_state(call, qualified) for _c, _p, call, qualified in ctx.calls())


def randomness_run(ctx) -> RandomnessRun:
    """The run model of ``ctx``'s notebook, computed once for both rules."""
    return ctx.shared(_randomness_run)


def _randomness_run(ctx) -> RandomnessRun:
    # Both rules read the one `seed-functions` option of [tool.nb2prod.lint].
    value = ctx.option("NB601", "seed-functions") or []
    return RandomnessRun(ctx, tuple(v for v in value if isinstance(v, str)))


# --------------------------------------------------------------------------- NB601


#: Qualified-name prefixes of every call :func:`random_draw` can report.
_DRAW_PREFIXES = tuple(f"{library}." for library in SEEDABLE)


def _may_draw(call: ast.Call, qualified: str | None) -> bool:
    """``random_draw(call, qualified) is not None``, with a cheap test first."""
    return (
        qualified is not None
        and qualified.startswith(_DRAW_PREFIXES)
        and random_draw(call, qualified) is not None
    )


def random_draw(call: ast.Call, qualified: str | None) -> str | None:
    """The random source ``call`` draws from without a seed of its own, or None."""
    if not qualified or _has_star_kwargs(call):
        return None
    parts = qualified.split(".")
    root, last = parts[0], parts[-1]
    if root == "random" and len(parts) == 2:
        if last in _STDLIB_DRAWS:
            return STDLIB
        if last == "Random" and not _has_seed_argument(call):
            return STDLIB_INSTANCE
        return None
    if root == "numpy" and len(parts) >= 3 and parts[1] == "random":
        if last in ("default_rng", "RandomState"):
            return None if _has_seed_argument(call) else NUMPY_GENERATOR
        return NUMPY if last not in _NUMPY_NOT_DRAWS and last[:1].islower() else None
    if root == "torch":
        return _torch_draw(call, parts)
    if root == "tensorflow" and (
        "random" in parts[1:-1] or (len(parts) == 2 and last.startswith("random_"))
    ):
        if last in _TF_NOT_DRAWS or last.startswith("stateless_") or "Generator" in parts:
            return None
        seed = _keyword(call, "seed")
        return None if seed is not None and not _is_constant(seed, None) else TENSORFLOW
    return None


def _torch_draw(call: ast.Call, parts: list[str]) -> str | None:
    last = parts[-1]
    if len(parts) == 2 and last in _TORCH_DRAWS:
        return None if _keyword(call, "generator") is not None else TORCH
    if parts[1:3] == ["nn", "init"] and len(parts) == 4:
        return None if last in _TORCH_INIT_FIXED or _keyword(call, "generator") else TORCH
    if parts[1:3] == ["utils", "data"] and _keyword(call, "generator") is None:
        if last == "DataLoader" and _is_constant(_keyword(call, "shuffle"), True):
            return TORCH
        if last in ("random_split", "RandomSampler"):
            return TORCH
    return None


def _shown(node: ast.AST, limit: int = 60) -> str:
    """Source text of a callee for a message, shortened (it may be a long chain)."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        text = ""
    if len(text) <= limit and text:
        return text
    return "..." + (f".{node.attr}" if isinstance(node, ast.Attribute) else "")


def _draw_message(event: CallEvent, source: str) -> str:
    shown = _shown(event.call.func)
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
        if not _any_draw(ctx):
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


# --------------------------------------------------------------------------- NB602

#: scikit-learn (and imbalanced-learn) callables whose ``random_state`` always matters.
_ALWAYS_RANDOM = frozenset(
    """train_test_split ShuffleSplit StratifiedShuffleSplit GroupShuffleSplit RepeatedKFold
    RepeatedStratifiedKFold RandomizedSearchCV HalvingRandomSearchCV ParameterSampler
    RandomForestClassifier RandomForestRegressor ExtraTreesClassifier ExtraTreesRegressor
    RandomTreesEmbedding GradientBoostingClassifier GradientBoostingRegressor
    HistGradientBoostingClassifier HistGradientBoostingRegressor BaggingClassifier
    BaggingRegressor AdaBoostClassifier AdaBoostRegressor IsolationForest
    DecisionTreeClassifier DecisionTreeRegressor ExtraTreeClassifier ExtraTreeRegressor
    SGDClassifier SGDRegressor SGDOneClassSVM Perceptron PassiveAggressiveClassifier
    PassiveAggressiveRegressor RANSACRegressor TheilSenRegressor MLPClassifier MLPRegressor
    BernoulliRBM KMeans MiniBatchKMeans BisectingKMeans SpectralClustering
    SpectralBiclustering SpectralCoclustering GaussianMixture BayesianGaussianMixture
    TruncatedSVD FastICA LatentDirichletAllocation DictionaryLearning
    MiniBatchDictionaryLearning SparsePCA MiniBatchSparsePCA FactorAnalysis TSNE MDS
    SpectralEmbedding GaussianRandomProjection SparseRandomProjection RBFSampler Nystroem
    SkewedChi2Sampler make_classification make_regression make_blobs make_moons
    make_circles make_friedman1 make_friedman2 make_friedman3 make_s_curve make_swiss_roll
    make_gaussian_quantiles make_multilabel_classification make_hastie_10_2
    make_low_rank_matrix make_sparse_coded_signal make_sparse_spd_matrix make_spd_matrix
    make_biclusters make_checkerboard permutation_importance permutation_test_score
    mutual_info_classif mutual_info_regression shuffle resample
    SMOTE SMOTENC SMOTEN ADASYN BorderlineSMOTE SVMSMOTE KMeansSMOTE RandomOverSampler
    RandomUnderSampler ClusterCentroids SMOTEENN SMOTETomek BalancedRandomForestClassifier
    BalancedBaggingClassifier EasyEnsembleClassifier RUSBoostClassifier""".split()
)
#: Callables whose ``random_state`` matters only with some argument values.
_RANDOM_WHEN: dict[str, tuple[str, tuple]] = {
    "KFold": ("shuffle", (True,)),
    "StratifiedKFold": ("shuffle", (True,)),
    "GroupKFold": ("shuffle", (True,)),
    "StratifiedGroupKFold": ("shuffle", (True,)),
    "learning_curve": ("shuffle", (True,)),
    "LogisticRegression": ("solver", ("sag", "saga", "liblinear")),
    "Ridge": ("solver", ("sag", "saga")),
    "Lasso": ("selection", ("random",)),
    "ElasticNet": ("selection", ("random",)),
    "PCA": ("svd_solver", ("randomized", "arpack")),
    "KernelPCA": ("eigen_solver", ("randomized", "arpack")),
    "NMF": ("init", ("random", "nndsvdar")),
    "SVC": ("probability", (True,)),
    "NuSVC": ("probability", (True,)),
}
#: Callables that draw nothing with these argument values.
_NOT_RANDOM_WHEN: dict[str, tuple[str, tuple]] = {
    "train_test_split": ("shuffle", (False,)),
}
_RANDOM_STATE_LIBRARIES = ("sklearn", "imblearn")
_RANDOM_STATE_PREFIXES = tuple(f"{library}." for library in _RANDOM_STATE_LIBRARIES)


def _may_need_state(call: ast.Call, qualified: str | None) -> bool:
    """``needs_random_state(call, qualified) is not None``, with a cheap test first."""
    func = call.func
    candidate = (qualified is not None and qualified.startswith(_RANDOM_STATE_PREFIXES)) or (
        isinstance(func, ast.Attribute) and func.attr == "sample"
    )
    return candidate and needs_random_state(call, qualified) is not None


def needs_random_state(call: ast.Call, qualified: str | None) -> str | None:
    """How to show ``call`` when it draws at random without a ``random_state``, else None."""
    if _has_star_kwargs(call):
        return None
    state = _keyword(call, "random_state")
    if state is not None and not _is_constant(state, None):
        return None
    parts = (qualified or "").split(".")
    if parts[0] not in _RANDOM_STATE_LIBRARIES or len(parts) < 2:
        return _pandas_sample(call)
    last = parts[-1]
    if last in _NOT_RANDOM_WHEN:
        keyword, values = _NOT_RANDOM_WHEN[last]
        if _is_constant(_keyword(call, keyword), *values):
            return None
    if last in _ALWAYS_RANDOM:
        return f"{_shown(call.func)}(...)"
    if last in _RANDOM_WHEN:
        keyword, values = _RANDOM_WHEN[last]
        if _is_constant(_keyword(call, keyword), *values):
            value = ast.unparse(_keyword(call, keyword))  # a constant
            return f"{_shown(call.func)}({keyword}={value})"
    return None


def _pandas_sample(call: ast.Call) -> str | None:
    """``df.sample(frac=...)`` / ``df.sample(n=...)``: pandas draws from NumPy's global state.

    The keywords tell pandas from other ``.sample`` methods (torch distributions, Spark)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "sample":
        if any(k.arg in ("frac", "n") for k in call.keywords):
            return f"{_shown(func)}(...)"
    return None


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
        if not _any_missing_state(ctx):
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
            if _pandas_sample(event.call):
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
