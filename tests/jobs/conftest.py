"""Job tests share the kernel tests' migrated store."""

from ..kernel.conftest import migrated_store, store_uri  # noqa: F401 - fixtures
