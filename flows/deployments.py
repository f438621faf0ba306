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

from decoupling.schedule import require_server, scheduled_options, validate_cron, vintages_cron
from decoupling.settings import PROJECT_ROOT

# BLS publishes Productivity and Costs early in the second month of a quarter and revises it a
# month later; the 15th at 06:00 UTC catches each month's releases.
DEFAULT_CRON = "0 6 15 * *"
DEPLOYMENT_NAME = "decoupling-refresh"
ENTRYPOINT = "flows/refresh.py:refresh"
VINTAGES_ENTRYPOINT = "flows/vintages.py:vintages_flow"


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
    vintages_schedule = vintages_cron(args)
    options = scheduled_options(args)
    name = args.name or DEPLOYMENT_NAME
    deployments = [
        refresh.to_deployment(
            name=name,
            cron=cron,
            parameters=parameters(options),
            description="Monthly refresh of the decoupling warehouse and report",
        )
    ]
    if vintages_schedule:
        from flows.vintages import vintages_flow

        deployments.append(
            vintages_flow.to_deployment(
                name=vintages_name(name),
                cron=vintages_schedule,
                parameters=vintages_parameters(options),
                description="ALFRED vintages of the C1 series, for marts.c1_gap_vintages",
            )
        )
    return deployments


def main(args) -> int:
    """`decoupling serve`: register the deployments and run their scheduled runs (blocks)."""
    from prefect import serve

    deployments = served_deployments(args)
    require_server()
    # One run at a time from this process (the refresh lock guards runs started elsewhere).
    serve(*deployments, limit=1)
    return 0


def deploy(args) -> int:
    """`decoupling deploy --pool NAME`: the deployment on a work pool, for workers to run."""
    from flows.refresh import parameters, refresh

    cron = validate_cron(args.cron or DEFAULT_CRON)
    vintages_schedule = vintages_cron(args)
    options = scheduled_options(args)
    require_server()
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
    if vintages_schedule:
        from flows.vintages import vintages_flow

        vintages_id = vintages_flow.from_source(
            source=source, entrypoint=VINTAGES_ENTRYPOINT
        ).deploy(
            name=vintages_name(name),
            work_pool_name=args.pool,
            cron=vintages_schedule,
            parameters=vintages_parameters(options),
            description="ALFRED vintages of the C1 series, for marts.c1_gap_vintages",
            concurrency_limit=1,
            print_next_steps=False,
        )
        print(f"deployment vintages/{vintages_name(name)} ({vintages_id}) on work pool {args.pool}")
    print(f"start a worker on each machine: prefect worker start --pool {args.pool}")
    return 0
