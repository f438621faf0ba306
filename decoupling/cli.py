"""The `decoupling` command line."""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import threading
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="decoupling",
        description="Productivity, pay, prices and profits: public data into DuckDB, a report out.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse", help="DuckDB file (default: $DECOUPLING_WAREHOUSE or data/warehouse.duckdb)"
    )
    common.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    common.add_argument(
        "--verbose", "-v", action="store_true", help="also show Prefect's own log lines"
    )
    sub = parser.add_subparsers(dest="command", required=True)

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

    p = sub.add_parser(
        "refresh",
        parents=[common],
        help="the main job: ingest -> transform -> report, one flow run",
    )
    add_source_args(p)
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    p = sub.add_parser("ingest", parents=[common], help="fetch and load raw series only")
    add_source_args(p)
    p = sub.add_parser("transform", parents=[common], help="run the SQL models and assertions only")
    p.add_argument("--wait", action="store_true")
    sub.add_parser(
        "report", parents=[common], help="write reports/output/report.html and report.pdf"
    )
    p = sub.add_parser(
        "query", parents=[common], help="run a read-only SQL query against the warehouse"
    )
    p.add_argument("sql")
    p.add_argument("--format", choices=["table", "csv", "json", "parquet"], default="table")
    p.add_argument("--output", help="write to this file instead of the terminal")
    sub.add_parser("claims", parents=[common], help="the claim scorecard")
    sub.add_parser(
        "status", parents=[common], help="series held, last observations, vintages, last refresh"
    )
    p = sub.add_parser(
        "vintages",
        parents=[common],
        help="pull ALFRED vintages of the C1 series (needs FRED_API_KEY) for marts.c1_gap_vintages",
    )
    p.add_argument("--since", type=int, default=2000, help="first year (1 Jan and 1 Jul each year)")
    p.add_argument("--dates", nargs="+", default=[], metavar="YYYY-MM-DD", help="these dates only")
    p.add_argument("--wait", action="store_true")
    for name, text in (
        ("serve", "serve the refresh on a schedule from this machine (Prefect deployment)"),
        ("deploy", "register the scheduled refresh on a Prefect work pool, for workers to run"),
    ):
        p = sub.add_parser(name, parents=[common], help=text)
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("refresh", "ingest", "transform", "report") and not args.verbose:
        # Our own progress lines say what happens; Prefect's console lines (and the tracebacks
        # it logs for a failed run) would bury the one line that says what went wrong.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    # A busy shared machine can take longer than Prefect's default to start its local server.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from decoupling.settings import ConfigError, redact
    from decoupling.sources.base import SourceError, SourceUnreachable
    from decoupling.transform import TransformError
    from decoupling.warehouse import WarehouseBusy

    try:
        return _dispatch(args)
    except WarehouseBusy as exc:
        print(f"busy: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except SourceUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (SourceError, TransformError) as exc:
        secrets = tuple(
            v for v in (os.environ.get("FRED_API_KEY"), os.environ.get("BLS_API_KEY")) if v
        )
        print(f"error: {redact(str(exc), secrets)}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the reader closed the pipe (`decoupling query ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted: the published warehouse is unchanged", file=sys.stderr)
        return 130


def _options(args):
    from decoupling.settings import Options

    return Options(
        snapshots=list(getattr(args, "snapshot", []) or []),
        series=list(getattr(args, "series", []) or []),
        warehouse=args.warehouse,
        quiet=args.quiet,
        wait=getattr(args, "wait", False),
        force=getattr(args, "force", False),
    )


def _dispatch(args) -> int:
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

        engine = warm.start_engine()  # before our own imports: they would slow its start-up
        if warm.report_likely(command, settings, options.force):
            warm.start()  # the report's imports and fixed costs, while the engine starts
        from flows import parts, refresh

        if engine is not None:
            engine.join()
        if command == "refresh":
            result = refresh.refresh(**refresh.parameters(options))
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
        if not args.quiet:
            print(json.dumps(result, default=str))
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
        result = vintages_flow(
            dates=dates, warehouse_path=args.warehouse, wait=args.wait, quiet=args.quiet
        )
        if not args.quiet:
            print(json.dumps(result, default=str))
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


def run() -> None:
    """The console script: main(), then the interpreter's own exit steps (non-daemon threads
    joined, exit handlers run: Prefect stops its server, logs flush), then the process ends. The
    teardown of every imported module is skipped: after a refresh (matplotlib, WeasyPrint,
    DuckDB, pandas, Prefect loaded) it took 1.7 s and freed nothing a process exit does not."""
    code = main()
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader gone, or the stream already closed
            pass
    os._exit(code)


if __name__ == "__main__":
    run()


__all__ = ["main", "run", "Path"]
