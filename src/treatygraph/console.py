"""What a long command is doing, told on stderr: rich's bar on a terminal, plain lines otherwise.

The one place commands report progress, so every command looks alike and a pipe or a dumb
terminal (``NO_COLOR``, ``TERM=dumb``) gets lines a log can keep.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Any


def mode_for(stream: IO[str] | None = None, *, quiet: bool = False) -> str:
    """ "rich" on a colour terminal, "plain" on a pipe or dumb terminal, "off" when quiet."""
    if quiet:
        return "off"
    stream = stream or sys.stderr
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb" or not stream.isatty():
        return "plain"
    return "rich"


class Progress:
    """What a command is doing, phase by phase: rich's bar on a terminal, plain lines otherwise.

    Every phase (reading, mapping, validating, writing) reports, so the display never says 100 %
    while most of the work is still ahead. ``mode``: "rich", "plain" or "off".
    """

    def __init__(self, mode: str, stream: IO[str] | None = None) -> None:
        self.mode = mode
        self.stream = stream or sys.stderr
        self._rich: Any = None
        self._task: Any = None
        self._phase = ""
        self._unit = ""
        self._start = time.monotonic()
        self._last = 0.0
        self._done = 0

    def phase(self, name: str, total: int | None, unit: str) -> None:
        """Start a phase of ``total`` units (None when unknown)."""
        self.end_phase()
        self._phase, self._unit, self._done = name, unit, 0
        self._start = self._last = time.monotonic()
        if self.mode == "rich":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            if self._rich is None:
                self._rich = RichProgress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[unit]}"),
                    TimeRemainingColumn(),
                    console=Console(file=self.stream),
                    transient=True,
                )
                self._rich.start()
            self._task = self._rich.add_task(name, total=total, unit=unit)

    def advance(self, done: int) -> None:
        """``done`` units of the current phase are finished."""
        self._done = done
        if self.mode == "rich" and self._rich is not None:
            self._rich.update(self._task, completed=done)
        elif self.mode == "plain":
            now = time.monotonic()
            if now - self._last >= 10:
                self._last = now
                self._line(f"{self._phase}: {done:,} {self._unit} so far")

    def stage(self, text: str) -> None:
        """Say what comes next when its size is unknown: a spinner-like bar, or one plain line."""
        self.phase(text, None, "")
        if self.mode == "plain":
            self._line(f"{text}…")
        self._phase = ""  # a stage has no count to summarise at its end

    def end_phase(self) -> None:
        if not self._phase:
            return
        elapsed = max(time.monotonic() - self._start, 1e-6)
        if self.mode == "plain":
            self._line(
                f"{self._phase}: {self._done:,} {self._unit} in {elapsed:.1f} s "
                f"({self._done / elapsed:,.0f}/s)"
            )
        if self.mode == "rich" and self._rich is not None and self._task is not None:
            self._rich.remove_task(self._task)
        self._phase = ""

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        self.end_phase()
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
