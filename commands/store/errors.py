"""Errors of the storage layer. Every message is one line and never contains a password.

StoreError
├── DatabaseUrlError          the database URL is malformed or names an unsupported driver
├── DatabaseUnavailableError  the database cannot be reached or stopped answering
└── MalformedRecordError      a stored audit record cannot be read (`audit verify` says which)
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of the storage layer's errors."""


class DatabaseUrlError(StoreError, ValueError):
    """The database URL is malformed or uses a driver the bot does not support."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be reached (down, wrong host/port, refused credentials, bad path)."""


class MalformedRecordError(StoreError):
    """A stored audit record cannot be read (bad JSON, an unknown event, a bad time)."""
