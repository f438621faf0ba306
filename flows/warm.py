"""Import the report's heavy libraries in the background while Prefect starts its server.

A CLI run waits several seconds for the ephemeral API server (a subprocess) before the flow
starts; matplotlib and WeasyPrint take 1-3 s to import. Importing them on a thread during that
wait takes them off the refresh's critical path. Failures are ignored: the report step imports
them again in the ordinary way and reports any error there.
"""

from __future__ import annotations

import importlib
import threading

HEAVY_MODULES = ("flows.style", "weasyprint")


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the report step imports it again and says why
            pass


def start(modules: tuple[str, ...] = HEAVY_MODULES) -> threading.Thread:
    """Begin importing `modules` on a daemon thread; returns the thread (tests join it)."""
    thread = threading.Thread(target=_import_all, args=(modules,), name="warm-imports", daemon=True)
    thread.start()
    return thread
