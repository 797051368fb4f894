"""The emulator's error tree. Every failure names the pipe (and the construct) it comes from.

    EmulatorError
    ├── ConfigError        the sesam-config folder is unreadable, inconsistent or refers to something missing
    ├── Unsupported        a construct Sesam has but the emulator does not implement: refused, never ignored
    ├── DTLError           a DTL expression is malformed or fails while being evaluated
    └── PipeRunError       a pipe run failed (source read, sink write); the run changed nothing it could not keep
        └── SequenceConflict   a JSON Push receiver answered 409: the next run starts the full sync again
"""
from __future__ import annotations


class EmulatorError(Exception):
    pass


class ConfigError(EmulatorError):
    pass


class Unsupported(EmulatorError):
    def __init__(self, where: str, construct: str) -> None:
        super().__init__(f"{where}: {construct} is not supported by the emulator")


class DTLError(EmulatorError):
    pass


class PipeRunError(EmulatorError):
    pass


class SequenceConflict(PipeRunError):
    pass
