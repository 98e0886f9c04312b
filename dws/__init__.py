"""The GaussDB(DWS) API: async client, authentication, operation catalogue, models and simulator.

Nothing in this package knows about chat; `commands` and `bot` build on it.
"""
