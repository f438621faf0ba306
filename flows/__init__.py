"""Prefect flows and deployments: thin compositions of tasks over the `decoupling` library."""
