"""A failed source says one line: its retries are INFO (shown with --verbose), not WARNING."""

from __future__ import annotations

import logging

import pytest

from decoupling.sources.base import SourceRetriesExhausted
from decoupling.sources.http import HttpClient, RetryPolicy


def test_retries_log_at_info_and_the_failure_is_one_error(server, caplog):
    server.expect_request("/x").respond_with_data("busy", status=503)
    retry = RetryPolicy(max_attempts=3, base_delay=0, unreachable_attempts=1)
    client = HttpClient("fred", user_agent="t", timeout=5, rate_per_s=None, retry=retry)
    with caplog.at_level(logging.DEBUG, logger="decoupling"):
        with pytest.raises(SourceRetriesExhausted) as error:
            client.get(server.url_for("/x"), "GDP")
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    assert all(r.levelno == logging.INFO and r.name.startswith("decoupling") for r in retries)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "\n" not in str(error.value) and "GDP" in str(error.value)


def test_no_socks_dependency_warning_on_import():
    import subprocess
    import sys

    # What requests does when it meets a SOCKS proxy setting: urllib3 warns, then ImportError.
    code = (
        "import decoupling.sources\n"
        "try:\n    import urllib3.contrib.socks\nexcept ImportError:\n    pass\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", code], capture_output=True, text=True
    )
    assert "SOCKS support" not in done.stderr
