"""Fixtures for the team set-up: a throwaway PostgreSQL cluster and a Prefect server on it.

`pg_cluster` runs `initdb` + `pg_ctl` on a free port of 127.0.0.1 (trust auth, a private unix
socket directory), as an unprivileged user when the tests run as root (postgres refuses root).
`prefect_pg_server` starts `prefect server start` on that database with its own PREFECT_HOME.
Both stop and delete everything they made at the end, also when a test fails.

Import the fixture functions into a test module to use them (they are registered by name):
    from pg_cluster import pg_cluster_fixture, prefect_pg_server_fixture  # noqa: F401
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
# Debian keeps the server binaries off PATH, one folder per major version.
DEBIAN_PG_BINS = "/usr/lib/postgresql/*/bin"
DATABASE = "prefect"
SUPERUSER = "postgres"


@dataclass(frozen=True)
class PgCluster:
    bin_dir: Path
    root: Path  # data, socket and log live under here; deleted at the end
    port: int
    run_as: str | None  # system user owning the cluster when we are root, else None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL Prefect's server takes (asyncpg driver, TCP, trust auth)."""
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"


@dataclass(frozen=True)
class PrefectServer:
    api: str  # PREFECT_API_URL for clients and workers
    port: int
    home: Path
    log: Path
    process: subprocess.Popen


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_pg_bin() -> Path | None:
    """Folder holding initdb/pg_ctl/postgres: PATH first, else Debian's versioned folders."""
    on_path = shutil.which("initdb")
    if on_path:
        # Resolve symlinks: initdb finds `postgres` beside its real path.
        return Path(on_path).resolve().parent

    # Sorted by major version (folders 15, 16, ...): the newest is last, a non-numeric name first.
    def major(path: str) -> int:
        name = Path(path).parents[1].name
        return int(name) if name.isdigit() else -1

    candidates = sorted(glob.glob(f"{DEBIAN_PG_BINS}/initdb"), key=major)
    return Path(candidates[-1]).parent if candidates else None


def unprivileged_user() -> str | None:
    """None when not root; else the `postgres` system user if it exists, else `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


def ensure_asyncpg() -> str | None:
    """Install asyncpg into this venv when missing; the reason it cannot be had, else None."""
    if importlib.util.find_spec("asyncpg") is not None:
        return None
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "asyncpg"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    importlib.invalidate_caches()
    if done.returncode != 0 or importlib.util.find_spec("asyncpg") is None:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"asyncpg is not installed and pip could not install it: {last}"
    return None


def start_process(argv: list[str], env: dict, log: Path, cwd: Path = REPO) -> subprocess.Popen:
    """Start argv in its own session (so stop_process can end its whole group), output to log."""
    with log.open("w") as handle:
        return subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def _as_user(argv: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


def _pg(cluster: PgCluster, tool: str, *args: str, timeout: float = 120) -> None:
    argv = _as_user([str(cluster.bin_dir / tool), *args], cluster.run_as)
    # cwd: the cluster user must be able to enter it (it cannot enter root's pytest tmp folders).
    done = subprocess.run(argv, cwd=cluster.root, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        log = cluster.log.read_text()[-2000:] if cluster.log.is_file() else ""
        raise RuntimeError(
            f"{tool} {' '.join(args)} failed ({done.returncode}): "
            + " | ".join((done.stdout + done.stderr + log).strip().splitlines()[-8:])
        )


def start_cluster(bin_dir: Path) -> PgCluster:
    """initdb + pg_ctl start on a free port, then an empty database; stop_cluster() undoes it."""
    user = unprivileged_user()
    # Not under pytest's tmp (mode 0700, root's): the cluster user must reach its folder.
    root = Path(tempfile.mkdtemp(prefix="decoupling-pg-"))
    cluster = PgCluster(bin_dir=bin_dir, root=root, port=free_port(), run_as=user)
    try:
        cluster.socket_dir.mkdir()
        if user:
            entry = pwd.getpwnam(user)
            for path in (root, cluster.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        data = str(cluster.data_dir)
        # --no-sync and fsync=off: a throwaway cluster need not survive a power cut.
        _pg(cluster, "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "--no-sync")
        options = (
            f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {cluster.socket_dir} -c fsync=off"
        )
        _pg(cluster, "pg_ctl", "-D", data, "-l", str(cluster.log), "-o", options, "-w", "start")
        tcp = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", SUPERUSER]
        _pg(cluster, "createdb", *tcp, DATABASE)
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def stop_cluster(cluster: PgCluster) -> None:
    """Stop the server (immediate: nothing in it is kept) and delete its folder."""
    if (cluster.data_dir / "postmaster.pid").is_file():
        try:
            _pg(cluster, "pg_ctl", "-D", str(cluster.data_dir), "-m", "immediate", "-w", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            _kill_postmaster(cluster)
    shutil.rmtree(cluster.root, ignore_errors=True)


def _kill_postmaster(cluster: PgCluster) -> None:
    # pg_ctl failed: the first line of postmaster.pid is the server's pid.
    try:
        pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


def start_prefect_server(cluster: PgCluster, root: Path, timeout: float = 180) -> PrefectServer:
    """`prefect server start` on the cluster's database; waits for /api/health."""
    port = free_port()
    home = root / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_DATABASE_CONNECTION_URL=cluster.url,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        DO_NOT_TRACK="1",
        # Runs waiting for the deployment's concurrency slot are retried after at most this
        # many seconds (default 30): keeps the queued runs of the tests close together.
        PREFECT_SERVER_CONCURRENCY_MAXIMUM_CONCURRENCY_SLOT_WAIT_SECONDS="3",
    )
    log = root / "prefect-server.log"
    process = start_process(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env, log
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{api}/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            tail = " | ".join(log.read_text().strip().splitlines()[-10:])
            raise RuntimeError(f"Prefect server on {cluster.url} did not start: {tail}")
        time.sleep(0.5)
    return PrefectServer(api=api, port=port, home=home, log=log, process=process)


@pytest.fixture(scope="module", name="pg_cluster")
def pg_cluster_fixture() -> Iterator[PgCluster]:
    """A running PostgreSQL cluster on 127.0.0.1 with an empty `prefect` database."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip(
            f"no initdb on PATH or in {DEBIAN_PG_BINS} (install Debian's postgresql: .ci/system-deps)"
        )
    if os.geteuid() == 0 and unprivileged_user() is None:
        pytest.skip("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")
    cluster = start_cluster(bin_dir)
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


@pytest.fixture(scope="module", name="prefect_pg_server")
def prefect_pg_server_fixture(pg_cluster: PgCluster, tmp_path_factory) -> Iterator[PrefectServer]:
    """A Prefect server (API only, no UI) whose database is the PostgreSQL cluster."""
    missing = ensure_asyncpg()
    if missing:
        pytest.skip(missing)
    server = start_prefect_server(pg_cluster, tmp_path_factory.mktemp("prefect-pg"))
    try:
        yield server
    finally:
        # Its database is thrown away: uvicorn's graceful shutdown took 30 s here for nothing.
        stop_process(server.process, timeout=5)
