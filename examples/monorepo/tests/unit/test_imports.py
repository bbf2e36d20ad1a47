"""Every package imports and exposes a consistent version."""

import importlib

import pytest

PACKAGES = [
    "dataknobs_common",
    "dataknobs_structures",
    "dataknobs_utils",
    "dataknobs_xization",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_imports_with_version(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__version__ == "1.0.0"
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name} does not define {exported}"
