"""Database URLs: the default SQLite file, normalisation to the async drivers, masking.

The default file is ``dwsbot.db`` in ``DWSBOT_DATA_DIR`` if set, else in platformdirs'
``user_data_dir("dwsbot")`` (``~/.local/share/dwsbot`` on Linux).

``postgresql://`` and ``postgres://`` become ``postgresql+asyncpg://``; ``sqlite://`` becomes
``sqlite+aiosqlite://``. Other drivers are refused with a one-line `DatabaseUrlError`, and so
is a URL the drivers would choke on when connecting: a port outside 1-65535, or a PostgreSQL
query parameter asyncpg does not take. libpq's ``sslmode=`` is accepted and handed to asyncpg
as its ``ssl=`` (the same six modes); ``target_session_attrs=`` is checked against its values.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from commands.store.errors import DatabaseUrlError

_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_PG_QUERY = {
    "sslmode": _SSL_MODES,
    "ssl": _SSL_MODES,
    "target_session_attrs": (
        "any",
        "primary",
        "standby",
        "prefer-standby",
        "read-write",
        "read-only",
    ),
}
_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def default_data_dir() -> Path:
    """``DWSBOT_DATA_DIR`` if set, else the user's data directory (platformdirs)."""
    configured = os.environ.get("DWSBOT_DATA_DIR")
    return Path(configured) if configured else Path(platformdirs.user_data_dir("dwsbot"))


def default_database_path(data_dir: Path | None = None) -> Path:
    """The default SQLite file: ``dwsbot.db`` in ``data_dir`` or `default_data_dir`."""
    return (data_dir if data_dir is not None else default_data_dir()) / "dwsbot.db"


def default_database_url(data_dir: Path | None = None) -> str:
    """The default database URL: an SQLite file (see `default_database_path`)."""
    return f"sqlite+aiosqlite:///{default_database_path(data_dir)}"


def parse_database_url(url: str | URL) -> URL:
    """Parse ``url`` and switch it to the async driver; raise `DatabaseUrlError` if unusable."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):  # ValueError: an unclosed [ or a port that is no number
        raise DatabaseUrlError(
            f"invalid database URL {mask_url(str(url))!r}: expected for example "
            "postgresql://user@host:5432/db or sqlite:///path/to/dwsbot.db"
        ) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise DatabaseUrlError(
            f"unsupported database driver {parsed.drivername!r}: use postgresql:// or sqlite://"
        )
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise DatabaseUrlError(f"database URL port {parsed.port} is not between 1 and 65535")
    if driver.startswith("postgresql"):
        parsed = parsed.set(query=_postgres_query(parsed))
    return parsed.set(drivername=driver)


def _postgres_query(url: URL) -> dict[str, str]:
    """The URL's query checked for asyncpg; libpq's ``sslmode`` becomes asyncpg's ``ssl``."""
    query: dict[str, str] = {}
    for name, value in url.query.items():
        allowed = _PG_QUERY.get(name)
        if allowed is None:
            known = ", ".join(sorted(_PG_QUERY))
            raise DatabaseUrlError(
                f"unsupported database URL parameter {name!r} (PostgreSQL takes {known})"
            )
        if not isinstance(value, str) or value not in allowed:
            shown = value if isinstance(value, str) else "given twice"
            raise DatabaseUrlError(
                f"database URL parameter {name}={shown!r} is not one of {', '.join(allowed)}"
            )
        query["ssl" if name == "sslmode" else name] = value
    return query


def mask_url(url: str | URL) -> str:
    """``url`` as text with its password replaced by ``***`` (safe for messages and logs)."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not a URL we can parse: drop anything between "://" and "@" that could be credentials.
        head, sep, rest = url.partition("://")
        if sep and "@" in rest:
            return f"{head}://***@{rest.rsplit('@', 1)[1]}"
        return url


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite URL, or None for an in-memory database or another backend."""
    if not url.drivername.startswith("sqlite"):
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)
