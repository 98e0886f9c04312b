"""`/dws reset-password <cluster>`: set a new administrator password (reset_password, 5.2.28).

The password is never part of the command text: the dispatcher asks for it through
`ctx.prompt_secret` (the console without echo, Slack in a modal) and hands it in `ctx.secrets`.
It is checked and sent, and appears in no plan, reply, log or error message.
"""

from __future__ import annotations

from typing import Any

from commands.handlers._change import ClusterArgs, ClusterChange
from commands.registry import CommandContext, CommandFailure, Plan, Risk, command
from dws.models import ClusterDetail

_CLASSES = (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())


def password_problem(password: str, user_name: str) -> str | None:
    """Why `password` breaks the reference's rules (5.2.28), without quoting it; None if fine."""
    if not 12 <= len(password) <= 32:
        return "the password must have 12 to 32 characters"
    if sum(1 for test in _CLASSES if any(test(c) for c in password)) < 3:
        return (
            "the password needs three of: lower-case letters, upper-case letters, digits, "
            "special characters"
        )
    if user_name and password.lower() in (user_name.lower(), user_name.lower()[::-1]):
        return "the password cannot be the user name or the user name reversed"
    return None


@command(
    "reset-password",
    summary="Set a new administrator password (asked without echo, never in the command)",
    usage="/dws reset-password <cluster>",
    examples=("/dws reset-password prod-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
    secrets=("password",),
)
class ResetPassword(ClusterChange):
    """Reset password: refused while DR runs (reference 5.12.2: no password update)."""

    operation = "reset_password"
    event = "resetPassword"
    verb = "reset the administrator password of"
    need_available = False
    track = False

    def summary(self, name: str, args: Any) -> str:
        """One line for the approval message."""
        return f"Reset the administrator password of cluster {name}"

    def params(self, detail: ClusterDetail, args: Any) -> dict[str, Any]:
        """The administrator's user name (for the password rules)."""
        return {"user_name": detail.user_name or ""}

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """The usual checks, then the password rules (when the password is at hand)."""
        plan = await super().plan(ctx, args)
        secret = ctx.secrets.get("password")
        if secret is not None:
            problem = password_problem(secret.get_secret_value(), plan.params["user_name"])
            if problem:
                raise CommandFailure(problem)
        return plan

    def body(self, ctx: CommandContext, plan: Plan) -> Any:
        """The new password, read from the in-memory secrets only."""
        secret = ctx.secrets.get("password")
        if secret is None or not secret.get_secret_value():
            raise CommandFailure(
                "the new password is no longer available; run the command again to enter it"
            )
        return {"new_password": secret.get_secret_value()}
