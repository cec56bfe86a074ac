"""What one call does to randomness, for the reproducibility rules: which calls seed which
library, which draw from a global generator (:func:`random_draw`) and which need a
``random_state`` (:func:`needs_random_state`)."""

from __future__ import annotations

import ast
from typing import TypeGuard

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


def callee_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def has_seed_argument(call: ast.Call) -> bool:
    values = [*call.args, *[k.value for k in call.keywords]]
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_constant(node: ast.expr | None, *values) -> TypeGuard[ast.Constant]:
    return isinstance(node, ast.Constant) and any(
        node.value == v and type(node.value) is type(v) for v in values
    )


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


# --------------------------------------------------------------------------- draws


#: Qualified-name prefixes of every call :func:`random_draw` can report.
DRAW_PREFIXES = tuple(f"{library}." for library in SEEDABLE)


def may_draw(call: ast.Call, qualified: str | None) -> bool:
    """``random_draw(call, qualified) is not None``, with a cheap test first."""
    return (
        qualified is not None
        and qualified.startswith(DRAW_PREFIXES)
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
        if last == "Random" and not has_seed_argument(call):
            return STDLIB_INSTANCE
        return None
    if root == "numpy" and len(parts) >= 3 and parts[1] == "random":
        if last in ("default_rng", "RandomState"):
            return None if has_seed_argument(call) else NUMPY_GENERATOR
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


def shown_callee(node: ast.AST, limit: int = 60) -> str:
    """Source text of a callee for a message, shortened (it may be a long chain)."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        text = ""
    if len(text) <= limit and text:
        return text
    return "..." + (f".{node.attr}" if isinstance(node, ast.Attribute) else "")


# --------------------------------------------------------------------------- random_state

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
RANDOM_STATE_PREFIXES = tuple(f"{library}." for library in _RANDOM_STATE_LIBRARIES)


def may_need_state(call: ast.Call, qualified: str | None) -> bool:
    """``needs_random_state(call, qualified) is not None``, with a cheap test first."""
    func = call.func
    candidate = (qualified is not None and qualified.startswith(RANDOM_STATE_PREFIXES)) or (
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
        return pandas_sample(call)
    last = parts[-1]
    if last in _NOT_RANDOM_WHEN:
        keyword, values = _NOT_RANDOM_WHEN[last]
        if _is_constant(_keyword(call, keyword), *values):
            return None
    if last in _ALWAYS_RANDOM:
        return f"{shown_callee(call.func)}(...)"
    if last in _RANDOM_WHEN:
        keyword, values = _RANDOM_WHEN[last]
        argument = _keyword(call, keyword)
        if _is_constant(argument, *values):
            return f"{shown_callee(call.func)}({keyword}={ast.unparse(argument)})"
    return None


def pandas_sample(call: ast.Call) -> str | None:
    """``df.sample(frac=...)`` / ``df.sample(n=...)``: pandas draws from NumPy's global state.

    The keywords tell pandas from other ``.sample`` methods (torch distributions, Spark)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "sample":
        if any(k.arg in ("frac", "n") for k in call.keywords):
            return f"{shown_callee(func)}(...)"
    return None
