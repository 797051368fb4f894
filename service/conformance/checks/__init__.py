"""The contract checks (docs/custom-webshop-api.md), grouped by theme. Importing the modules registers their checks;
the order of the imports is the order in which they run."""
from service.conformance.checks import (access, writes, listing, stamps, deletes, origin, bookkeeping,  # noqa: F401
                                       variants)
from service.conformance.checks.registry import CHECKS, FINAL_CHECKS

__all__ = ["CHECKS", "FINAL_CHECKS"]
