"""Checks for scheduled runs (`decoupling serve` / `deploy`), made before anything is registered
with Prefect: the cron expressions, the options a deployment stores, a server to register with."""

from __future__ import annotations

from decoupling.settings import ConfigError, Options


def validate_cron(expr: str) -> str:
    """A five-field cron expression Prefect accepts, else ConfigError (one line, exit 2)."""
    from prefect.client.schemas.schedules import CronSchedule

    problem = len(expr.split()) != 5
    if not problem:
        try:
            CronSchedule(cron=expr)
        except ValueError:  # pydantic's ValidationError is a ValueError
            problem = True
    if problem:
        raise ConfigError(
            f"invalid cron expression {expr!r}: expected five fields, e.g. '0 6 15 * *'"
        )
    return expr


def scheduled_options(args) -> Options:
    """The deployment's options, validated: bad folders, settings or series ids stop here."""
    options = Options(
        snapshots=list(getattr(args, "snapshot", None) or []),
        series=list(getattr(args, "series", None) or []),
        warehouse=args.warehouse,
        quiet=True,
        wait=True,  # a scheduled run queues behind a manual one instead of failing
    )
    options.settings()  # bad folders or settings stop here, before anything is registered
    if options.series:
        from decoupling import catalog

        catalog.select(catalog.load_catalog(), options.series)
    return options


def require_server() -> None:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise ConfigError(
            "no Prefect server: start one with 'prefect server start' and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )


def vintages_cron(args) -> str | None:
    """The vintages schedule, checked before anything is registered: ALFRED needs a key."""
    expr = getattr(args, "vintages_cron", None)
    if not expr:
        return None
    validate_cron(expr)
    from decoupling.settings import load_settings

    if not load_settings().fred_api_key:
        raise ConfigError(
            "--vintages-cron: ALFRED vintages need FRED_API_KEY in this environment (none is set)"
        )
    return expr
