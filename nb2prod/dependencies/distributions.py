"""Which distribution provides an import: known names that differ (``sklearn`` is
``scikit-learn``), the standard library, the project's own modules, and what is installed:
each distribution's version and requirements too, read with ``importlib.metadata`` once
per environment and kept in the user's cache."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nb2prod.dependencies.declared import folder_entries, normalize, requirement_name
from nb2prod.user_cache import cache_file, cached_json

#: Import name -> distributions providing it, for modules not installed here.
MODULE_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "sklearn": ("scikit-learn",),
    "cv2": (
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
        "opencv",
        "py-opencv",
    ),
    "PIL": ("Pillow", "pillow-simd"),
    "yaml": ("PyYAML",),
    "bs4": ("beautifulsoup4",),
    "skimage": ("scikit-image",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "attr": ("attrs",),
    "jwt": ("PyJWT",),
    "git": ("GitPython",),
    "github": ("PyGithub",),
    "serial": ("pyserial",),
    "magic": ("python-magic",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "Crypto": ("pycryptodome", "pycrypto"),
    "OpenSSL": ("pyOpenSSL",),
    "zmq": ("pyzmq",),
    "MySQLdb": ("mysqlclient",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "fitz": ("PyMuPDF",),
    "Bio": ("biopython",),
    "umap": ("umap-learn",),
    "imblearn": ("imbalanced-learn",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos"),
    "torch": ("torch", "pytorch"),
    "mpl_toolkits": ("matplotlib",),
    "pylab": ("matplotlib",),
    "pkg_resources": ("setuptools",),
    "googleapiclient": ("google-api-python-client",),
    "google.protobuf": ("protobuf",),
    "google.oauth2": ("google-auth",),
    "snowflake.connector": ("snowflake-connector-python",),
    "snowflake.snowpark": ("snowflake-snowpark-python",),
    "vertexai": ("google-cloud-aiplatform",),
    "osgeo": ("GDAL",),
    "bson": ("pymongo",),
    "kafka": ("kafka-python",),
    "websocket": ("websocket-client",),
    "pdfminer": ("pdfminer.six",),
    "talib": ("TA-Lib",),
    "llama_cpp": ("llama-cpp-python",),
    "IPython": ("ipython",),
    "mlflow": ("mlflow", "mlflow-skinny"),
    "pytorch_lightning": ("pytorch-lightning", "lightning"),
    "grpc": ("grpcio",),
    "nacl": ("PyNaCl",),
    "dns": ("dnspython",),
}
#: Top-level names shared by many distributions (``google.cloud.storage`` is
#: google-cloud-storage): the distribution is named after the dotted path.
NAMESPACE_ROOTS = frozenset(
    {
        "google",
        "azure",
        "backports",
        "jaraco",
        "ruamel",
        "zope",
        "snowflake",
        "databricks",
        "opentelemetry",
        "sphinxcontrib",
    }
)
#: Modules only hosted notebook services provide; no dependency file can declare them.
PLATFORM_MODULES = frozenset({"google.colab", "kaggle_secrets", "kaggle_datasets"})


def import_key(dotted: str) -> str:
    """The part of an imported module that identifies its distribution: the top-level
    name, or up to three parts below a namespace root (``google.cloud.storage``)."""
    parts = dotted.split(".")
    return ".".join(parts[:3]) if parts[0] in NAMESPACE_ROOTS else parts[0]


def is_stdlib(key: str) -> bool:
    return key.split(".")[0] in sys.stdlib_module_names


def is_first_party(key: str, folders: Sequence[Path]) -> bool:
    """True when a module (``key.py``) or package (a folder with ``.py`` files, with or
    without ``__init__.py``) named like ``key`` stands in one of ``folders``."""
    return bool(first_party_keys([key], folders))


def first_party_keys(keys: Iterable[str], folders: Sequence[Path]) -> set[str]:
    """The ``keys`` that :func:`is_first_party` accepts, each folder listed once for all."""
    listings = [(folder, folder_entries(folder)) for folder in folders]
    return {key for key in keys if _stands_in(key.split(".")[0], listings)}


def _stands_in(top: str, listings: list[tuple[Path, dict[str, bool]]]) -> bool:
    for folder, entries in listings:
        if entries.get(f"{top}.py") is False:
            return True
        if entries.get(top) and any(n.endswith(".py") for n in folder_entries(folder / top)):
            return True
    return False


def likely_distributions(key: str) -> list[str]:
    """Distributions that probably provide ``key``, best guess first, without importlib."""
    parts = key.split(".")
    names: list[str] = []
    for length in range(len(parts), 0, -1):
        names += MODULE_DISTRIBUTIONS.get(".".join(parts[:length]), ())
    if parts[0] in NAMESPACE_ROOTS and len(parts) > 1:
        names += ["-".join(parts[:length]) for length in range(len(parts), 1, -1)]
    else:
        names.append(key)
    return list(dict.fromkeys(names))


def installed_distributions(key: str) -> list[str]:
    """Distributions installed here that provide ``key`` (not for namespace roots, which
    many distributions share)."""
    if key.split(".")[0] in NAMESPACE_ROOTS:
        return []
    return list(_installed().get("providers", {}).get(key, ()))


def installed_release(distribution: str) -> str | None:
    """The version of ``distribution`` installed here, None when it is not installed."""
    found = _installed_distribution(distribution)
    return found[0] if found else None


def installed_requirements(distribution: str) -> frozenset[str]:
    """What installed ``distribution`` requires (normalised names, extras' too)."""
    found = _installed_distribution(distribution)
    return frozenset(found[1]) if found else frozenset()


def _installed_distribution(distribution: str) -> tuple[str, list[str]] | None:
    """``(version, requirements)`` of ``distribution`` as installed here."""
    return _installed().get("distributions", {}).get(normalize(distribution))


@functools.lru_cache(maxsize=1)
def _installed() -> Mapping[str, Any]:
    """What is installed here: import name -> the distributions providing it, and each
    distribution's version and requirements.  Reading every distribution's metadata takes a
    third of a second in a large environment, once per process (every lint worker), so
    the answer is kept in the user's cache folder until something is installed or removed."""

    def read() -> Mapping[str, Any]:
        from importlib.metadata import distributions, packages_distributions

        found: dict[str, tuple[str, list[str]]] = {}
        for distribution in distributions():
            try:
                metadata = distribution.metadata
                name, version = metadata["Name"], metadata["Version"]
                requires = distribution.requires or ()
            except Exception:  # one broken distribution's metadata: the others still count
                continue
            if not name or not version or normalize(name) in found:
                continue  # nameless, or shadowed by one earlier on sys.path
            names = {normalize(n) for n in map(requirement_name, requires) if n}
            found[normalize(name)] = (version, sorted(names))
        return {"providers": packages_distributions(), "distributions": found}

    try:
        return cached_json(_installed_cache(), read)
    except Exception:  # a broken distribution's metadata must not stop the lint
        return {}


def _installed_cache() -> Path | None:
    """A cache file named after this environment's package folders and their change times
    (installing or removing a package changes its folder's)."""
    stamps = []
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue
        try:
            stamps.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
        except OSError:
            continue
    return cache_file("installed", "\n".join([sys.prefix, *stamps]))


def declared_provider(key: str, declared: frozenset[str]) -> bool:
    """True when a distribution in ``declared`` (normalised names) provides ``key``."""
    if any(normalize(name) in declared for name in likely_distributions(key)):
        return True
    return any(normalize(name) in declared for name in installed_distributions(key))


def best_distribution(key: str) -> str:
    """The distribution to name in a message: the installed one, else the best guess."""
    installed = installed_distributions(key)
    return installed[0] if installed else likely_distributions(key)[0]
