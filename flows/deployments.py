"""Scheduled refreshes through Prefect: `decoupling serve` and `decoupling deploy`.

- `serve` registers the refresh deployment with the Prefect server in PREFECT_API_URL and runs
  its flow runs in subprocesses of this process (one machine: a laptop or a small server).
- `deploy --pool NAME` registers the same deployment on a work pool instead; workers started on
  any machine (`prefect worker start --pool NAME`) pick the runs up (a team).
- `--vintages-cron EXPR` (either command) also schedules the ALFRED vintages flow
  (flows/vintages.py), which feeds marts.c1_gap_vintages; it needs FRED_API_KEY where it runs.

Only non-secret options become deployment parameters; keys are read from each run's environment.
"""

from __future__ import annotations

from decoupling.settings import PROJECT_ROOT, ConfigError

# BLS publishes Productivity and Costs early in the second month of a quarter and revises it a
# month later; the 15th at 06:00 UTC catches each month's releases.
DEFAULT_CRON = "0 6 15 * *"
DEPLOYMENT_NAME = "decoupling-refresh"
ENTRYPOINT = "flows/refresh.py:refresh"
VINTAGES_ENTRYPOINT = "flows/vintages.py:vintages_flow"


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


def _options(args):
    from decoupling.settings import Options

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


def _require_server() -> None:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise ConfigError(
            "no Prefect server: start one with 'prefect server start' and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )


def ensure_pool(pool: str) -> None:
    """Create the work pool (type process) unless it exists."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))


def _vintages_cron(args) -> str | None:
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


def vintages_name(name: str) -> str:
    """The vintages deployment's name beside the refresh deployment's."""
    return "decoupling-vintages" if name == DEPLOYMENT_NAME else f"{name}-vintages"


def vintages_parameters(options) -> dict:
    # No dates: each scheduled run asks for every half-year since 2000 up to its own day.
    return {"warehouse_path": options.warehouse, "wait": True, "quiet": True}


def served_deployments(args) -> list:
    """What `serve` registers: the refresh, and the vintages flow when --vintages-cron is given."""
    from flows.refresh import parameters, refresh

    cron = validate_cron(args.cron or DEFAULT_CRON)
    vintages_cron = _vintages_cron(args)
    options = _options(args)
    name = args.name or DEPLOYMENT_NAME
    deployments = [
        refresh.to_deployment(
            name=name,
            cron=cron,
            parameters=parameters(options),
            description="Monthly refresh of the decoupling warehouse and report",
        )
    ]
    if vintages_cron:
        from flows.vintages import vintages_flow

        deployments.append(
            vintages_flow.to_deployment(
                name=vintages_name(name),
                cron=vintages_cron,
                parameters=vintages_parameters(options),
                description="ALFRED vintages of the C1 series, for marts.c1_gap_vintages",
            )
        )
    return deployments


def main(args) -> int:
    """`decoupling serve`: register the deployments and run their scheduled runs (blocks)."""
    from prefect import serve

    deployments = served_deployments(args)
    _require_server()
    # One run at a time from this process (the refresh lock guards runs started elsewhere).
    serve(*deployments, limit=1)
    return 0


def deploy(args) -> int:
    """`decoupling deploy --pool NAME`: the deployment on a work pool, for workers to run."""
    from flows.refresh import parameters, refresh

    cron = validate_cron(args.cron or DEFAULT_CRON)
    vintages_cron = _vintages_cron(args)
    options = _options(args)
    _require_server()
    source = args.source or str(PROJECT_ROOT)
    name = args.name or DEPLOYMENT_NAME
    ensure_pool(args.pool)
    deployment_id = refresh.from_source(source=source, entrypoint=ENTRYPOINT).deploy(
        name=name,
        work_pool_name=args.pool,
        cron=cron,
        parameters=parameters(options),
        description="Monthly refresh of the decoupling warehouse and report",
        concurrency_limit=1,  # across all workers: one refresh of the shared warehouse at a time
        print_next_steps=False,
    )
    print(f"deployment refresh/{name} ({deployment_id}) on work pool {args.pool}")
    if vintages_cron:
        from flows.vintages import vintages_flow

        vintages_id = vintages_flow.from_source(
            source=source, entrypoint=VINTAGES_ENTRYPOINT
        ).deploy(
            name=vintages_name(name),
            work_pool_name=args.pool,
            cron=vintages_cron,
            parameters=vintages_parameters(options),
            description="ALFRED vintages of the C1 series, for marts.c1_gap_vintages",
            concurrency_limit=1,
            print_next_steps=False,
        )
        print(f"deployment vintages/{vintages_name(name)} ({vintages_id}) on work pool {args.pool}")
    print(f"start a worker on each machine: prefect worker start --pool {args.pool}")
    return 0
