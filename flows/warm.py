"""Import the report's heavy libraries in the background while Prefect starts its server.

A CLI run waits several seconds for the ephemeral API server (a subprocess) before the flow
starts; matplotlib and WeasyPrint take 1-3 s to import. Importing them on a thread during that
wait takes them off the refresh's critical path. Failures are ignored: the report step imports
them again in the ordinary way and reports any error there.
"""

from __future__ import annotations

import importlib
import threading

from flows.config import Settings

# statsmodels (~1.4 s) is imported by the statistical models of the transform step.
HEAVY_MODULES = ("flows.style", "weasyprint", "statsmodels.api")


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the report step imports it again and says why
            pass


def report_likely(command: str, settings: Settings, force: bool = False) -> bool:
    """Whether a run will surely draw the report: `report`, or a refresh that is forced or has no
    warehouse or report yet. A refresh of an existing warehouse is often unchanged (nothing to
    draw), and there the imports would be CPU spent for nothing; it then imports them when
    needed, after the engine has started."""
    if command == "report":
        return True
    if command != "refresh":
        return False
    built = settings.warehouse.is_file() and (settings.output_dir / "report.pdf").is_file()
    return force or not built


def start(modules: tuple[str, ...] = HEAVY_MODULES) -> threading.Thread:
    """Begin importing `modules` on a daemon thread; returns the thread (tests join it)."""
    thread = threading.Thread(target=_import_all, args=(modules,), name="warm-imports", daemon=True)
    thread.start()
    return thread
