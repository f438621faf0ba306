"""`decoupling serve`: the refresh flow as a scheduled Prefect deployment."""

from __future__ import annotations

# BLS publishes Productivity and Costs early in the second month of a quarter and revises it a
# month later; the 15th at 06:00 UTC catches each month's releases.
DEFAULT_CRON = "0 6 15 * *"


def main(args) -> int:
    from flows.pipeline import Options, options_dict, refresh_flow

    options = Options(snapshots=list(args.snapshot or []), warehouse=args.warehouse, quiet=True)
    options.settings()
    refresh_flow.serve(
        name="decoupling-refresh",
        cron=args.cron or DEFAULT_CRON,
        parameters={"options": options_dict(options)},
    )
    return 0
