"""Settings from the environment (and `.env`), with the defaults the README documents."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
TEMPLATES_DIR = PROJECT_ROOT / "reports" / "templates"

DEFAULT_USER_AGENT = "decoupling/0.1 (+https://github.com/decoupling; set DECOUPLING_CONTACT)"


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
    user_agent: str = DEFAULT_USER_AGENT
    http_timeout: float = 30.0
    fred_rate_per_s: float = 2.0
    quiet: bool = False

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never be written anywhere."""
        return tuple(s for s in (self.fred_api_key, self.bls_api_key) if s)

    @property
    def lock_path(self) -> Path:
        return self.warehouse.with_name(self.warehouse.name + ".lock")


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
    return Settings(
        warehouse=Path(warehouse or env.get("DECOUPLING_WAREHOUSE") or "data/warehouse.duckdb"),
        raw_dir=Path(raw_dir or env.get("DECOUPLING_RAW_DIR") or "data/raw"),
        output_dir=Path(output_dir or env.get("DECOUPLING_OUTPUT_DIR") or "reports/output"),
        snapshots=tuple(snapshot_dirs),
        fred_api_key=env.get("FRED_API_KEY") or None,
        bls_api_key=env.get("BLS_API_KEY") or None,
        fred_base_url=(env.get("FRED_BASE_URL") or None),
        bls_base_url=(env.get("BLS_BASE_URL") or None),
        user_agent=user_agent,
        http_timeout=float(env.get("DECOUPLING_HTTP_TIMEOUT") or 30.0),
        quiet=quiet,
    )


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Replace every secret in `text` (used on URLs and error messages before they are stored)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
