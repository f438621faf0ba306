"""Run Prefect's temporary API server (uvicorn) so that it never outlives the CLI.

`python -m decoupling.engine_guard <uvicorn arguments>`: a watchdog thread compares the parent
pid with the one recorded at spawn (DECOUPLING_ENGINE_PARENT); once the parent is gone (a
SIGKILL of the CLI reparents this process), the server terminates itself. A parent-death
signal (prctl) would not do: it fires when the *thread* that spawned the server ends, and the
CLI spawns it from a short-lived start-up thread.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

POLL_S = 0.5


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful stop
    time.sleep(3)
    os._exit(1)  # still here: do not linger


def main() -> None:
    parent = int(os.environ.get("DECOUPLING_ENGINE_PARENT") or os.getppid())
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()
    import uvicorn.main

    sys.argv = ["uvicorn", *sys.argv[1:]]
    uvicorn.main.main()


if __name__ == "__main__":
    main()
