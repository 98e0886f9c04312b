"""Who is asking, as the policy and the audit know them: Slack ids, names, user groups.

The Slack user id and team id are the identity (the policy maps ids and groups to roles; the
audit records the id). Display names come from users.info, cached for an hour, and go into
the audit beside the id. User groups come from usergroups.list (with their members), cached
and refreshed on a timer by the adapter's background loop; a user's groups are given to the
policy both by group id (``S0123``) and by handle (``data-platform``), so a policy may name
either. When Slack cannot be asked, the name Slack sent with the request is used and the
groups last known stay in force.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from commands.registry import UserRef

SLACK_UNREACHABLE = (SlackApiError, aiohttp.ClientError, TimeoutError)
"""What a Web API call raises when Slack refuses or cannot be reached."""
NAME_TTL_S = 3600.0
GROUPS_TTL_S = 300.0


class Directory:
    """Cached users and user groups of one workspace."""

    def __init__(
        self, client: AsyncWebClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.clock = clock
        self._names: dict[str, tuple[str, float]] = {}
        self._groups: dict[str, tuple[str, ...]] = {}
        self._groups_at: float | None = None

    async def user(self, user_id: str, team_id: str, name_hint: str = "") -> UserRef:
        """The `UserRef` of a Slack user: id, display name, team and groups."""
        await self.refresh_groups_if_due()
        return UserRef(
            id=user_id,
            name=await self.name(user_id, name_hint),
            team=team_id,
            groups=self._groups.get(user_id, ()),
        )

    async def name(self, user_id: str, hint: str = "") -> str:
        """The user's display name (users.info, cached), else ``hint``, else the id."""
        cached = self._names.get(user_id)
        if cached is not None and self.clock() - cached[1] < NAME_TTL_S:
            return cached[0]
        try:
            answer = await self.client.users_info(user=user_id)
        except SLACK_UNREACHABLE:  # logged by the client (method and error code)
            return cached[0] if cached else hint or user_id
        user = answer.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name")
        name = str(name or hint or user_id)
        self._names[user_id] = (name, self.clock())
        return name

    async def refresh_groups_if_due(self) -> None:
        """Read the user groups again when the cached ones are older than `GROUPS_TTL_S`."""
        if self._groups_at is None or self.clock() - self._groups_at > GROUPS_TTL_S:
            await self.refresh_groups()

    async def refresh_groups(self) -> None:
        """Read every user group and its members again (the background loop calls this)."""
        self._groups_at = self.clock()
        try:
            answer = await self.client.usergroups_list(include_users=True)
        except SLACK_UNREACHABLE:  # logged by the client; the groups last known stay in force
            return
        members: dict[str, list[str]] = {}
        for group in answer.get("usergroups") or []:
            names = [str(group[k]) for k in ("id", "handle") if group.get(k)]
            for user_id in group.get("users") or []:
                members.setdefault(str(user_id), []).extend(names)
        self._groups = {user: tuple(names) for user, names in members.items()}
