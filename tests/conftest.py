import os

from hypothesis import HealthCheck, settings

# Deterministic, bounded property tests: CI time is a budget.
settings.register_profile(
    "book", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))
