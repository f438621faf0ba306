"""Start Prefect's engine first, then do the run's fixed costs while it starts.

A CLI run waits several seconds for Prefect's temporary API server (a subprocess) before the
flow starts. `start_engine` spawns that server once the CLI's input checks pass and before
Prefect or the run's heavy libraries are imported, so its start-up is not slowed by ours;
`start` then imports the heavy libraries (matplotlib, WeasyPrint, statsmodels: 1-3 s), computes
the sup-Wald null table and parses the SQL models' table references on a thread during that
wait, which takes them off the refresh's critical path. Failures are ignored: the steps that
need them do them again in the ordinary way and report any error there.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.util
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

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
    try:
        from decoupling import transform

        transform.parse_models()
    except Exception:  # the transform parses them again and says what is wrong
        pass


# The temporary server this process started (start_engine), and the API URL it set for the run.
_SERVER: dict = {}
PORTS = range(8000, 9000)  # where Prefect's own temporary server looks for a free port
PORT_IN_USE = 3  # uvicorn's exit code when its port was taken meanwhile


def _free_port() -> int:
    for port in random.sample(PORTS, 20):
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for Prefect's temporary server in 8000-8999")


def _guarded_command(port: int, settings_env: dict[str, str]) -> subprocess.Popen:
    """Prefect's own server command (as SubprocessASGIServer runs it), run under
    decoupling.engine_guard in a session of its own: a Ctrl-C sent to the terminal's process
    group does not kill it under a run that still needs it (the CLI stops it on its way out),
    and its watchdog ends it when the CLI dies without a chance to stop it (SIGKILL).
    `settings_env`: Prefect settings set inside this process (a profile the server reads itself).
    """
    prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent  # without importing it
    server_env = {
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        "DECOUPLING_ENGINE_PARENT": str(os.getpid()),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "decoupling.engine_guard",
            "--app-dir",
            str(prefect_dir.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ],
        env={**os.environ, **server_env, **settings_env},
        start_new_session=True,
    )
    _SERVER["process"] = process
    return process


def _settings_env() -> dict[str, str]:
    from prefect.settings import get_current_settings

    return get_current_settings().to_environment_variables(exclude_unset=True)


def _healthy(url: str, process: subprocess.Popen, timeout_s: float) -> bool:
    import httpx

    deadline = time.monotonic() + timeout_s
    with httpx.Client() as client:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if client.get(f"{url}/health", timeout=5).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    return False


def _attach(url: str | None) -> None:
    """Point this process's Prefect settings (every thread's: Prefect's log and event workers
    too) at `url`, or back to what the environment says. The environment itself is left as
    it was, so no child process inherits a server that ends with this one."""
    from prefect.context import refresh_global_settings_context

    before = os.environ.get("PREFECT_API_URL")
    if url:
        os.environ["PREFECT_API_URL"] = url
    try:
        refresh_global_settings_context()
    finally:
        if url:
            os.environ.pop("PREFECT_API_URL")
            # An empty PREFECT_API_URL reaches here (start_engine starts a server for it) and
            # also hides a profile's server, so it is put back, not dropped.
            if before is not None:
                os.environ["PREFECT_API_URL"] = before


@contextlib.contextmanager
def attached() -> Iterator[None]:
    """Run the block on the server start_engine started, also where the caller's thread holds
    settings of its own (Prefect's temporary_settings, which the process-wide settings that
    _attach sets do not reach)."""
    url = _SERVER.get("url")
    if not url:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def _serve(timeout_s: float, process: subprocess.Popen | None, port: int) -> None:
    """Wait until the server answers (spawning it first if need be), then point this process's
    Prefect at it."""
    for _ in range(3):
        if process is None:
            port = _free_port()
            process = _guarded_command(port, _settings_env())
        url = f"http://127.0.0.1:{port}/api"
        if _healthy(url, process, timeout_s):
            _attach(url)
            _SERVER["url"] = url
            return
        if process.poll() != PORT_IN_USE:
            break
        process = None
    stop_engine()  # the flow then starts Prefect's own server, and says why it cannot


def _serve_quietly(timeout_s: float, process: subprocess.Popen | None, port: int) -> None:
    try:
        _serve(timeout_s, process, port)
    except Exception:  # the flow then starts Prefect's own server and reports the error there
        stop_engine()


def start_engine() -> threading.Thread | None:
    """Spawn Prefect's temporary API server now, on a thread that waits until it answers.

    Only where a flow run would start one anyway (no PREFECT_API_URL, temporary server on). The
    caller joins the thread before running a flow; the run then attaches to the server as to a
    long-running one. Prefect's own temporary start is not used: it imports Prefect's whole
    server application into this process first (3-5 s of CPU, holding the interpreter the run's
    own imports need), and only then spawns the server, which imports it again. In a process
    that has not imported Prefect yet (the CLI), the server is spawned before that import (2 s),
    and stopped again if Prefect's settings then name a server or turn the temporary one off.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    started = _SERVER.get("thread")
    if started is not None and not (started.is_alive() or _SERVER.get("url")):
        started = None  # an earlier start that failed
    early, port = None, 0
    if started is None and "prefect" not in sys.modules:
        port = _free_port()
        early = _guarded_command(port, {})
    atexit.register(stop_engine)
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    )

    configured = PREFECT_API_URL.value()
    if started is not None:  # ours, started (or starting) for an earlier run of this process
        return None if configured and configured != _SERVER.get("url") else started
    if configured or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        _terminate(_SERVER.pop("process", None), 1.0)
        return None
    timeout_s = float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    thread = threading.Thread(
        target=_serve_quietly, args=(timeout_s, early, port), name="engine-start", daemon=True
    )
    _SERVER["thread"] = thread
    thread.start()
    return thread


def stop_engine(grace_s: float = 1.0) -> None:
    """Stop the temporary server (every exit path calls it): SIGTERM, then SIGKILL after
    `grace_s` (an interrupted run has seconds, not Prefect's 5). Also one that Prefect started
    itself where the early start failed."""
    _SERVER.pop("thread", None)
    processes = [_SERVER.pop("process", None)]
    if _SERVER.pop("url", None):
        _attach(None)
    server_module = sys.modules.get("prefect.server.api.server")
    servers = list(server_module.SubprocessASGIServer._instances.values()) if server_module else []
    for process in processes + [server.server_process for server in servers]:
        _terminate(process, grace_s)
    for server in servers:
        try:
            server.server_process = None
            server.stop()  # Prefect's own bookkeeping (the process is gone already)
        except Exception:
            pass


def _terminate(process: subprocess.Popen | None, grace_s: float) -> None:
    try:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
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
