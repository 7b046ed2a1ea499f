import os
import pathlib

import pytest
from hypothesis import HealthCheck, settings

import convbook.cost

# Deterministic, bounded property tests: CI time is a budget.
settings.register_profile(
    "book", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))

#: The cost-model constants shipped with the package, the ones the book's outputs were made with.
SHIPPED_CONSTANTS = pathlib.Path(convbook.cost.__file__).with_name("cost_constants.json")

_saved_environment = {}


def pytest_configure(config):
    # For the whole run -- doctests in src/convbook and notebook kernels too,
    # which no fixture reaches -- the cost model reads the shipped constants:
    # CONVBOOK_COST_CONSTANTS comes first in its search order, so neither a
    # reader's own variable nor the file `python -m convbook.bench --fit`
    # wrote to ~/.config can change a prediction, a doctest or a chapter.
    _saved_environment["CONVBOOK_COST_CONSTANTS"] = os.environ.get("CONVBOOK_COST_CONSTANTS")
    os.environ["CONVBOOK_COST_CONSTANTS"] = str(SHIPPED_CONSTANTS)


def pytest_unconfigure(config):
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _isolated_cost_constants(monkeypatch, tmp_path):
    """Each test gets a config folder of its own (the constants are set in pytest_configure).

    A test that unsets CONVBOOK_COST_CONSTANTS then reaches an empty
    ``$XDG_CONFIG_HOME``, never the reader's ``~/.config/convbook``, and
    ``save_constants()`` without a path cannot overwrite the reader's file.
    """
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg_config_home"))
