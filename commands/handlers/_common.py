"""Helpers shared by the command handlers: calling DWS, finding a cluster by name or id, and
formatting.

Handlers work with the typed models of `dws.models`: `call_model` parses an answer straight into
the operation's model, so field names are checked by mypy and an answer that does not fit
becomes a one-line `CommandFailure` naming the operation (never a KeyError or a silently empty
value). Operations without a model in `dws.models` (most changes) use `call_answer` with a small
local model; `call` (raw JSON) is left for answers nothing is read from.

Clusters are addressed by name or id. An exact id or an exact name (case-insensitive) wins; an
unknown or ambiguous name is a `LookupProblem` whose message lists the candidates.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from commands.registry import Bindings, CommandContext, CommandFailure, DwsCaller, OutcomeUnknown
from commands.replies import Reply, table
from commands.services import dws_error_text
from dws.errors import DwsApiError, DwsResponseError, DwsTransportError
from dws.models import (
    ClusterDetail,
    ClusterInfo,
    ClusterSummary,
    DisasterRecovery,
    DwsModel,
    ListClusterDetailsResponse,
    ListClustersResponse,
    ListClusterSummariesResponse,
    ListDisasterRecoverResponse,
    parse_time,
)

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D", bound=DwsModel)


class LookupProblem(CommandFailure):
    """A name or id did not designate exactly one resource; the message says why, in one line."""


class Named(Protocol):
    """A resource with an id and a name (a cluster, a DR relationship, a snapshot ...)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str | None: ...


N = TypeVar("N", bound=Named)

MAX_CANDIDATES = 8


async def list_clusters(client: DwsCaller) -> list[ClusterInfo]:
    """Every cluster of the target (list_clusters)."""
    return (await call_model(client, "list_clusters", ListClustersResponse)).clusters


async def list_cluster_summaries(client: DwsCaller) -> list[ClusterSummary]:
    """Every cluster of the target, only the fields list views show (cheaper to parse)."""
    return (await call_model(client, "list_clusters", ListClusterSummariesResponse)).clusters


def pick(items: Sequence[N], ref: str, kind: str, bindings: Bindings | None = None) -> N:
    """Choose the one item whose id or name is `ref` (exact id, exact or unique partial name).

    With ``bindings`` the choice is recorded (request time) or, in replay mode (the re-plan
    before execution), made by the recorded id only."""
    ref = ref.strip()
    if not ref:
        raise LookupProblem(f"give a {kind} name or id")
    bound = bindings.bound_id(kind, ref) if bindings is not None else None
    if bound is not None:
        return _by_id(items, bound, ref, kind)
    chosen = _choose(items, ref, kind)
    if bindings is not None:
        bindings.record(kind, ref, chosen.id)
    return chosen


def _by_id(items: Sequence[N], bound: str, ref: str, kind: str) -> N:
    for item in items:
        if item.id == bound:
            return item
    raise LookupProblem(f"the {kind} approved as {ref!r} (id {bound}) no longer exists")


def _choose(items: Sequence[N], ref: str, kind: str) -> N:
    for item in items:
        if item.id == ref:
            return item
    low = ref.lower()
    exact = [i for i in items if (i.name or "").lower() == low]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [i for i in items if low in (i.name or "").lower()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        known = _names(items)
        hint = f"; known: {known}" if known else f"; there are no {kind}s"
        raise LookupProblem(f"no {kind} named {ref!r}{hint}")
    raise LookupProblem(
        f"{ref!r} matches several {kind}s: {_names(partial)}; give the full name or id"
    )


def _names(items: Iterable[Named]) -> str:
    names = sorted(i.name or i.id for i in items)
    shown = ", ".join(names[:MAX_CANDIDATES])
    more = len(names) - MAX_CANDIDATES
    return shown + (f" and {more} more" if more > 0 else "")


async def find_cluster(ctx: CommandContext, ref: str) -> ClusterInfo:
    """The cluster summary (from list_clusters) designated by a name or id (bound: see
    `commands.registry.Bindings`)."""
    return pick(await list_clusters(ctx.dws), ref, "cluster", ctx.bindings)


async def cluster_detail(client: DwsCaller, summary: ClusterInfo) -> ClusterDetail:
    """The cluster's details (list_cluster_details) over its summary from list_clusters."""
    data = await call_model(
        client, "list_cluster_details", ListClusterDetailsResponse, {"cluster_id": summary.id}
    )
    return merged(ClusterDetail, summary, data.cluster)


def merged(model: type[D], *parts: DwsModel | None) -> D:
    """One ``model`` from several views of a resource; a later view's fields win.

    Only the fields each answer really carried count (unset ones never hide an earlier
    value); fields a view does not model travel as extras.
    """
    data: dict[str, Any] = {}
    for part in parts:
        if part is not None:
            data.update(part.model_dump(exclude_unset=True))
    return model.model_validate(data)


def extra(item: BaseModel, key: str) -> Any:
    """A field the service sent that the item's model does not declare (or None)."""
    return (item.model_extra or {}).get(key)


async def list_dr(client: DwsCaller) -> list[DisasterRecovery]:
    """Every DR relationship of the target (list_disaster_recover)."""
    data = await call_model(client, "list_disaster_recover", ListDisasterRecoverResponse)
    return data.disaster_recovery


# DR statuses in which the pair is active: the reference (5.12.2) forbids restoration, scale-out,
# upgrade, restart, node replacement and password update on both clusters while DR runs.
DR_ACTIVE = frozenset(
    {"creating", "starting", "running", "switchovering", "stopping", "failovering", "recovering"}
)


def dr_pairs_of(drs: Iterable[DisasterRecovery], cluster_id: str) -> list[DisasterRecovery]:
    """The DR relationships the cluster takes part in (as primary or standby)."""
    return [d for d in drs if cluster_id in (d.primary_cluster_id, d.standby_cluster_id)]


def active_dr(drs: Iterable[DisasterRecovery], cluster_id: str) -> DisasterRecovery | None:
    """The running DR relationship of the cluster, if any."""
    for dr in dr_pairs_of(drs, cluster_id):
        if (dr.status or "").lower() in DR_ACTIVE:
            return dr
    return None


# ----- formatting ---------------------------------------------------------------------------


def status_text(cluster: ClusterSummary) -> str:
    """`AVAILABLE`, `AVAILABLE (READONLY)`, `AVAILABLE · REBOOTING 40%` ..."""
    status = cluster.status or "?"
    sub = cluster.sub_status
    text = status
    if sub and sub.upper() != "NORMAL":
        text += f" ({sub})"
    task = task_text(cluster)
    if task:
        text += f" · {task}"
    return text


def task_text(cluster: ClusterSummary) -> str:
    """The ongoing task and its progress (`REBOOTING 40%`), or ''."""
    progress = cluster.action_progress
    if progress:
        return ", ".join(f"{k} {_pct(v)}".strip() for k, v in progress.items())
    return cluster.task_status or ""


def _pct(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    if text and re.fullmatch(r"\d+(\.\d+)?", text):
        return text + "%"
    return text


def endpoints_text(cluster: ClusterInfo) -> str:
    """Private and public connection addresses, comma separated."""
    found = [ep.connect_info for ep in cluster.endpoints if ep.connect_info]
    found += [
        f"{ep.public_connect_info} (public)"
        for ep in cluster.public_endpoints
        if ep.public_connect_info
    ]
    return ", ".join(found) or "—"


def when(value: Any) -> str:
    """A time from the API (ISO string or epoch milliseconds) as `YYYY-MM-DD HH:MM UTC`."""
    if value is None or value == "":
        return "—"
    moment = parse_time(value)
    if moment is None:
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def cell(value: Any) -> str:
    """A value as table text: '' for None, a whole float without its '.0' (12.0 → 12)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def plural(count: int, noun: str) -> str:
    """`1 cluster`, `2 clusters`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def short(text: Any, limit: int = 80) -> str:
    """One line of at most `limit` characters."""
    line = " ".join(str(text if text is not None else "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ----- calling DWS ----------------------------------------------------------------------------


async def call(
    ctx_dws: DwsCaller, operation: str, params: Mapping[str, Any] | None = None, body: Any = None
) -> Any:
    """`ctx.dws.call`, with the service's refusals turned into a `CommandFailure` sentence.

    An API answer (4xx/5xx) or an unreachable target is an expected failure for a chat command:
    the user sees the DWS error code, message and advice; the dispatcher logs nothing scary.
    For an operation with a model in `dws.models`, use `call_model` instead.
    """
    with _refusals():
        return await ctx_dws.call(operation, params, body)


async def call_model(
    ctx_dws: DwsCaller,
    operation: str,
    model: type[M],
    params: Mapping[str, Any] | None = None,
    body: Any = None,
) -> M:
    """`ctx.dws.call_model`: the answer parsed into ``model`` (usually
    ``dws.models.RESPONSE_MODELS[operation]``), failures as with `call`.

    An answer that does not fit the model is a `CommandFailure` naming the operation and the
    first misfit (``list_clusters: unexpected answer from the service (clusters: ...)``).
    """
    with _refusals():
        return await ctx_dws.call_model(operation, model, params, body)


@dataclass(frozen=True, slots=True)
class Submitted(Generic[M]):
    """What a changing call got back: its answer and the service's request id (for the audit)."""

    answer: M
    request_id: str | None


async def call_answer(
    ctx_dws: DwsCaller,
    operation: str,
    model: type[M],
    params: Mapping[str, Any] | None = None,
    body: Any = None,
) -> Submitted[M]:
    """Make a changing call whose answer may be empty (most changes): an empty answer is an
    empty ``model``, a malformed one a `CommandFailure` naming the operation; failures as
    with `call`. The request id goes into the `Execution` and so into the audit record."""
    with _refusals():
        sent = await ctx_dws.send(operation, params, body)
        answer = sent.parse(model) if sent.content.strip() else model.model_validate({})
    return Submitted(answer, sent.request_id)


class JobAnswer(DwsModel):
    """The answer of an operation that starts an asynchronous job (it may have no body)."""

    job_id: str | None = None
    """The job to follow with list_job_details."""


class IdRef(DwsModel):
    """A created resource in an answer: ``{"id": "..."}``."""

    id: str | None = None
    """The new resource's id."""


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """Turn the DWS errors a chat command expects into a `CommandFailure` sentence."""
    try:
        yield
    except DwsTransportError as exc:
        unknown = OutcomeUnknown if exc.may_have_reached else CommandFailure  # see OutcomeUnknown
        raise unknown(dws_error_text(exc)) from None
    except (DwsApiError, DwsResponseError) as exc:
        raise CommandFailure(dws_error_text(exc)) from None


def project_id_of(ctx_dws: DwsCaller) -> str:
    """The project id of the client's target (some request bodies repeat it)."""
    target = getattr(ctx_dws, "target", None)
    return str(getattr(target, "project_id", "") or "")


def grid(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "",
    text: str = "",
    follow_ups: tuple[str, ...] = (),
) -> Reply:
    """A table reply from any rows (cells turned into strings; None becomes '')."""
    cells: list[tuple[str, ...]] = [tuple("" if c is None else str(c) for c in row) for row in rows]
    return table(tuple(columns), cells, title=title, text=text, follow_ups=follow_ups)
