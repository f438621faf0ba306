"""Progress through the standard `logging` module.

Every library module logs on its own logger under `decoupling` (`logging.getLogger(__name__)`):
- one INFO line per stage, with a count and a time (`fetched 83 series (83 unchanged) in 1.2 s`);
- a DEBUG line per item (series, model, chart), carrying `extra=step(stage, done, total)` so a
  terminal can draw a progress bar from it.

The CLI installs one handler (`install`): plain lines on stderr, or Rich progress bars on a
terminal. Inside a Prefect flow run the same records also reach the run's log through the
handler Prefect attaches to the loggers named in PREFECT_LOGGING_EXTRA_LOGGERS (`decoupling`).
No callable is passed down.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

ROOT = "decoupling"


def step(stage: str, done: int, total: int) -> dict:
    """`extra=` of an item line: which stage it belongs to and how far that stage is."""
    return {"stage": stage, "done": done, "total": total}


def stopwatch() -> Callable[[], float]:
    """`seconds = stopwatch(); ...; seconds()` -> wall seconds since the call."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start


class PlainHandler(logging.StreamHandler):
    """One line per record: the message, warnings and errors prefixed with their level."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream or sys.stderr)
        self.follow_stderr = stream is None  # sys.stderr as it is at each line (tests swap it)

    def emit(self, record: logging.LogRecord) -> None:
        if self.follow_stderr:
            self.stream = sys.stderr
        super().emit(record)

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


class RichHandler(logging.Handler):
    """On a terminal: a transient bar per stage fed by the item lines, the stage lines printed
    above the bars. Item lines are printed too only when `verbose`."""

    def __init__(self, verbose: bool, stream: TextIO | None = None) -> None:
        super().__init__(logging.DEBUG)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.verbose = verbose
        self.console = Console(file=stream or sys.stderr, highlight=False)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
        )
        self.tasks: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stage = getattr(record, "stage", None)
            if stage is not None:
                self._advance(stage, record.done, record.total)  # type: ignore[attr-defined]
                if not self.verbose:
                    return
            elif record.levelno >= logging.INFO:
                self._finish_all()
            text = PlainHandler.format(self, record)  # type: ignore[arg-type]
            self.console.print(text, markup=False, soft_wrap=True)
        except Exception:
            self.handleError(record)

    def _advance(self, stage: str, done: int, total: int) -> None:
        if not self.tasks:
            self.progress.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)

    def _finish_all(self) -> None:
        """A stage line closes the bars before it (transient: they vanish)."""
        if self.tasks:
            self.progress.stop()
            for task_id in self.tasks.values():
                self.progress.remove_task(task_id)
            self.tasks.clear()

    def close(self) -> None:
        self._finish_all()
        super().close()


def install(
    verbose: bool = False, quiet: bool = False, stream: TextIO | None = None
) -> logging.Handler:
    """The CLI's one handler on the `decoupling` logger (replacing an earlier one).

    quiet: warnings and errors only; verbose: item lines too. Records do not propagate to the
    root logger, whose (Prefect) console handler would print them a second time."""
    logger = logging.getLogger(ROOT)
    for handler in list(logger.handlers):
        if getattr(handler, "_decoupling_cli", False):
            logger.removeHandler(handler)
            handler.close()
    target = stream or sys.stderr
    fancy = not quiet and target.isatty()
    handler: logging.Handler = RichHandler(verbose, target) if fancy else PlainHandler(stream)
    handler.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    handler._decoupling_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    # The bars need the item lines even when they are not printed.
    logger.setLevel(logging.DEBUG if verbose or fancy else logging.INFO)
    if fancy and not verbose:
        handler.setLevel(logging.DEBUG)  # RichHandler itself hides item lines unless verbose
    logger.propagate = False
    return handler


def uninstall(handler: logging.Handler) -> None:
    """Remove the CLI's handler; the logger propagates again (library use, tests)."""
    logger = logging.getLogger(ROOT)
    logger.removeHandler(handler)
    handler.close()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
