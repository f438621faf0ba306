"""The HTML report built from the real snapshot: self-contained, every chart's data beside it, and
clean in headless Chromium (no console errors, no failed or outside requests, fits a phone)."""

from __future__ import annotations

import base64
import json
import logging
import re
import shutil
import subprocess
import time
import urllib.request
from html import unescape
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from PIL import Image, ImageStat

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-port=0",
]


@pytest.fixture(scope="module")
def output(refreshed) -> Path:
    return refreshed["settings"].output_dir


def test_html_is_self_contained(output):
    html = (output / "report.html").read_text()
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), (
        "a resource leaves the page"
    )
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    charts = sorted((output / "charts").glob("*.svg"))
    assert charts, "the report has no charts"
    assert html.count("<svg") >= len(charts)  # every chart inline


def test_every_chart_has_its_data_and_follows_the_rules(output, warehouse_ro):
    for svg in sorted((output / "charts").glob("*.svg")):
        data = output / "data" / f"{svg.stem}.csv"
        assert data.is_file(), f"{svg.name} has no data CSV"
        frame = pd.read_csv(data)
        assert len(frame) > 0 and len(frame.columns) >= 2, f"{data.name} is empty"
        text = svg.read_text()
        assert "data-chart-problems" not in text, f"{svg.name}: {text[:300]}"
        assert re.search(r'id="(c[0-9a-f]{8}-)?chart-source"', text), (
            f"{svg.name} has no source line"
        )
    scorecard = pd.read_csv(output / "data" / "scorecard.csv")
    claims = warehouse_ro.execute("SELECT claim_id, metric, measured FROM marts.claims").df()
    assert len(scorecard) == len(claims)
    assert set(scorecard["metric"]) == set(claims["metric"])


def test_summary_shows_every_claim_row(output, warehouse_ro):
    from decoupling.report.build import _with_unit

    html = (output / "report.html").read_text()
    summary = html[html.index('id="summary"') : html.index('aria-label="Contents"')]
    summary = unescape(summary)  # metric texts hold quotes, which the template escapes
    rows = warehouse_ro.execute(
        "SELECT claim_id, metric, measured, unit, verdict FROM marts.claims"
    ).fetchall()
    assert rows
    for claim_id, metric, measured, unit, verdict in rows:
        assert metric in summary
        assert _with_unit(measured, unit) in summary, f"{claim_id} {metric}: measured value missing"
        assert verdict in summary
    for claim_id in ("C1", "C2", "C3", "C4", "C5"):  # claims without rows still listed
        assert f">{claim_id}</" in summary


# ---- Chromium over the DevTools protocol ----------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None and (REPO / ".ci" / "system-deps").is_file():
        subprocess.run([str(REPO / ".ci" / "system-deps")], check=False)  # installs as root (CI)
        path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: run `make system-deps` (Debian package chromium)")
    return path


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, url: str):
        from websockets.sync.client import connect

        self.socket = connect(url, max_size=None, open_timeout=30)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(message)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self.socket.close()


@pytest.fixture()
def browser(chromium, tmp_path):
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert process.poll() is None, "chromium exited at start"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        tools = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield tools
        tools.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.browser
def test_report_in_headless_chromium(output, browser, tmp_path):
    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.send(f"{domain}.enable")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    url = (output / "report.html").resolve().as_uri()
    browser.send("Page.navigate", {"url": url})
    browser.wait_for("Page.loadEventFired")
    assert browser.evaluate("document.readyState") == "complete"
    desktop = browser.screenshot(tmp_path / "report-desktop.png")

    events = browser.events
    console_errors = [
        e["params"]
        for e in events
        if e.get("method") == "Runtime.consoleAPICalled"
        and e["params"]["type"] in ("error", "assert")
    ]
    exceptions = [e["params"] for e in events if e.get("method") == "Runtime.exceptionThrown"]
    log_errors = [
        e["params"]["entry"]
        for e in events
        if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"
    ]
    failed = [e["params"] for e in events if e.get("method") == "Network.loadingFailed"]
    requests = [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert not console_errors and not exceptions and not log_errors, (
        console_errors,
        exceptions,
        log_errors,
    )
    assert not failed, failed
    assert requests and all(u == url or u.startswith("data:") for u in requests), requests

    charts = browser.evaluate(
        "[...document.querySelectorAll('figure.chart svg')].map(e => e.getBoundingClientRect().width)"
    )
    assert charts and all(width > 300 for width in charts), charts

    assert not headers_broken_inside_a_word(browser), "table headers wrap inside a word at 1280 px"
    hover = browser.evaluate(
        "[...document.querySelectorAll('figure.chart svg')]"
        ".map(svg => svg.querySelectorAll('g.hover title').length)"
    )
    assert hover and all(count > 0 for count in hover), f"charts without hover values: {hover}"
    cite = browser.evaluate(
        "document.querySelector('#cite') && document.querySelector('#cite').innerText"
    )
    assert cite and "Run " in cite and "vintages" in cite and "Repository" in cite, cite

    # A phone: nothing wider than the screen (wide tables scroll inside their own box).
    for width in (360, 390):
        overflow = phone_overflow(browser, width)
        assert not overflow["offenders"] and overflow["scroll"] <= overflow["client"], (
            f"horizontal overflow at {width} CSS px: {overflow}"
        )
    phone = browser.screenshot(tmp_path / "report-phone.png")

    for shot in (desktop, phone):
        image = Image.open(shot).convert("L")
        assert ImageStat.Stat(image).stddev[0] > 10, f"{shot.name} looks blank"
    assert Image.open(phone).size[0] == 780  # 390 CSS px at 2x


# Every word of every header cell: a word that wraps gives its Range two client rectangles.
HEADER_WORDS_SPLIT = """
(() => {
  const broken = [];
  for (const th of document.querySelectorAll('th')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0] + ' in "' + th.innerText.slice(0, 40) + '"');
      }
    }
  }
  return broken;
})()
"""

# Elements reaching past the screen's right edge that no scrolling box of their own contains,
# named by tag, class and text, so a failure says what to fix.
PHONE_OFFENDERS = """
(() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) return true;
    }
    return false;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !scrolls(el)) {
      offenders.push(el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
        ? '.' + String(el.className).split(' ').join('.') : '')
        + ' "' + (el.innerText || el.textContent || '').trim().slice(0, 50) + '" right=' + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, client: width,
          offenders: offenders.slice(0, 10)};
})()
"""


def headers_broken_inside_a_word(browser: DevTools) -> list[str]:
    return browser.evaluate(HEADER_WORDS_SPLIT)


def phone_overflow(browser: DevTools, width: int) -> dict:
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    browser.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return browser.evaluate(PHONE_OFFENDERS)


def test_report_html_for_a_warehouse_without_c1_data(
    refreshed, warehouse_copy, tmp_path, caplog, with_pdf
):
    """A section whose data are missing says so; the rest of the report still builds."""
    from decoupling.report.build import build_report
    from decoupling.settings import load_settings

    copy = warehouse_copy
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM marts.c1_series")
    con.close()
    settings = load_settings(warehouse=str(copy), output_dir=str(tmp_path / "out"))
    with caplog.at_level(logging.DEBUG, logger="decoupling"):
        paths = build_report(settings)
    messages = [r.getMessage() for r in caplog.records]
    html = paths["html"].read_text()
    c1 = html[
        html.index('<section id="c1"') : html.index("</section>", html.index('<section id="c1"'))
    ]
    assert '<p class="na-box">Not available in this build:' in c1 and "<svg" not in c1
    assert 'id="provenance"' in html and 'class="scorecard"' in html
    full = (refreshed["settings"].output_dir / "report.html").read_text()
    assert html.count("<svg") > 0 and html.count("<svg") < full.count("<svg")  # others still drawn
    assert paths["pdf"].stat().st_size > 10_000
    assert any(m.startswith("report section 1/") and "not available" in m for m in messages)


def test_chart_csvs_are_rounded_and_say_their_units(output):
    """No float noise (100.00000000000001) in any chart CSV; index columns name their base."""
    long_number = re.compile(r"(?<![\w.])-?\d+\.\d*[1-9]\d*(?:e-?\d+)?(?![\w.])")
    for path in sorted((output / "data").glob("c*.csv")):
        for number in long_number.findall(path.read_text()):
            digits = re.sub(r"e-?\d+$", "", number).lstrip("-").replace(".", "").lstrip("0")
            assert len(digits) <= 6, f"{path.name}: {number} has {len(digits)} significant digits"
    header = (output / "data" / "c1_productivity_pay.csv").read_text().splitlines()[0]
    assert "productivity_index_1979q4_100" in header and "pay_index_1979q4_100" in header, header


def test_html_only_report_removes_a_stale_pdf_and_counts_as_current(
    warehouse_copy, tmp_path, monkeypatch
):
    """DECOUPLING_REPORT_PDF=0: report.html only; a PDF of an earlier run goes, and the report
    still counts as current for the next refresh. A value that is not a switch is one line."""
    from decoupling.pipeline import report_run
    from decoupling.report.build import build_report
    from decoupling.settings import ConfigError, load_settings

    monkeypatch.setenv("DECOUPLING_REPORT_PDF", "0")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"%PDF- an earlier run")
    settings = load_settings(warehouse=str(warehouse_copy), output_dir=str(out))
    paths = build_report(settings)
    assert set(paths) == {"html"} and paths["html"].is_file()
    assert not (out / "report.pdf").exists()
    run_id = json.loads((out / "report.json").read_text())["run_id"]
    assert run_id and report_run(settings) == run_id
    monkeypatch.setenv("DECOUPLING_REPORT_PDF", "1")
    assert report_run(load_settings(warehouse=str(warehouse_copy), output_dir=str(out))) is None
    monkeypatch.setenv("DECOUPLING_REPORT_PDF", "maybe")
    with pytest.raises(ConfigError, match=r"^DECOUPLING_REPORT_PDF='maybe' must be 1 or 0"):
        load_settings(warehouse=str(warehouse_copy), output_dir=str(out))


def test_every_held_series_names_its_download_in_the_provenance(warehouse_ro):
    """Series read from a file that holds many (the BEA Section 1 workbook, FRED-MD/QD) name that
    file's download, checksum and held range; the workbook's own publication date is the release."""
    from decoupling.report.build import provenance

    rows = [r for r in provenance(warehouse_ro) if r["available"]]
    assert rows
    missing = [r["id"] for r in rows if not (r["sha256"] and r["url"] and r["last_date"])]
    assert not missing, f"held series without their download: {missing}"
    bea = [r for r in rows if r["id"].startswith("BEA_A")]
    if bea:  # the snapshot's workbook (the bundle carries its own dates)
        held = warehouse_ro.execute(
            "SELECT max(date) FROM raw.observations WHERE series_id = ?", [bea[0]["id"]]
        ).fetchone()[0]
        assert pd.Timestamp(bea[0]["last_date"]) == pd.Timestamp(held)
        if "Section1All_xls_2024-08-29" in bea[0]["url"]:
            assert {r["release_date"] for r in bea} == {"2024-08-29"}
