"""Forms in Slack: opening one for a slash command, its parameter search, and its submission.

A submission is acked within Slack's 3 s: its problems go back on the fields
(``response_action: errors``); a good one is claimed once (``view:<id>``, so a repeated
delivery does nothing) and dispatched as the submitting user in the channel the form was
opened from, exactly as the typed ``/dws ...`` text would be. What is known within
`ANSWER_WITHIN_S` is said in the modal itself (``response_action: update``): an error or an
answer, a request message the bot could not post, a generated password (shown only there).
Otherwise the modal closes and the reply is delivered like a slash command's: the request's
message in the channel, anything else ephemerally (chat.postEphemeral, as there is no
response_url), and when the bot cannot post there, in the user's direct messages with it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from slack_sdk.errors import SlackApiError

from bot.logs import bind_request, register_secret
from bot.slack.blocks import view_blocks
from bot.slack.delivery import cannot_post, slack_error
from bot.slack.modals import (
    CALLBACK,
    PARAM_ACTION,
    TARGET,
    Form,
    form_view,
    parameter_options,
    result_view,
)
from bot.slack.on_action import clicker
from bot.slack.submissions import Errors, Submission, check, read_metadata, state_values
from commands.dispatch import InvocationRequest
from commands.handlers._common import find_cluster
from commands.handlers.params import parameter_group, parameters
from commands.handlers.params_set import value_problem
from commands.registry import UserRef
from commands.replies import Reply, Severity
from commands.services import DB_DOWN, unexpected
from commands.store.errors import StoreError
from dws.clock import utcnow
from dws.models import ConfigurationParameter

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.app import SlackBot
    from bot.slack.delivery import Respond

log = logging.getLogger("dwsbot.slack")

ANSWER_WITHIN_S = 2.0
"""How long a submission may take before its ack (Slack waits 3 s, the network included)."""
LOOKUP_WITHIN_S = 1.0
"""How long the parameter lookup of a check may take (the plan checks again if it cannot)."""


class AckBodiesUnlogged(logging.Filter):
    """Bolt logs every ack's body at debug level; a form's ack may show a generated password,
    so the body is left out of that record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Responding with status"):
            record.msg, record.args = message.split(" body:", 1)[0] + " (body not logged)", ()
        return True


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Listen to form submissions and to the parameter select's searches."""
    app.logger.addFilter(AckBodiesUnlogged())

    @app.view(re.compile("^" + re.escape(CALLBACK)))
    async def on_submit(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        await submitted(bot, ack, body, view)

    @app.block_suggestion(PARAM_ACTION)
    async def on_search(ack: Any, body: dict[str, Any]) -> None:
        await ack(options=await search(bot, body))


async def open_form(bot: SlackBot, body: dict[str, Any], form: Form, respond: Respond) -> None:
    """views.open the form with the command's trigger_id, unless the user may not run the
    command at all: then they get the policy's sentence (as the dispatcher says it)."""
    channel = str(body.get("channel_id") or "")
    user_id, team = str(body.get("user_id") or ""), str(body.get("team_id") or "")
    user = await bot.directory.user(user_id, team, str(body.get("user_name") or ""))
    services = bot.runtime.dispatcher.services
    me = services.with_role(user)
    decision = services.policy.can_run(me, form.spec.name, channel, None, services.clock())
    if not decision.allowed:
        await bot.delivery.answer(respond, Reply.error(decision.reason + ".", title="Not allowed"))
        return
    view = form_view(form, channel, ask_target=len(bot.runtime.targets) > 1)
    try:
        await bot.client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
    except SlackApiError as exc:
        text = (
            f"I could not open the form ({slack_error(exc)}); type the whole command instead: "
            f"{form.spec.usage}"
        )
        await bot.delivery.answer(respond, Reply.error(text))


async def cluster_parameters(
    bot: SlackBot, user: UserRef, channel: str, cluster: str, target: str | None
) -> list[ConfigurationParameter]:
    """The parameters of a cluster, as `/dws params` reads them for ``user`` (none when the
    policy does not let them read parameters)."""
    services = bot.runtime.dispatcher.services
    me = services.with_role(user)
    if not services.policy.can_run(me, "params", channel, None, services.clock()).allowed:
        return []
    ctx = services.context(me, channel, target)
    found = await find_cluster(ctx, cluster)
    group = await parameter_group(ctx.dws, found.id)
    return await parameters(ctx.dws, found.id, group.id)


async def search(bot: SlackBot, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The options of the parameter select for what was typed (block_suggestion)."""
    view = body.get("view") or {}
    found = read_metadata(view, bot.runtime.registry)
    state = state_values(view)
    cluster = str(state.get("cluster") or "")
    if found is None or not cluster:
        return []
    user = await clicker(bot, body)
    try:
        params = await asyncio.wait_for(
            cluster_parameters(bot, user, found[1], cluster, state.get(TARGET) or None),
            ANSWER_WITHIN_S,
        )
    except Exception as exc:  # no options: the cluster is unknown, DWS is slow or refuses
        log.info("parameter search found nothing: %s", type(exc).__name__)
        return []
    return parameter_options(params, str(body.get("value") or ""))


async def submitted(bot: SlackBot, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Answer one view_submission (see the module docstring)."""
    deadline = asyncio.get_running_loop().time() + ANSWER_WITHIN_S
    found = read_metadata(view, bot.runtime.registry)
    if found is None:
        stale = Reply.error("This form is out of date: type the command again.")
        await ack(response_action="update", view=result_view(None, _blocks(bot, stale)))
        return
    spec, channel = found
    user = await clicker(bot, body)
    checked = check(view, spec, channel, bot.runtime.registry)
    errors = checked if isinstance(checked, dict) else await value_problems(bot, user, checked)
    if isinstance(checked, dict) or errors:
        await ack(response_action="errors", errors=errors)
        return
    register_secret(checked.secret)  # masked in every log line from now on
    try:
        first = await claim(bot, str(view.get("id") or ""))
    except StoreError:
        await ack(
            response_action="update", view=result_view(spec, _blocks(bot, Reply.error(DB_DOWN)))
        )
        return
    if not first:
        await ack()
        return
    run = Run(bot, checked, user)
    task = bot.tasks.spawn(run.dispatch(), name="form")
    await asyncio.wait({task}, timeout=max(0.0, deadline - asyncio.get_running_loop().time()))
    if task.done():
        answer = run.answer()
    else:
        bot.tasks.spawn(run.deliver_late(task), name="form-reply")
        answer = run.running()
    if answer is None:
        await ack()
    else:
        await ack(response_action="update", view=answer)


async def value_problems(bot: SlackBot, user: UserRef, sub: Submission) -> Errors:
    """What the handler's pure checks that need DWS say (the value of ``params set`` against
    its parameter); nothing when the parameter cannot be read in time (the plan checks)."""
    if sub.spec.name != "params set":
        return {}
    args: Any = sub.args
    try:
        params = await asyncio.wait_for(
            cluster_parameters(bot, user, sub.channel, args.cluster, sub.target), LOOKUP_WITHIN_S
        )
    except Exception as exc:  # the plan finds the cluster and the parameter again
        log.info("parameter check skipped: %s", type(exc).__name__)
        return {}
    param = next((p for p in params if p.name == args.name), None)
    problem = value_problem(param, args.value) if param is not None else None
    return {"value": problem[:1].upper() + problem[1:] + "."} if problem else {}


async def claim(bot: SlackBot, view_id: str) -> bool:
    """True the first time any replica handles the submission of view ``view_id``."""
    async with bot.runtime.db.unit_of_work() as uow:
        return await uow.seen.claim(f"view:{view_id}", utcnow())


def _blocks(bot: SlackBot, reply: Reply) -> list[dict[str, Any]]:
    shown = dataclasses.replace(reply, actions=(), follow_ups=())
    return view_blocks(shown, bot.delivery.where(), budget=90)


@dataclasses.dataclass
class Run:
    """One submitted form being dispatched, and what to tell its submitter."""

    bot: SlackBot
    sub: Submission
    user: UserRef
    reply: Reply | None = None
    unsent: dict[str, Any] | None = None
    """A message for the submitter that Slack refused in the channel."""
    refused: str = ""
    """Slack's error code for it."""

    async def dispatch(self) -> None:
        """Run the command; a request's message goes into the channel at once."""
        sub, bot = self.sub, self.bot
        prompt = self._secret if sub.secret is not None else None
        context = bind_request(
            team=self.user.team, user=self.user.id, channel=sub.channel, command=sub.spec.name
        )
        with context:
            try:
                request = InvocationRequest(self.user, sub.channel, sub.text, prompt_secret=prompt)
                self.reply = await bot.runtime.dispatcher.handle(request)
                if bot.metrics is not None:
                    bot.metrics.command(sub.spec.name, self.reply.severity)
                if self.reply.ref is not None:
                    await bot.delivery.request_message(sub.channel, self.reply, self.respond)
            except Exception as exc:
                self.reply = unexpected(exc, "form")

    async def _secret(self, _question: str) -> str | None:
        secret: SecretStr | None = self.sub.secret
        return secret.get_secret_value() if secret is not None else None

    async def respond(self, **kwargs: Any) -> None:
        """A `Respond` without a response_url: an ephemeral message in the form's channel."""
        kwargs.pop("response_type", None)
        kwargs.pop("replace_original", None)
        try:
            await self.bot.client.chat_postEphemeral(
                channel=self.sub.channel, user=self.user.id, **kwargs
            )
        except SlackApiError as exc:
            self.refused = slack_error(exc)
            log.info("ephemeral answer in %s refused: %s", self.sub.channel or "-", self.refused)
            self.unsent = kwargs

    def answer(self) -> dict[str, Any] | None:
        """The modal's update once the command has answered (None: close it)."""
        reply = self.reply or Reply.error("The form could not be handled.")
        password = self.sub.secret if self.sub.generated and _made(reply) else None
        if self.unsent is not None:
            return result_view(
                self.sub.spec, list(self.unsent.get("blocks") or []), password=password
            )
        if reply.ref is None or password is not None:
            return result_view(self.sub.spec, _blocks(self.bot, reply), password=password)
        return None

    def running(self) -> dict[str, Any] | None:
        """The modal's update while the command still runs (None: close it)."""
        if not self.sub.generated:
            return None
        note = Reply.info(
            "Your request is being made: its message appears in the channel you typed the "
            "command in, and anything that goes wrong is told to you there."
        )
        return result_view(self.sub.spec, _blocks(self.bot, note), password=self.sub.secret)

    async def deliver_late(self, task: asyncio.Task[None]) -> None:
        """After the modal closed: the answer ephemerally, or in a direct message."""
        await asyncio.wait({task})
        if self.reply is None:
            return
        if self.reply.ref is None:
            await self.bot.delivery.answer(self.respond, self.reply)
        if self.unsent is not None:
            kwargs = self.unsent
            if self.reply.ref is None:  # a request's message already says it
                line = cannot_post(self.sub.channel, self.refused)
                note = {"type": "section", "text": {"type": "mrkdwn", "text": line}}
                kwargs = {**kwargs, "blocks": [note, *(kwargs.get("blocks") or [])]}
            try:
                await self.bot.client.chat_postMessage(channel=self.user.id, **kwargs)
            except SlackApiError as exc:
                log.warning("the answer to a form reached nobody: %s", slack_error(exc))


def _made(reply: Reply) -> bool:
    """True when the reply says a request was made (not refused, not failed)."""
    return reply.severity is not Severity.ERROR
