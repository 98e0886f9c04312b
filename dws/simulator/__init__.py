"""A stateful fake of the GaussDB(DWS) service, written from the API reference.

Pieces (moto's split): `state/` holds the resources and the rules and raises `SimError`;
`routes_*` are thin HTTP handlers registered by operation name (`registry`); `views*` render
resources into the reference's response objects; `errors` is the DWS error body;
`app.create_app()` builds the Starlette app; `clock.SimClock` is the simulated clock;
`defaults` has the project id and demo credentials. Auth, faults, the /_sim/ control API and
the generic responder for every other catalogue operation plug in through `create_app`'s
`middleware` and `extra_routes` (see `dws.simulator.control.simulator_app`).

Lifecycles (simulated seconds; progress is computed from the clock when read):

| operation | visible as | takes |
|---|---|---|
| restart | task_status REBOOTING, action_progress {"REBOOTING": "NN%"} | 120 |
| stop / start | status STOPING → STOPPED / STARTING → AVAILABLE (reference spelling) | 120 / 180 |
| create / restore | status CREATING, action_progress CREATING / RESTORING | 600 / 900 |
| delete | status DELETING, then 404 | 60 |
| scale-out | GROWING, then REDISTRIBUTING (paused: REDISTRIBUTION_PAUSED) | 600 + 900 |
| snapshot | snapshot CREATING → AVAILABLE, cluster SNAPSHOTTING | 300 |
| switchback | ACTIVE_STANDY_SWITCHOVER, UNBALANCED → NORMAL | 60 |
| parameters | parameter group Applying → In-Sync (or Pending-Reboot until a restart) | 30 |
| DR switchover, failover, recovery | switchovering, switchovering, starting | 300, 180, 600 |

Accepted operations start `start_delay` simulated seconds later (default 5, as the real service;
`SimState(start_delay=...)`): until then the job runs but the resource shows its old state.
Each start and end emits an event (`rebootClusterStart`, `rebootClusterSuccess`,
`deleteClusterSuccess`, `createBackupSuccess`, ... see `state.events.SPECS`) and asynchronous
operations create a job (GET /v1.0/{project_id}/job/{job_id}). An operation the state does not
allow (restart while restarting, restart or scale-out of a cluster in a running DR pair, start
of a running cluster ...) is a 400 DWS.5045.

Departures from the reference, on purpose:
- create_cluster(+v2) also answer `{"cluster": {"id"}}` (what the SDK reads) next to the
  reference's `subscriptionsID`;
- list_events accepts `source_id` to filter by cluster (served from a per-source index);
- an unknown cluster is 404 DWS.0015 (the reference's error table has no not-found code).
"""

from __future__ import annotations

from dws.simulator.clock import SimClock
from dws.simulator.errors import SimError
from dws.simulator.state import Fleet, SimState

__all__ = ["Fleet", "SimClock", "SimError", "SimState"]
