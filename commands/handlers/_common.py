"""Helpers shared by the command handlers: finding a cluster by name or id, and formatting.

Clusters are addressed by name or id. An exact id or an exact name (case-insensitive) wins; an
unknown or ambiguous name is a `LookupProblem` whose message lists the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from commands.registry import CommandFailure, DwsCaller
from commands.replies import Reply, table
from dws.errors import DwsApiError, DwsNotFoundError, DwsTransportError


class LookupProblem(CommandFailure):
    """A name or id did not designate exactly one resource; the message says why, in one line."""


MAX_CANDIDATES = 8


async def list_clusters(client: DwsCaller) -> list[dict[str, Any]]:
    """Every cluster of the target (list_clusters)."""
    data = await call(client, "list_clusters")
    clusters = data.get("clusters") if isinstance(data, dict) else None
    return [c for c in clusters or [] if isinstance(c, dict)]


def pick(items: Sequence[Mapping[str, Any]], ref: str, kind: str) -> dict[str, Any]:
    """Choose the one item whose id or name is `ref` (exact id, exact or unique partial name)."""
    ref = ref.strip()
    if not ref:
        raise LookupProblem(f"give a {kind} name or id")
    for item in items:
        if str(item.get("id", "")) == ref:
            return dict(item)
    low = ref.lower()
    exact = [i for i in items if str(i.get("name", "")).lower() == low]
    if len(exact) == 1:
        return dict(exact[0])
    partial = exact or [i for i in items if low in str(i.get("name", "")).lower()]
    if len(partial) == 1:
        return dict(partial[0])
    if not partial:
        known = _names(items)
        hint = f"; known: {known}" if known else f"; there are no {kind}s"
        raise LookupProblem(f"no {kind} named {ref!r}{hint}")
    raise LookupProblem(
        f"{ref!r} matches several {kind}s: {_names(partial)}; give the full name or id"
    )


def _names(items: Iterable[Mapping[str, Any]]) -> str:
    names = sorted(str(i.get("name") or i.get("id")) for i in items)
    shown = ", ".join(names[:MAX_CANDIDATES])
    more = len(names) - MAX_CANDIDATES
    return shown + (f" and {more} more" if more > 0 else "")


async def find_cluster(client: DwsCaller, ref: str) -> dict[str, Any]:
    """The cluster summary (from list_clusters) designated by a name or id."""
    return pick(await list_clusters(client), ref, "cluster")


async def cluster_detail(client: DwsCaller, cluster_id: str) -> dict[str, Any]:
    """The cluster's details (list_cluster_details)."""
    data = await call(client, "list_cluster_details", {"cluster_id": cluster_id})
    cluster = data.get("cluster") if isinstance(data, dict) else None
    return cluster if isinstance(cluster, dict) else {}


async def list_dr(client: DwsCaller) -> list[dict[str, Any]]:
    """Every DR relationship of the target (list_disaster_recover)."""
    data = await call(client, "list_disaster_recover")
    items = data.get("disaster_recovery") if isinstance(data, dict) else None
    return [d for d in items or [] if isinstance(d, dict)]


# DR statuses in which the pair is active: the reference (5.12.2) forbids restoration, scale-out,
# upgrade, restart, node replacement and password update on both clusters while DR runs.
DR_ACTIVE = frozenset(
    {"creating", "starting", "running", "switchovering", "stopping", "failovering", "recovering"}
)


def dr_pairs_of(drs: Iterable[Mapping[str, Any]], cluster_id: str) -> list[dict[str, Any]]:
    """The DR relationships the cluster takes part in (as primary or standby)."""
    return [
        dict(d)
        for d in drs
        if cluster_id in (d.get("primary_cluster_id"), d.get("standby_cluster_id"))
    ]


def active_dr(drs: Iterable[Mapping[str, Any]], cluster_id: str) -> dict[str, Any] | None:
    """The running DR relationship of the cluster, if any."""
    for dr in dr_pairs_of(drs, cluster_id):
        if str(dr.get("status", "")).lower() in DR_ACTIVE:
            return dr
    return None


# ----- formatting ---------------------------------------------------------------------------


def status_text(cluster: Mapping[str, Any]) -> str:
    """`AVAILABLE`, `AVAILABLE (READONLY)`, `AVAILABLE · REBOOTING 40%` ..."""
    status = str(cluster.get("status") or "?")
    sub = cluster.get("sub_status")
    text = status
    if sub and str(sub).upper() != "NORMAL":
        text += f" ({sub})"
    task = task_text(cluster)
    if task:
        text += f" · {task}"
    return text


def task_text(cluster: Mapping[str, Any]) -> str:
    """The ongoing task and its progress (`REBOOTING 40%`), or ''."""
    progress = cluster.get("action_progress")
    if isinstance(progress, Mapping) and progress:
        return ", ".join(f"{k} {_pct(v)}".strip() for k, v in progress.items())
    task = cluster.get("task_status")
    return str(task) if task else ""


def _pct(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    if text and re.fullmatch(r"\d+(\.\d+)?", text):
        return text + "%"
    return text


def endpoints_text(cluster: Mapping[str, Any]) -> str:
    """Private and public connection addresses, comma separated."""
    found: list[str] = []
    for ep in cluster.get("endpoints") or []:
        if isinstance(ep, Mapping) and ep.get("connect_info"):
            found.append(str(ep["connect_info"]))
    for ep in cluster.get("public_endpoints") or []:
        if isinstance(ep, Mapping) and ep.get("public_connect_info"):
            found.append(f"{ep['public_connect_info']} (public)")
    return ", ".join(found) or "—"


def when(value: Any) -> str:
    """A time from the API (ISO string or epoch milliseconds) as `YYYY-MM-DD HH:MM UTC`."""
    if value is None or value == "":
        return "—"
    moment = parse_time(value)
    if moment is None:
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def parse_time(value: Any) -> datetime | None:
    """Read an API time: epoch milliseconds or seconds, or ISO 8601 (naive means UTC)."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        if number > 1e11:
            number /= 1000.0
        return datetime.fromtimestamp(number, tz=UTC)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        for candidate in (text, text.replace(" ", "T", 1)):
            try:
                moment = datetime.fromisoformat(candidate)
            except ValueError:
                continue
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """`90s`, `30m`, `2h`, `7d`, `1w` → a timedelta; anything else raises ValueError."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration; use a number and s, m, h, d or w (e.g. 2h)")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(**{_UNITS[unit]: amount})


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
    """
    try:
        return await ctx_dws.call(operation, params, body)
    except DwsNotFoundError as exc:
        raise CommandFailure(f"DWS says not found: {_api_detail(exc)}") from None
    except DwsApiError as exc:
        raise CommandFailure(f"DWS refused {operation}: {_api_detail(exc)}") from None
    except DwsTransportError as exc:
        raise CommandFailure(f"could not reach DWS: {exc}") from None


def _api_detail(exc: DwsApiError) -> str:
    code = f"{exc.error_code} " if exc.error_code else ""
    text = f"{code}{exc.error_msg or exc.explanation or f'HTTP {exc.status}'}".strip()
    if exc.solution:
        text += f" ({exc.solution.rstrip('.')})"
    if exc.request_id:
        text += f" [request {exc.request_id}]"
    return text


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
