"""Settings from the environment (and `.env`), with the defaults the README documents."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
TEMPLATES_DIR = PROJECT_ROOT / "reports" / "templates"

DEFAULT_USER_AGENT = "decoupling/0.1 (+https://github.com/decoupling; set DECOUPLING_CONTACT)"


# The analysis parameters the SQL models read (decoupling.transform.SQL_VARIABLES; a test keeps
# the two lists equal): checked here, before any work, not from inside a model.
ANALYSIS_NUMBERS = ("DECOUPLING_C2_ANCHOR_PRICE", "DECOUPLING_C2_ANCHOR_YEAR")


class ConfigError(ValueError):
    """Bad configuration or input; the CLI prints it as one line and exits 2."""


def _split_dirs(value: str | None) -> list[Path]:
    if not value:
        return []
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    raw_dir: Path
    output_dir: Path
    snapshots: tuple[Path, ...] = ()
    fred_api_key: str | None = field(default=None, repr=False)
    bls_api_key: str | None = field(default=None, repr=False)
    fred_base_url: str | None = None
    bls_base_url: str | None = None
    bea_api_key: str | None = field(default=None, repr=False)
    bea_base_url: str | None = None
    fred_md_base_url: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    http_timeout: float = 30.0
    fred_rate_per_s: float = 2.0
    quiet: bool = False
    # Back-off of the HTTP clients (tests and impatient users shorten it through the environment).
    http_retries: int = 4
    http_backoff_s: float = 1.0
    http_max_delay_s: float = 30.0
    # Bounds of one request: wall clock from send to last byte (None: max(60, 4 x timeout)) and
    # decoded bytes (200 MB, 50 times the largest file a source sends today).
    http_deadline_s: float | None = None
    http_max_bytes: int = 200_000_000
    # Where readers get the warehouse: a read-only copy plus Parquet exports of every mart.
    publish_dir: Path | None = None
    # The PDF is half the report's time; a schedule whose readers use the HTML can skip it.
    report_pdf: bool = True

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never be written anywhere."""
        return tuple(s for s in (self.fred_api_key, self.bls_api_key, self.bea_api_key) if s)

    @property
    def lock_path(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock")

    @property
    def published_dir(self) -> Path:
        """Readers' folder (default: `published/` beside the warehouse)."""
        return self.publish_dir or self.warehouse.parent / "published"


def load_settings(
    snapshots: list[str] | None = None,
    warehouse: str | None = None,
    quiet: bool = False,
    env_file: Path | None = None,
    output_dir: str | None = None,
    raw_dir: str | None = None,
) -> Settings:
    """Build settings: explicit arguments win over the environment, which wins over defaults."""
    load_dotenv(env_file or PROJECT_ROOT / ".env", override=False)
    env = os.environ
    snapshot_dirs: list[Path] = []
    for item in snapshots or []:
        snapshot_dirs.extend(_split_dirs(item))
    if not snapshot_dirs:
        snapshot_dirs = _split_dirs(env.get("DECOUPLING_SNAPSHOT"))
    for folder in snapshot_dirs:
        if not folder.is_dir():
            raise ConfigError(f"snapshot folder not found: {folder}")
    contact = env.get("DECOUPLING_CONTACT", "").strip()
    user_agent = env.get("DECOUPLING_USER_AGENT", "").strip() or (
        f"decoupling/0.1 ({contact})" if contact else DEFAULT_USER_AGENT
    )
    for name in (*ANALYSIS_NUMBERS, "DECOUPLING_HTTP_DEADLINE"):
        if _number(env, name, 1.0) == 0:
            raise ConfigError(f"{name}={env.get(name)!r} must be a positive number")
    if _number(env, "DECOUPLING_HTTP_MAX_BYTES", 1.0) < 1:
        value = env.get("DECOUPLING_HTTP_MAX_BYTES")
        raise ConfigError(
            f"DECOUPLING_HTTP_MAX_BYTES={value!r} must be a number of bytes, 1 or more"
        )
    # The C3 eras and break date: a bad value stops here, not after the engine and the models ran.
    from decoupling import stats

    stats.eras()
    stats.break_date()
    settings = Settings(
        warehouse=Path(warehouse or env.get("DECOUPLING_WAREHOUSE") or "data/warehouse.duckdb"),
        raw_dir=Path(raw_dir or env.get("DECOUPLING_RAW_DIR") or "data/raw"),
        output_dir=Path(output_dir or env.get("DECOUPLING_OUTPUT_DIR") or "reports/output"),
        snapshots=tuple(snapshot_dirs),
        fred_api_key=env.get("FRED_API_KEY") or None,
        bls_api_key=env.get("BLS_API_KEY") or None,
        fred_base_url=(env.get("FRED_BASE_URL") or None),
        bls_base_url=(env.get("BLS_BASE_URL") or None),
        bea_api_key=env.get("BEA_API_KEY") or None,
        bea_base_url=env.get("BEA_BASE_URL") or None,
        fred_md_base_url=env.get("FRED_MD_BASE_URL") or None,
        user_agent=user_agent,
        http_timeout=_number(env, "DECOUPLING_HTTP_TIMEOUT", 30.0),
        fred_rate_per_s=_number(env, "DECOUPLING_FRED_RATE", 2.0),
        http_retries=int(_number(env, "DECOUPLING_HTTP_RETRIES", 4)),
        http_backoff_s=_number(env, "DECOUPLING_HTTP_BACKOFF", 1.0),
        http_max_delay_s=_number(env, "DECOUPLING_HTTP_MAX_DELAY", 30.0),
        http_deadline_s=_number(env, "DECOUPLING_HTTP_DEADLINE", 0.0) or None,
        http_max_bytes=int(_number(env, "DECOUPLING_HTTP_MAX_BYTES", 200_000_000)),
        publish_dir=Path(env["DECOUPLING_PUBLISH_DIR"])
        if env.get("DECOUPLING_PUBLISH_DIR")
        else None,
        report_pdf=_switch(env, "DECOUPLING_REPORT_PDF", True),
        quiet=quiet,
    )
    check_paths(settings)
    return settings


def check_paths(settings: Settings) -> None:
    """Each configured path is of the right kind where it exists: a file for the warehouse,
    folders for the rest (a run would otherwise fail at its very end)."""
    if settings.warehouse.is_dir():
        raise ConfigError(
            f"the warehouse {settings.warehouse} is a directory; DECOUPLING_WAREHOUSE (or "
            "--warehouse) names the DuckDB file, e.g. data/warehouse.duckdb"
        )
    if settings.warehouse.is_file() and not _is_duckdb_file(settings.warehouse):
        raise ConfigError(f"the warehouse {settings.warehouse} is not a DuckDB file")
    for label, folder in (
        ("the warehouse's folder", settings.warehouse.parent),
        ("DECOUPLING_RAW_DIR", settings.raw_dir),
        ("DECOUPLING_OUTPUT_DIR", settings.output_dir),
        ("DECOUPLING_PUBLISH_DIR", settings.published_dir),
    ):
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"{label} {folder} is a file, not a folder")


def _is_duckdb_file(path: Path) -> bool:
    """DuckDB's magic bytes ("DUCK" at offset 8); an empty or unreadable file passes here and
    fails where it is opened, with its own line."""
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return True
    return len(head) < 12 or head[8:12] == b"DUCK"


def _switch(env, name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in ("1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off"):
        return False
    raise ConfigError(f"{name}={value!r} must be 1 or 0 (yes/no, true/false, on/off)")


def _number(env, name: str, default: float) -> float:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise ConfigError(f"{name}={value!r} must be a finite number, zero or positive")
    return number


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Replace every secret in `text` (used on URLs and error messages before they are stored)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass
class Options:
    """What a run was asked to do; safe to log (no secrets)."""

    snapshots: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    warehouse: str | None = None
    quiet: bool = False
    wait: bool = False
    force: bool = False
    output_dir: str | None = None
    raw_dir: str | None = None

    def settings(self) -> Settings:
        return load_settings(
            self.snapshots,
            self.warehouse,
            self.quiet,
            output_dir=self.output_dir,
            raw_dir=self.raw_dir,
        )
