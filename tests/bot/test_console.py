"""The console adapter: rendering, and whole conversations on the in-process simulator.

Conversations are played through piped input exactly as a script would (one line per command),
with the real dispatcher, policy (the demo policy), SQLite audit database and simulator.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rich.console import Console

from bot.audit_key import choose_audit_key
from bot.console import run_console
from bot.render_text import render_plain, render_rich
from bot.settings import Settings
from bot.wiring import Runtime
from commands.audit import verify
from commands.replies import Action, Field, Reply, Severity
from commands.store import Database
from dws.simulator.state import SimState

PASSWORD = "Vx9!kLmq-27Rtz"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clean environment (no DWS target: the simulator) with a fresh SQLite file."""
    for key in list(os.environ):
        if key.startswith("DWSBOT_") or key.startswith("SLACK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    monkeypatch.setenv("DWSBOT_DATABASE_URL", url)
    return url


class Played:
    """The output of a console run and its runtime (for the simulator's request log)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.runtime: Runtime | None = None

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def keep(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def posts(self, fragment: str) -> list[Any]:
        assert self.runtime is not None and self.runtime.simulator is not None
        log = self.runtime.simulator.request_log
        return [r for r in log if r.method == "POST" and fragment in r.path]


async def play(
    script: str, *, user: str | None = "alice", command: str | None = None, speed: float = 600.0
) -> Played:
    played = Played()
    out = Console(file=played.buffer, width=200, force_terminal=False, color_system=None)
    code = await run_console(
        user=user,
        command=command,
        speed=speed,
        stdin=io.StringIO(script),
        out=out,
        interactive=False,
        settings=Settings(),
        on_start=played.keep,
    )
    assert code == 0, played.text
    return played


def test_render_plain_golden() -> None:
    reply = Reply(
        title="Approval needed",
        text="Restart cluster reporting.",
        fields=(Field("Requested by", "alice"), Field("Status", "pending")),
        columns=("name", "status"),
        rows=(("reporting", "AVAILABLE"), ("analytics", "AVAILABLE (READONLY)")),
        actions=(Action("Approve", "approve", "A1", "primary"), Action("Deny", "deny", "A1")),
        severity=Severity.WARNING,
        follow_ups=("/dws cluster reporting",),
    )
    assert render_plain(reply, [4, 5]) == (
        "⚠ Approval needed\n"
        "Restart cluster reporting.\n"
        "  Requested by  alice\n"
        "  Status        pending\n"
        "name       status\n"
        "---------  --------------------\n"
        "reporting  AVAILABLE\n"
        "analytics  AVAILABLE (READONLY)\n"
        "[4] Approve  [5] Deny\n"
        "→ /dws cluster reporting"
    )
    assert render_plain(Reply.error("no such cluster")) == "✖ no such cluster"
    assert render_plain(Reply(columns=("a",))) == "a\n-\n(none)"


def test_render_rich_has_the_same_content() -> None:
    reply = Reply(
        title="2 clusters",
        fields=(Field("status", "AVAILABLE"),),
        columns=("name", "nodes"),
        rows=(("reporting", "3"), ("analytics", "5")),
        actions=(Action("Approve", "approve", "A1", "primary"),),
        follow_ups=("/dws cluster reporting",),
    )
    console = Console(record=True, width=120, force_terminal=True)
    console.print(render_rich(reply, [7]))
    text = console.export_text()
    for part in ("2 clusters", "status", "AVAILABLE", "reporting", "analytics", "[7] Approve"):
        assert part in text
    assert "/click N" in text and "→ /dws cluster reporting" in text


async def test_approval_flow_end_to_end(env: str) -> None:
    script = "/dws restart reporting\n/as bob\n/click 1\n"
    # at 60x the restart (started 5 simulated s after it is accepted) runs for 2 real seconds,
    # so the tracker's polls (one per real second) see it running, then finished
    played = await play(script, speed=60.0)
    out = played.text
    assert "the built-in simulator" in out and "alice: operator" in out  # demo policy shown
    assert "Approval needed" in out and "[1] Approve" in out
    assert "Restart cluster reporting: submitted" in out
    assert "REBOOTING" in out  # progress from the tracker
    assert "restart of reporting: succeeded" in out
    assert len(played.posts("/restart")) == 1
    key = choose_audit_key(Settings(), simulated=True, create=False).key  # the console's key
    db = Database(env, audit_key=key)
    try:
        report = await verify(db)
        assert report.ok and report.keyed, report.problems()
        async with db.unit_of_work(readonly=True) as uow:
            rows = (await uow.session.execute(sa.text("SELECT event FROM audit_records"))).all()
        events = [r[0] for r in rows]
        for event in ("requested", "approved", "executed", "succeeded"):
            assert event in events, events
    finally:
        await db.dispose()
    cli = subprocess.run(
        [str(Path(sys.executable).parent / "dwsbot"), "audit", "verify"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert f"audit chain intact: {len(events)} records verified" in cli.stdout


async def test_self_approval_and_viewer_refused(env: str) -> None:
    played = await play("/dws restart reporting\n/click 1\n/as victor\n/dws restart analytics\n")
    out = played.text
    assert "[1] Approve" in out
    assert "You cannot approve your own request." in out
    assert "restart needs the operator role; you are viewer." in out
    assert played.posts("/restart") == []


async def test_one_line_with_c(env: str) -> None:
    played = await play("", command="/dws clusters")
    assert "6 clusters on simulator" in played.text
    assert "alice: operator" not in played.text  # -c keeps the banner short


async def test_console_commands_and_bad_input(env: str) -> None:
    script = (
        "/help\n/click 9\n/click \u00b2\n/frobnicate\nclusterz\n/as\n# a comment\n/quit\n"
        "/dws clusters\n"
    )
    played = await play(script)
    out = played.text
    assert "/click N" in out
    assert "no choice 9" in out
    assert "no choice \u00b2" in out  # a superscript digit is not a choice (str.isdigit says it is)
    assert "unknown console command /frobnicate" in out
    assert "Unknown command `clusterz`. Did you mean `cluster` or `clusters`?" in out
    assert "Traceback" not in out
    assert "usage: /as USER" in out
    assert "clusters on simulator" not in out  # /quit stopped before the last line


async def test_reset_password_never_shows_the_password(
    env: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    script = f"/dws reset-password reporting\n{PASSWORD}\n/as bob\n/click 1\n"
    played = await play(script)
    assert "Approval needed" in played.text
    assert "(not echoed): ********" in played.text
    assert PASSWORD not in played.text
    assert PASSWORD not in caplog.text
    assert len(played.posts("/reset-password")) == 1
    db_file = Path(env.split("///", 1)[1])
    assert PASSWORD.encode() not in db_file.read_bytes()
    for extra in db_file.parent.glob("audit.db-*"):
        assert PASSWORD.encode() not in extra.read_bytes()


async def test_refused_secret_command_still_consumes_its_secret_line(
    env: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    script = f"/as victor\n/dws reset-password reporting\n{PASSWORD}\n/dws whoami\n"
    played = await play(script)
    assert "Not allowed" in played.text
    assert PASSWORD not in played.text
    assert PASSWORD not in caplog.text
    assert "victor" in played.text.split("whoami", 1)[1]
    assert played.posts("/reset-password") == []


def test_subprocess_runs_one_line(env: str) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dwsbot"), "console", "-c", "/dws cluster reporting"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "reporting: AVAILABLE" in result.stdout
    assert "the built-in simulator" in result.stdout


async def test_a_real_target_without_policy_file_is_refused(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWSBOT_DWS_ENDPOINT", "https://dws.example.invalid")
    monkeypatch.setenv("DWSBOT_DWS_PROJECT_ID", "p1")
    monkeypatch.setenv("DWSBOT_DWS_AK", "AK1")
    monkeypatch.setenv("DWSBOT_DWS_SK", "SK-do-not-print")
    buffer = io.StringIO()
    out = Console(file=buffer, width=200, force_terminal=False, color_system=None)
    code = await run_console(
        user="alice",
        command="/dws clusters",
        speed=60.0,
        stdin=io.StringIO(""),
        out=out,
        interactive=False,
    )
    assert code == 2
    assert "✖ DWSBOT_POLICY_FILE is required with a real DWS target" in buffer.getvalue()
    assert "SK-do-not-print" not in buffer.getvalue()


async def test_database_down_at_start_serves_reads_and_refuses_changes(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWSBOT_DATABASE_URL", "postgresql://bot:Sup3rSecret@127.0.0.1:1/dwsbot")
    played = await play("/dws clusters\n/dws restart reporting\n")
    out = played.text
    assert "⚠ database unavailable (postgresql+asyncpg://bot:***@127.0.0.1:1/dwsbot)" in out
    assert "6 clusters on simulator" in out
    assert "changing commands are refused until it is back; nothing was executed" in out
    assert played.posts("/restart") == []
    assert "Sup3rSecret" not in out and "Traceback" not in out


async def test_channel_guardrail_and_cluster_scoped_freeze(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.wiring import demo_policy_text

    policy = demo_policy_text().replace('"*": ["*"]', 'console: ["rep*"]\n  ops: ["*"]')
    policy = policy.replace(
        "freezes: []", 'freezes: [{name: etl-freeze, cron: "* * * * *", clusters: ["etl-*"]}]'
    )
    (tmp_path / "policy.yaml").write_text(policy)
    monkeypatch.setenv("DWSBOT_POLICY_FILE", str(tmp_path / "policy.yaml"))
    script = (
        "/dws restart analytics\n/in ops\n/dws restart analytics\n/dws switchback etl-batch\n/in\n"
    )
    played = await play(script)
    first, rest = played.text.split("you are now in ops", 1)
    assert "Channel console may act only on rep*." in first
    assert "Approval needed: restart analytics" in rest
    assert "Change freeze 'etl-freeze' is in effect." in rest
    assert "usage: /in CHANNEL (now in ops)" in rest
    assert played.posts("/restart") == []


def _policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, replace: dict[str, str]) -> None:
    from bot.wiring import demo_policy_text

    text = demo_policy_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "policy.yaml").write_text(text)
    monkeypatch.setenv("DWSBOT_POLICY_FILE", str(tmp_path / "policy.yaml"))


async def test_look_alike_names_cannot_approve(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a default role every name is a user: a look-alike of alice would approve her request.
    _policy_file(tmp_path, monkeypatch, {"default_role: null": "default_role: operator"})
    script = (
        "/dws restart reporting\n"
        "/as \u0430lice\n"  # a Cyrillic а
        "/as ali\u200bce\n"  # a zero-width space
        "/as \u202eecila\n"  # a right-to-left override
        "/as ali\u2010ce\n"  # a hyphen that looks like -
        "/as Ａlice\n"  # fullwidth: the same user
        "/click 1\n"
    )
    played = await play(script, user="ALICE")
    out = played.text
    assert "you are alice; type /help" in out
    refusals = [line for line in out.splitlines() if line.startswith("✖ /as refused")]
    assert refusals == [
        "✖ /as refused: user name '\\u0430lice' mixes scripts (cyrillic, latin), as a "
        "look-alike of another name would",
        "✖ /as refused: user name 'ali\\u200bce' contains an invisible character (U+200B); "
        "type the name plainly",
        "✖ /as refused: user name '\\u202eecila' contains an invisible character (U+202E); "
        "type the name plainly",
        "✖ /as refused: user name 'ali\\u2010ce' contains U+2010, which is neither a letter "
        "nor ASCII (it may look like another character)",
    ]
    assert "you are now alice" in out
    assert "You cannot approve your own request." in out
    assert played.posts("/restart") == []
    assert played.runtime is not None
    async with played.runtime.db.unit_of_work(readonly=True) as uow:
        users = {(r.event.value, r.user_id) for r in await uow.audit.query(limit=50)}
    assert users == {("requested", "alice"), ("denied_by_policy", "alice")}


async def test_a_refused_as_name_is_one_line_and_exit_2(env: str) -> None:
    buffer = io.StringIO()
    out = Console(file=buffer, width=200, force_terminal=False, color_system=None)
    code = await run_console(
        user="bo\u0431",
        command="/dws clusters",
        speed=60.0,
        stdin=io.StringIO(""),
        out=out,
        interactive=False,
        settings=Settings(),
    )
    assert code == 2
    assert buffer.getvalue().splitlines() == [
        "✖ user name 'bo\\u0431' mixes scripts (cyrillic, latin), as a look-alike of another "
        "name would"
    ]


@pytest.fixture
def served_simulator(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SimState]:
    """The simulator served over HTTP (in a thread) and configured as a real DWS target."""
    import uvicorn

    from bot.cli_simulator import listen
    from dws.simulator import defaults
    from dws.simulator.clock import SimClock
    from dws.simulator.control import simulator_app

    state = SimState(seed=0, clock=SimClock(speed=600.0))
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(simulator_app(state), log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for key, value in {
        "DWSBOT_DWS_ENDPOINT": f"http://127.0.0.1:{port}",
        "DWSBOT_DWS_REGION": defaults.REGION,
        "DWSBOT_DWS_PROJECT_ID": defaults.PROJECT_ID,
        "DWSBOT_DWS_AK": defaults.AK,
        "DWSBOT_DWS_SK": defaults.SK,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LOGNAME", "JDoe")  # getpass.getuser() reads it first
    _policy_file(tmp_path, monkeypatch, {"alice: operator": "jdoe: operator"})
    try:
        while not server.started:  # the readiness of the server, not a timing assumption
            assert thread.is_alive(), "the simulator did not start"
            time.sleep(0.01)
        yield state
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


async def test_as_is_refused_on_a_real_target(served_simulator: SimState) -> None:
    played = await play("/dws restart reporting\n/as bob\n/click 1\n", user=None)
    out = played.text
    assert "DWS: targets default (default default)" in out
    assert "you are jdoe (your login; /as works only on the simulator); type /help" in out
    assert (
        "✖ /as works only on the built-in simulator: against a real DWS target you are your "
        "login (jdoe), so an approval needs a second person"
    ) in out
    assert "Approval needed: restart reporting" in out
    assert "You cannot approve your own request." in out
    assert "jdoe> /click 1" in out
    assert not [r for r in served_simulator.request_log if r.method == "POST"]


async def test_as_option_is_refused_on_a_real_target(served_simulator: SimState) -> None:
    buffer = io.StringIO()
    out = Console(file=buffer, width=200, force_terminal=False, color_system=None)
    code = await run_console(
        user="bob",
        command="/dws clusters",
        speed=60.0,
        stdin=io.StringIO(""),
        out=out,
        interactive=False,
        settings=Settings(),
    )
    assert code == 2
    assert buffer.getvalue().splitlines() == [
        "✖ --as works only on the built-in simulator: against a real DWS target you are your "
        "login (jdoe), so an approval needs a second person"
    ]
    assert not served_simulator.request_log


async def test_an_over_long_line_is_refused_in_one_line(env: str) -> None:
    long_line = "/dws clusters " + "x" * 100_000
    played = await play(f"{long_line}\n/dws whoami\n")
    out = played.text
    assert out.count("That line is too long (over 4005 characters)") == 1
    assert "x" * 100 not in out  # neither echoed nor shown back
    assert "You are alice" in out  # the next line is read as usual


async def test_a_line_that_is_not_utf8_is_refused(env: str) -> None:
    # A terminal or pipe delivers undecodable bytes as surrogate escapes (see the subprocess test).
    played = await play("/as al\udcffice\n/dws cluster \udcff\n/dws whoami\n")
    out = played.text
    assert out.count("That line is not valid UTF-8 text") == 2
    assert "You are alice" in out and "Traceback" not in out


def test_subprocess_refuses_bytes_that_are_not_utf8(env: str) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dwsbot"), "console"],
        input=b"/dws cl\xffusters\n/as b\xffob\n/dws whoami\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr
    assert out.count("That line is not valid UTF-8 text") == 2
    assert "You are alice" in out
    assert b"Traceback" not in result.stderr
