"""Alembic environment for dwsbot's storage models (async engines, SQLite and PostgreSQL).

Programmatic runs (`commands.store.migrate`) pass an open connection in
``config.attributes["connection"]``. The ``alembic`` command line (``alembic.ini`` at the
repository root) connects to ``sqlalchemy.url`` if set, else ``DWSBOT_DATABASE_URL``, else the
default SQLite file.
"""

from __future__ import annotations

import asyncio
import os

import sqlalchemy as sa
from alembic import context

from commands.store.models import Base
from commands.store.urls import default_database_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("DWSBOT_DATABASE_URL")
        or default_database_url()
    )


def _migrate(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_standalone(url: str) -> None:
    from commands.store.session import Database

    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_migrate)
    finally:
        await db.dispose()


def run_offline() -> None:
    """Emit SQL for the ``--sql`` mode."""
    from commands.store.urls import parse_database_url

    context.configure(
        url=parse_database_url(_url()), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through the given connection, or connect by URL (command line)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
    else:
        asyncio.run(_migrate_standalone(_url()))


if context.is_offline_mode():
    run_offline()
else:
    run_online()
