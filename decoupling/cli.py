"""The `decoupling` command line."""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

# Telemetry off before Prefect is imported (the flows module imports it).
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "decoupling")
# Plain-function runs (tests, `report` helpers) log outside a flow run: no API-handler warning.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

EXIT_FAILED = 1  # a source or SQL model failed; the published warehouse is unchanged
EXIT_BAD_INPUT = 2  # bad input or settings; nothing stored was touched
EXIT_BUSY = 3  # another refresh holds the warehouse (pass --wait to queue behind it)


# Each subcommand: (help line, longer description, one example).
COMMANDS = {
    "bundle": (
        "write the replication bundle (bundle/) from the published warehouse",
        "Write a compact copy of every input the report used (Parquet, with a manifest of "
        "sources, release dates, checksums and licenses), so a fresh clone runs offline.",
        "decoupling bundle",
    ),
    "refresh": (
        "the main job: ingest -> transform -> report, one flow run",
        "Fetch every catalog series (or read a snapshot), load what changed, rebuild the SQL "
        "models, publish the warehouse and the readers' copy, and write the report.",
        "decoupling refresh --snapshot ../shared/fred-snapshot",
    ),
    "ingest": (
        "fetch and load raw series only",
        "Fetch the catalog series and load them into the raw schema; no model is rebuilt.",
        "decoupling ingest --series OPHNFB COMPRNFB",
    ),
    "transform": (
        "run the SQL models and assertions only",
        "Rebuild every staging and mart model from the raw data held, then run the assertions.",
        "decoupling transform",
    ),
    "report": (
        "write reports/output/report.html and report.pdf",
        "Draw the charts and write the HTML report and its PDF from the published warehouse.",
        "decoupling report",
    ),
    "query": (
        "run a read-only SQL query against the warehouse",
        "Run SELECT-like SQL on the published warehouse, read-only. --output infers the format "
        "from the file's extension (.csv, .json, .parquet, .txt).",
        'decoupling query "SELECT * FROM marts.claims" --output claims.csv',
    ),
    "claims": (
        "the claim scorecard",
        "Print each claim with its metrics, the measured figures, the verdicts and their rules; "
        "--explain CLAIM prints a claim's rule, inputs and arithmetic.",
        "decoupling claims --explain C3",
    ),
    "status": (
        "series held, last observations, vintages, last refresh",
        "Print the last run, whether a refresh is running, the readers' copy, and one row per "
        "catalog series with its title, last observation and last access.",
        "decoupling status",
    ),
    "vintages": (
        "pull ALFRED vintages of the C1 series (needs FRED_API_KEY) for marts.c1_gap_vintages",
        "Fetch the C1 series as ALFRED held them on each date, load them, rebuild the models.",
        "FRED_API_KEY=... decoupling vintages --since 2010",
    ),
    "serve": (
        "serve the refresh on a schedule from this machine (Prefect deployment)",
        "Register the refresh deployment with the Prefect server in PREFECT_API_URL and run its "
        "scheduled runs from this process (blocks).",
        "decoupling serve --cron '0 6 15 * *'",
    ),
    "deploy": (
        "register the scheduled refresh on a Prefect work pool, for workers to run",
        "Register the refresh deployment on a work pool (type process); workers started with "
        "'prefect worker start --pool NAME' run it.",
        "decoupling deploy --pool team",
    ),
}
# --output FILE.ext -> --format, when --format is not given.
FORMAT_BY_SUFFIX = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".txt": "table"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="decoupling",
        description="Productivity, pay, prices and profits: public data into DuckDB, a report out.",
        allow_abbrev=False,
    )
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument(
        "--warehouse", help="DuckDB file (default: $DECOUPLING_WAREHOUSE or data/warehouse.duckdb)"
    )
    common.add_argument("--quiet", "-q", action="store_true", help="warnings and errors only")
    common.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="also a line per series, model and chart, and Prefect's own log lines",
    )
    common.add_argument(
        "--json", action="store_true", help="end with the run's summary as one JSON line (stdout)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str) -> argparse.ArgumentParser:
        short, description, example = COMMANDS[name]
        return sub.add_parser(
            name,
            parents=[common],
            help=short,
            description=description,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )

    def add_source_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--snapshot",
            action="append",
            default=[],
            metavar="DIR",
            help="read series from a snapshot folder instead of the live sources (repeatable; first wins)",
        )
        p.add_argument(
            "--series", nargs="+", default=[], metavar="ID", help="only these catalog series"
        )
        p.add_argument(
            "--wait", action="store_true", help="wait for a running refresh instead of exiting"
        )

    p = command("refresh")
    add_source_args(p)
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p.add_argument("--bundle", action="store_true", help="read the replication bundle (bundle/)")
    p.add_argument(
        "--offline-fallback",
        action="store_true",
        help="when no source can be reached and no snapshot is set, use the bundle (make run)",
    )
    p = command("bundle")
    p.add_argument("--output", help="folder to write (default: bundle/ in the repository)")
    p = command("ingest")
    add_source_args(p)
    p = command("transform")
    p.add_argument(
        "--wait", action="store_true", help="wait for a running refresh instead of exiting"
    )
    command("report")
    p = command("query")
    p.add_argument("sql")
    p.add_argument(
        "--format",
        choices=["table", "csv", "json", "parquet"],
        default=None,
        help="default: from --output's extension, else table",
    )
    p.add_argument("--output", help="write to this new file instead of the terminal")
    p.add_argument("--force", action="store_true", help="let --output replace an existing file")
    p = command("claims")
    p.add_argument("--explain", metavar="CLAIM", help="the rule, inputs and arithmetic of a claim")
    command("status")
    p = command("vintages")
    p.add_argument("--since", type=int, default=2000, help="first year (1 Jan and 1 Jul each year)")
    p.add_argument("--dates", nargs="+", default=[], metavar="YYYY-MM-DD", help="these dates only")
    p.add_argument(
        "--wait", action="store_true", help="wait for a running refresh instead of exiting"
    )
    for name in ("serve", "deploy"):
        p = command(name)
        p.add_argument(
            "--cron",
            default=None,
            help="cron expression, UTC (default: '0 6 15 * *', monthly after the BLS release)",
        )
        p.add_argument(
            "--vintages-cron",
            help="also schedule the ALFRED vintages flow (needs FRED_API_KEY), cron expression, UTC",
        )
        p.add_argument("--snapshot", action="append", default=[], metavar="DIR")
        p.add_argument("--series", nargs="+", default=[], metavar="ID")
        p.add_argument("--name", help="deployment name (default: decoupling-refresh)")
        if name == "deploy":
            p.add_argument("--pool", required=True, help="work pool (type process) to run on")
            p.add_argument(
                "--source", help="where workers find this code (default: this checkout's path)"
            )
    return parser


def infer_format(fmt: str | None, output: str | None) -> str:
    """--format as given, else from --output's extension, else a table; an unknown extension
    without --format is refused rather than guessed."""
    if fmt:
        return fmt
    if not output:
        return "table"
    suffix = Path(output).suffix.lower()
    if suffix not in FORMAT_BY_SUFFIX:
        from decoupling.settings import ConfigError

        known = ", ".join(FORMAT_BY_SUFFIX)
        raise ConfigError(
            f"cannot tell the format of --output {output} from its extension ({known}): "
            "pass --format"
        )
    return FORMAT_BY_SUFFIX[suffix]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from decoupling import logs

    handler = logs.install(verbose=args.verbose, quiet=args.quiet)
    previous = _catch_signals()
    try:
        return _main(args)
    finally:
        logs.uninstall(handler)
        for signum, action in previous.items():  # an in-process caller (tests) gets its own back
            signal.signal(signum, action)


def _main(args) -> int:
    if args.command in ("refresh", "ingest", "transform", "report") and not args.verbose:
        # Our own progress lines say what happens; Prefect's console lines (and the tracebacks
        # it logs for a failed run) would bury the one line that says what went wrong.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    # A busy shared machine can take longer than Prefect's default to start its local server.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from decoupling.settings import ConfigError, redact
    from decoupling.sources.base import SourceError
    from decoupling.transform import TransformError
    from decoupling.warehouse import WarehouseBusy, publish

    publish.PUBLISHED.clear()  # what this command publishes, not an earlier call in the process
    try:
        return _dispatch(args)
    except BaseException as exc:
        if INTERRUPTS:  # whatever the interrupt surfaced as (DuckDB, Prefect, our own errors)
            return _interrupted()
        if isinstance(exc, WarehouseBusy):
            print(f"busy: {exc}", file=sys.stderr)
            return EXIT_BUSY
        if isinstance(exc, ConfigError):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if isinstance(exc, SourceError | TransformError):
            secrets = tuple(
                v for v in (os.environ.get("FRED_API_KEY"), os.environ.get("BLS_API_KEY")) if v
            )
            print(f"error: {redact(str(exc), secrets)}", file=sys.stderr)
            return EXIT_FAILED
        if isinstance(exc, BrokenPipeError):  # the reader closed the pipe (`query ... | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        if isinstance(exc, OSError):  # a full disk, a vanished folder: staged copies discarded
            from decoupling.warehouse import publish

            where = f" ({exc.filename})" if exc.filename else ""
            print(f"error: {exc.strerror or exc}{where}; {publish.outcome()}", file=sys.stderr)
            return EXIT_FAILED
        if isinstance(exc, KeyboardInterrupt):
            return _interrupted()
        raise


log = logging.getLogger(__name__)
# Signals received (SIGINT = Ctrl-C, SIGTERM); the first one stops the run.
INTERRUPTS: list[int] = []
# After the first signal the run has this long to unwind before the process ends anyway.
STOP_DEADLINE_S = 3.0
_SAID = threading.Lock()


def _interrupted() -> int:
    """Say it once (the deadline thread and the unwinding main thread may both get here)."""
    from decoupling.warehouse import publish

    signum = INTERRUPTS[0] if INTERRUPTS else signal.SIGINT
    if _SAID.acquire(blocking=False):
        print(f"interrupted: {publish.outcome()}", file=sys.stderr, flush=True)
    return 128 + signum


def _on_signal(signum: int, frame) -> None:
    first = not INTERRUPTS
    INTERRUPTS.append(signum)
    if first:
        threading.Thread(target=_deadline, name="stop-deadline", daemon=True).start()
        raise KeyboardInterrupt  # unwinds the run: staged copies are discarded, locks released


def _deadline() -> None:
    """The backstop: a run stuck where Python cannot raise (a C call) still ends in time."""
    time.sleep(STOP_DEADLINE_S)
    code = _interrupted()
    _exit_now(code)


def _exit_now(code: int) -> None:
    from decoupling import engine

    engine.stop_engine()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass
    os._exit(code)


def _catch_signals() -> dict:
    """SIGINT and SIGTERM both unwind the run (as Ctrl-C does); returns the handlers replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    INTERRUPTS.clear()
    return {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}


def _refresh_or_bundle(args, options, settings) -> dict:
    """The refresh; with --offline-fallback, from the bundle when no source can be reached and
    no snapshot is set (scheduled runs never pass it: they fail as before)."""
    from decoupling.sources.base import SourceUnreachable
    from flows import refresh

    try:
        return refresh.refresh(**refresh.parameters(options))
    except SourceUnreachable as exc:
        if not getattr(args, "offline_fallback", False) or settings.snapshots:
            raise
        from decoupling import bundle

        print(
            f"offline ({exc.source} unreachable): using the bundled data of "
            f"{bundle.built_on(bundle.BUNDLE_DIR)} from {bundle.BUNDLE_DIR}",
            file=sys.stderr,
        )
        options.snapshots = [str(bundle.BUNDLE_DIR)]
        return refresh.refresh(**refresh.parameters(options))


def _options(args):
    from decoupling.settings import Options

    if getattr(args, "bundle", False):
        from decoupling.bundle import BUNDLE_DIR

        args.snapshot = [str(BUNDLE_DIR)]
    return Options(
        snapshots=list(getattr(args, "snapshot", []) or []),
        series=list(getattr(args, "series", []) or []),
        warehouse=args.warehouse,
        quiet=args.quiet,
        wait=getattr(args, "wait", False),
        force=getattr(args, "force", False),
    )


def _dispatch(args) -> int:
    from decoupling.logs import stopwatch

    command = args.command
    if command in ("refresh", "ingest", "transform", "report"):
        options = _options(args)
        settings = options.settings()  # validate input before starting an engine
        if command != "report" and not options.wait:
            from decoupling import warehouse

            warehouse.check_not_busy(settings)  # refuse at once, not after the engine starts
        if command in ("refresh", "ingest"):
            from decoupling import catalog

            catalog.select(catalog.load_catalog(), options.series)  # bad catalog or ids: exit 2
        from decoupling import engine as warm

        # Only after the checks: a refused run must not stop a server creating Prefect's database.
        engine = warm.start_engine()
        if warm.report_likely(command, settings, options.force):
            warm.start()  # the report's imports and fixed costs, while the engine starts
        from flows import parts, refresh  # noqa: F401 (imported before the engine joins)

        if engine is not None:
            log.info("starting Prefect's engine (a local server for this run)")
            seconds = stopwatch()
            engine.join()
            log.info("engine started in %.1f s", seconds())
        with warm.attached():
            if command == "refresh":
                result = _refresh_or_bundle(args, options, settings)
            elif command == "ingest":
                result = parts.ingest(
                    snapshots=options.snapshots,
                    series=options.series,
                    warehouse_path=options.warehouse,
                    wait=options.wait,
                    quiet=options.quiet,
                )
            elif command == "transform":
                result = parts.transform(
                    warehouse_path=options.warehouse, wait=options.wait, quiet=options.quiet
                )
            else:
                result = parts.report(warehouse_path=options.warehouse, quiet=options.quiet)
        _finish(args, result, settings)
        return 0
    if command == "bundle":
        from decoupling import bundle
        from decoupling.settings import load_settings

        target = Path(args.output) if args.output else bundle.BUNDLE_DIR
        manifest = bundle.write_bundle(load_settings(warehouse=args.warehouse), target)
        print(
            f"bundle written: {target} ({manifest['bytes'] / 1e6:.2f} MB, "
            f"{len(manifest['inputs'])} inputs)"
        )
        return 0
    if command == "vintages":
        from decoupling import vintages
        from decoupling.settings import ConfigError, load_settings

        settings = load_settings(warehouse=args.warehouse, quiet=args.quiet)
        if not settings.fred_api_key:  # before an engine starts
            raise ConfigError("vintages come from ALFRED, which needs FRED_API_KEY (none is set)")
        dates = vintages.validate_dates(args.dates or vintages.default_dates(args.since))
        from decoupling import engine as warm

        engine = warm.start_engine()
        from flows.vintages import vintages_flow

        if engine is not None:
            engine.join()
        with warm.attached():
            result = vintages_flow(
                dates=dates, warehouse_path=args.warehouse, wait=args.wait, quiet=args.quiet
            )
        _finish(args, result, settings)
        return 0
    if command == "query":
        from decoupling import query

        return query.main(args)
    if command == "claims":
        from decoupling import status

        return status.claims(args)
    if command == "status":
        from decoupling import status

        return status.status(args)
    if command == "serve":
        from flows import deployments as serve

        return serve.main(args)
    if command == "deploy":
        from flows import deployments as serve

        return serve.deploy(args)
    raise AssertionError(command)


def _finish(args, result: dict, settings) -> None:
    """The run's last lines: where the report is (when the run concerns it), then the JSON
    summary on stdout with --json."""
    if result.get("status") == "unchanged":
        html = settings.output_dir / "report.html"
        log.info("report: %s (unchanged)", html)
    if args.json:
        print(json.dumps(result, default=str), flush=True)


def run() -> None:
    """The console script: main(), then the interpreter's own exit steps (non-daemon threads
    joined, exit handlers run: Prefect stops its server, logs flush), then the process ends. The
    teardown of every imported module is skipped: after a refresh (matplotlib, WeasyPrint,
    DuckDB, pandas, Prefect loaded) it took 1.7 s and freed nothing a process exit does not."""
    code = main()
    if INTERRUPTS:
        # Prefect's exit steps would try to flush events and logs to a server being stopped:
        # stop the server ourselves and end now, so the one "interrupted" line stays the last.
        _exit_now(code)
    threading._shutdown()
    atexit._run_exitfuncs()
    from decoupling import engine

    engine.stop_engine()  # normally stopped by Prefect's own exit step; this is the safety net
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader gone, or the stream already closed
            pass
    os._exit(code)


if __name__ == "__main__":
    run()


__all__ = ["main", "run", "Path"]
