"""Both shops, both services and the offline pipe runner, wired as a Sesam node would wire them.

Product code, not test code: `make demo` (`python -m harness.demo`), QA's manual runs and the scenario tests in
`tests/e2e/` all start the same world from here.
"""
from harness.world import World, start_world

__all__ = ["World", "start_world"]
