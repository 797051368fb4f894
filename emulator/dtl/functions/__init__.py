"""DTL expression functions, one module per group of Sesam's function reference (`hub/dtl/dtl-functions-*.rst`).
Importing this package registers them all with the engine."""
from emulator.dtl.functions import (  # noqa: F401  (registration)
    arithmetic, casts, datetimes, dictionaries, identifiers, lists, logic, strings,
)
