"""Start Prefect's engine first, then do the run's fixed costs while it starts.

A CLI run waits several seconds for the ephemeral API server (a subprocess) before the flow
starts. `start_engine` spawns that server before anything else is imported, so its start-up is
not slowed by ours; `start` then imports the heavy libraries (matplotlib, WeasyPrint,
statsmodels: 1-3 s) and computes the sup-Wald null table on a thread during that wait, which
takes them off the refresh's critical path. Failures are ignored: the steps that need them
import (or compute) them again in the ordinary way and report any error there.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
import types

from decoupling.settings import Settings

# statsmodels (~1.4 s) is imported by the statistical models of the transform step.
HEAVY_MODULES = ("decoupling.report.style", "weasyprint", "statsmodels.api")


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the report step imports it again and says why
            pass
    try:
        from decoupling import stats as trend_tools

        # The break test's table: it needs no data, and is cached per process (same arguments).
        trend_tools.sup_wald_null(2, trend_tools.TRIM)
    except Exception:  # the transform computes it again and says why
        pass


def _start_quietly(server) -> None:
    try:
        server.start()
    except Exception:  # the flow starts it again and reports the error in the ordinary way
        pass


def _guarded_command(server) -> subprocess.Popen:
    """Prefect's own server command (SubprocessASGIServer._run_uvicorn_command), run under
    decoupling.engine_guard in a session of its own: a Ctrl-C sent to the terminal's process
    group does not kill it under a run that still needs it (the CLI stops it on its way out),
    and its watchdog ends it when the CLI dies without a chance to stop it (SIGKILL)."""
    import prefect
    from prefect.settings import get_current_settings

    server_env = {
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        "DECOUPLING_ENGINE_PARENT": str(os.getpid()),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "decoupling.engine_guard",
            "--app-dir",
            str(prefect.__module_path__.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(server.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ],
        env={
            **os.environ,
            **server_env,
            **get_current_settings().to_environment_variables(exclude_unset=True),
        },
        start_new_session=True,
    )


def guarded_server():
    """Prefect's temporary-server singleton (the one its flow engine uses), set to spawn the
    guarded command."""
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server._run_uvicorn_command = types.MethodType(_guarded_command, server)
    return server


def start_engine() -> threading.Thread | None:
    """Spawn Prefect's ephemeral API server now, on a thread that waits until it answers.

    Only where a flow run would start one anyway (no PREFECT_API_URL, ephemeral mode on). The
    caller joins the thread before running a flow; Prefect then finds the server running.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None
    thread = threading.Thread(
        target=_start_quietly, args=(guarded_server(),), name="engine-start", daemon=True
    )
    thread.start()
    return thread


def stop_engine(grace_s: float = 1.0) -> None:
    """Stop the temporary server if this process started one (every exit path calls it):
    SIGTERM, then SIGKILL after `grace_s` (an interrupted run has seconds, not Prefect's 5)."""
    server_module = sys.modules.get("prefect.server.api.server")
    if server_module is None:
        return
    for server in list(server_module.SubprocessASGIServer._instances.values()):
        process = server.server_process
        try:
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=grace_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
            server.server_process = None
            server.stop()  # Prefect's own bookkeeping (the process is gone already)
        except Exception:  # already gone
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
    built = settings.warehouse.is_file() and (settings.output_dir / "report.html").is_file()
    return force or not built


def start(modules: tuple[str, ...] = HEAVY_MODULES) -> threading.Thread:
    """Begin importing `modules` on a daemon thread; returns the thread (tests join it)."""
    thread = threading.Thread(target=_import_all, args=(modules,), name="warm-imports", daemon=True)
    thread.start()
    return thread
