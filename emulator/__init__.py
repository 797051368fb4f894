"""An offline runner for Sesam pipe configurations (the `sesam` CLI's sesam-config layout).

`Emulator(config_dir, systems, env, secrets, state_dir).run(rounds=…)` loads the configuration, refuses anything it
does not implement, and runs the pipes round by round against the services named in `systems`; see `runner.py`.
"""
from emulator.runner import Emulator, Report

__all__ = ["Emulator", "Report"]
