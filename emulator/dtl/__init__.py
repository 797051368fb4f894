"""Sesam's Data Transformation Language: rules of transform functions over `_S`/`_T`, and expression functions.

`engine` holds evaluation (paths, contexts, the function registry), `functions` the expression functions,
`transforms` the transform functions and `hops` the dataset lookups. `DTLTransform` runs one pipe's rules.
"""
from emulator.dtl.engine import DTLEnvironment, DTLTransform
from emulator.dtl import functions as _functions, hops as _hops, transforms as _transforms  # noqa: F401  (registration)

__all__ = ["DTLEnvironment", "DTLTransform"]
