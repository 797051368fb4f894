"""Progress of a long benchmark phase: one line on stderr every tenth of the way, so a run of minutes shows it is
moving while stdout keeps only the results."""
from __future__ import annotations

import argparse
import sys
import time


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """--help keeps the module docstring as written and shows every option's real default."""


class Progress:
    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.started = time.perf_counter()
        self.shown = 0  # tenths already reported

    def update(self, done: int) -> None:
        tenths = min(10, done * 10 // self.total) if self.total else 10
        if tenths > self.shown:
            self.shown = tenths
            print(f"  {self.label}: {done:,} / {self.total:,} ({done * 100 // self.total}%) after "
                  f"{time.perf_counter() - self.started:.1f} s", file=sys.stderr, flush=True)
