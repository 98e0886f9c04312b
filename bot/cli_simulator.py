"""`dwsbot simulator`: serve the DWS simulator over HTTP with uvicorn.

It prints the endpoint, the project id, the demo credentials and the environment variables that
point dwsbot at it. Bad options give one clear line and exit code 2, never a traceback.
"""

from __future__ import annotations

import math
import socket
from dataclasses import dataclass

import typer
from starlette.types import ASGIApp

from bot.cli_errors import CliError
from bot.listen import listen
from dws.simulator import defaults
from dws.simulator.state.base import START_DELAY

app = typer.Typer(
    help="Run the DWS simulator (a local fake of the service) over HTTP.",
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass(frozen=True, slots=True)
class SimulatorOptions:
    """Everything `dwsbot simulator` is started with."""

    host: str = "127.0.0.1"
    port: int = defaults.DEFAULT_PORT
    seed: int = 0
    speed: float = 1.0
    ak: str = defaults.AK
    sk: str = defaults.SK
    project_id: str = defaults.PROJECT_ID
    iam_user: str = defaults.IAM_USER
    iam_password: str = defaults.IAM_PASSWORD
    iam_domain: str = defaults.IAM_DOMAIN
    faults: tuple[str, ...] = ()
    start_delay: float = START_DELAY

    @property
    def endpoint(self) -> str:
        """The URL clients use."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def build_app(options: SimulatorOptions) -> ASGIApp:
    """The simulator ASGI app for these options (ValueError with a clear message if invalid)."""
    from dws.simulator.auth import AuthConfig
    from dws.simulator.clock import SimClock
    from dws.simulator.control import simulator_app
    from dws.simulator.faults import FaultInjector, parse_fault_spec
    from dws.simulator.state import SimState

    if not math.isfinite(options.speed) or options.speed < 0:
        raise ValueError("--speed must be >= 0 and finite")
    for flag, value in (
        ("--ak", options.ak),
        ("--sk", options.sk),
        ("--iam-user", options.iam_user),
        ("--iam-password", options.iam_password),
        ("--iam-domain", options.iam_domain),
    ):
        if not value.strip() or value != value.strip():
            raise ValueError(f"{flag} must not be empty or have surrounding spaces")
    if not 0 < options.port < 65536:
        raise ValueError("--port must be between 1 and 65535")
    if not options.project_id.isalnum():
        raise ValueError("--project-id must be letters and digits only")
    faults = FaultInjector(seed=options.seed)
    for spec in options.faults:
        faults.add_from_dict(parse_fault_spec(spec))
    auth = AuthConfig(
        project_id=options.project_id,
        ak=options.ak,
        sk=options.sk,
        iam_user=options.iam_user,
        iam_password=options.iam_password,
        iam_domain=options.iam_domain,
    )
    clock = SimClock(speed=options.speed)
    try:
        state = SimState(
            seed=options.seed,
            clock=clock,
            project_id=options.project_id,
            start_delay=options.start_delay,
        )
    except ValueError as exc:
        raise ValueError(f"--start-delay: {exc}") from None
    return simulator_app(state, auth=auth, faults=faults)


def banner(options: SimulatorOptions) -> str:
    """What the command prints at start: endpoint, project, demo credentials, env vars."""
    ep = options.endpoint
    lines = [
        f"DWS simulator on {ep}  (seed {options.seed}, speed {options.speed:g}x, "
        f"operations start {options.start_delay:g} s after they are accepted)",
        f"  project id     {options.project_id}",
        f"  AK / SK        {options.ak} / {options.sk}",
        f"  IAM            user {options.iam_user}, password {options.iam_password}, "
        f"domain {options.iam_domain} (POST {ep}/v3/auth/tokens)",
        f"  control API    {ep}/_sim/  (not authenticated; see docs/simulator.md)",
        *(f"  fault          {spec}" for spec in options.faults),
        "",
        "Point dwsbot at it:",
        f"  export DWSBOT_DWS_ENDPOINT={ep}",
        f"  export DWSBOT_DWS_REGION={defaults.REGION}",
        f"  export DWSBOT_DWS_PROJECT_ID={options.project_id}",
        f"  export DWSBOT_DWS_AK={options.ak}",
        f"  export DWSBOT_DWS_SK={options.sk}",
    ]
    return "\n".join(lines)


@app.command()
def simulator(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(defaults.DEFAULT_PORT, help="TCP port."),
    seed: int = typer.Option(0, help="Seed of the simulated fleet and of fault probabilities."),
    speed: float = typer.Option(1.0, help="Simulated seconds per real second (0 freezes time)."),
    ak: str = typer.Option(defaults.AK, help="Access key accepted for AK/SK signing."),
    sk: str = typer.Option(defaults.SK, help="Secret key of that access key (a demo value)."),
    project_id: str = typer.Option(defaults.PROJECT_ID, help="Project id served."),
    iam_user: str = typer.Option(defaults.IAM_USER, help="IAM user for /v3/auth/tokens."),
    iam_password: str = typer.Option(defaults.IAM_PASSWORD, help="Password of that IAM user."),
    iam_domain: str = typer.Option(defaults.IAM_DOMAIN, help="IAM domain (account) name."),
    fault: list[str] = typer.Option(  # noqa: B008
        [],
        help="Inject a fault: PATTERN=KIND[:key=value,...], KIND latency|hold|error|throttle|drop.",
    ),
    start_delay: float = typer.Option(
        START_DELAY, help="Simulated seconds between accepting an operation and its start."
    ),
) -> None:
    """Serve the DWS simulator (the embedded default backend) over HTTP."""
    options = SimulatorOptions(
        host,
        port,
        seed,
        speed,
        ak,
        sk,
        project_id,
        iam_user,
        iam_password,
        iam_domain,
        tuple(fault),
        start_delay,
    )
    try:
        asgi = build_app(options)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    try:
        sock = listen(options.host, options.port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CliError(f"cannot listen on {options.endpoint}: {reason}", exit_code=1) from None
    typer.echo(banner(options))
    serve(asgi, sock)


def serve(asgi: ASGIApp, sock: socket.socket) -> None:
    """Run uvicorn (one worker) on an already bound socket until interrupted."""
    import uvicorn

    config = uvicorn.Config(asgi, log_level="critical", lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
