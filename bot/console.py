"""`dwsbot console`: the terminal chat adapter (the embedded default main job).

Each line is a message: `/dws <command>` (or just `<command>`) goes to the dispatcher as the
current user; `/as USER` switches identity on the built-in simulator only (against a real DWS
target you are your operating-system login, so four eyes are two people; names are normalised by
`bot.identity`); `/in CHANNEL` switches the channel (to try
the policy's channel guardrails); `/click N` presses choice N (buttons are numbered
for the whole session, so an older approval stays clickable); `/wait` waits for running
trackers; `/help`, `/quit`. Trackers run in the background and their progress is printed as it
arrives. When stdin is not a terminal, one line is read per command, so a script can play a
whole approval between two users; at the end of input the console waits for running trackers.
A line longer than `MAX_LINE` characters (no command is that long) or not valid UTF-8 is
refused with one error line; input continues with the next line.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import io
import queue
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import IO

import typer
from rich.console import Console

from bot.cli_errors import not_utf8
from bot.identity import IdentityError, console_user
from bot.render_text import render_plain, render_rich
from bot.settings import Settings, SettingsError, load_settings
from bot.wiring import DEFAULT_SPEED, Runtime, WiringError, demo_policy_text, open_runtime
from commands.dispatch import ActionRequest, InvocationRequest
from commands.parsing import MAX_TEXT, parse
from commands.policy import PolicyError
from commands.registry import UserRef
from commands.replies import APPROVAL_CHOICES, Action, Reply
from commands.store import StoreError

CHANNEL = "console"
DEFAULT_USER = "alice"
SETTLE_TIMEOUT_S = 300.0
TRACK_INTERVAL_S = 1.0
EXPIRY_INTERVAL_S = 10.0
MAX_LINE = MAX_TEXT + len("/dws ")
"""The longest input line handled; a longer one is refused (and read no further)."""
_DRAIN_CHUNK = 1 << 16

ReadLine = Callable[[str], Awaitable[str | None]]

HELP = """\
Type a /dws command (the /dws prefix is optional), for example `/dws clusters`.
  /as USER     act as USER, on the simulator only (demo policy: alice, bob operators;
               carol admin; victor viewer)
  /in CHANNEL  speak in CHANNEL (the policy's channel guardrails apply); default: console
  /click N     press choice [N] (Approve, Deny, Cancel ...)
  /wait        wait until running operations finish
  /help        this text;  /dws help  lists the commands you may run
  /quit        leave"""


@dataclass
class ConsoleSession:
    """One console conversation: the current user, the numbered choices, the output."""

    runtime: Runtime | None
    out: Console
    user: str = DEFAULT_USER
    channel: str = CHANNEL
    rich: bool = False
    read_secret: ReadLine | None = None
    scripted: bool = False
    """Input is not a terminal: a command that needs secrets is followed by one line each."""
    choices: dict[int, Action] = field(default_factory=dict)
    next_choice: int = 1
    last_notified: Reply | None = None

    def show(self, reply: Reply, *, update: bool = False) -> None:
        """Print a reply, numbering its actions."""
        numbers = []
        for action in reply.actions:
            self.choices[self.next_choice] = action
            numbers.append(self.next_choice)
            self.next_choice += 1
        if update:
            self.out.print("↻ update", style="dim", highlight=False)
        if self.rich:
            self.out.print(render_rich(reply, numbers))
        else:
            self.out.print(
                render_plain(reply, numbers), markup=False, highlight=False, soft_wrap=True
            )
        self.out.print()

    async def notify(self, channel: str, reply: Reply) -> None:
        """The dispatcher's callback: trackers and approvals post or update messages."""
        self.last_notified = reply
        self.show(reply, update=reply.ref is not None)

    def user_ref(self) -> UserRef:
        """The current identity."""
        return UserRef(id=self.user, name=self.user)

    async def prompt_secret(self, label: str) -> str | None:
        """Ask for a secret without echo; None when there is nothing usable to read."""
        if self.read_secret is None:
            return None
        value = await self.read_secret(label)
        return None if value is None or not_utf8(value) else value

    async def handle(self, line: str) -> bool:
        """Handle one input line; False means leave."""
        problem = line_problem(line)
        if problem is not None:
            self.show(Reply.error(problem))
            return True
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        word, _, rest = text.partition(" ")
        word = word.lower()
        if word in ("/quit", "/exit", "/q"):
            return False
        if word == "/help":
            self.out.print(HELP, markup=False, highlight=False)
        elif word == "/as":
            self._switch(rest.strip())
        elif word == "/in":
            self._move(rest.strip())
        elif word == "/click":
            await self._click(rest.strip())
        elif word == "/wait":
            await self.wait_trackers()
        elif word.startswith("/") and word != "/dws":
            self.show(Reply.error(f"unknown console command {word}; type /help"))
        else:
            await self._command(text if word == "/dws" else f"/dws {text}")
        return True

    def _switch(self, name: str) -> None:
        if self.runtime is not None and not self.runtime.simulated:
            self.show(Reply.error(real_target_refusal("/as", self.user)))
            return
        if not name or " " in name:
            self.show(Reply.error("usage: /as USER"))
            return
        try:
            self.user = console_user(name)
        except IdentityError as exc:
            self.show(Reply.error(f"/as refused: {exc}"))
            return
        self.out.print(f"you are now {self.user}", style="bold", highlight=False)

    def _move(self, channel: str) -> None:
        if not channel or " " in channel:
            self.show(Reply.error(f"usage: /in CHANNEL (now in {self.channel})"))
            return
        self.channel = channel
        self.out.print(f"you are now in {channel}", style="bold", highlight=False)

    async def _command(self, text: str) -> None:
        assert self.runtime is not None
        prompt: Callable[[str], Awaitable[str | None]] = self.prompt_secret
        if self.scripted:
            prompt = await self._read_secrets_ahead(text)
        request = InvocationRequest(
            user=self.user_ref(), channel=self.channel, text=text, prompt_secret=prompt
        )
        self.show(await self.runtime.dispatcher.handle(request))

    async def _read_secrets_ahead(self, text: str) -> Callable[[str], Awaitable[str | None]]:
        """In a script, take a secret command's secret lines now, whatever happens next.

        Otherwise a refused command would leave its secret line to be read (and echoed) as
        the next command.
        """
        assert self.runtime is not None
        parsed = parse(text, self.runtime.registry)
        names = [] if isinstance(parsed, Reply) else list(parsed.spec.secrets)
        values = [
            await self.prompt_secret(f"New {n.replace('_', ' ')} (not echoed): ") for n in names
        ]

        async def given(_label: str) -> str | None:
            return values.pop(0) if values else None

        return given

    async def _click(self, arg: str) -> None:
        assert self.runtime is not None
        if not (arg.isascii() and arg.isdigit()) or int(arg) not in self.choices:
            known = ", ".join(str(n) for n in sorted(self.choices)[-6:]) or "none yet"
            self.show(Reply.error(f"no choice {arg or '?'} (choices: {known}); usage: /click N"))
            return
        action = self.choices[int(arg)]
        if action.action_id not in APPROVAL_CHOICES:
            self.show(Reply.error(f"{action.label} cannot be pressed in the console"))
            return
        request = ActionRequest(
            user=self.user_ref(), approval_id=action.value, choice=action.action_id
        )
        self.last_notified = None
        reply = await self.runtime.dispatcher.act(request)
        if reply != self.last_notified:  # an update already printed says the same
            self.show(reply)

    async def wait_trackers(self, timeout: float = SETTLE_TIMEOUT_S) -> None:
        """Wait until no tracked operation is running (or `timeout` seconds passed)."""
        assert self.runtime is not None
        try:
            await asyncio.wait_for(self.runtime.dispatcher.tracking.wait(), timeout)
        except TimeoutError:
            self.out.print("still running; stopped waiting", style="yellow", highlight=False)


class LineReader:
    """Reads input lines on one daemon thread, so a blocked read never delays the exit.

    On a terminal it uses `input` (with the prompt) or `getpass` (no echo); otherwise it reads
    `stream` one line at a time. None means end of input.
    """

    def __init__(self, stream: IO[str], tty: bool) -> None:
        self.stream = stream
        self.tty = tty
        self._requests: queue.SimpleQueue[tuple[str, bool, Callable[[str | None], None]]] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None

    async def read(self, prompt: str = "", *, secret: bool = False) -> str | None:
        """The next line without its newline (None at end of input)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[str | None] = loop.create_future()

        def deliver(value: str | None) -> None:
            loop.call_soon_threadsafe(_settle, done, value)

        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="console-input", daemon=True)
            self._thread.start()
        self._requests.put((prompt, secret, deliver))
        return await done

    def _run(self) -> None:
        while True:
            prompt, secret, deliver = self._requests.get()
            deliver(self._read_one(prompt, secret))

    def _read_one(self, prompt: str, secret: bool) -> str | None:
        try:
            if self.tty:
                return getpass.getpass(prompt) if secret else input(prompt)
            line = self.stream.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE and not line.endswith("\n"):
                self._drain()  # the rest of an over-long line is not kept, only refused
        except (EOFError, KeyboardInterrupt, OSError, ValueError):
            return None
        return line.rstrip("\r\n") if line else None

    def _drain(self) -> None:
        while True:
            rest = self.stream.readline(_DRAIN_CHUNK)
            if not rest or rest.endswith("\n"):
                return


def line_problem(line: str) -> str | None:
    """Why an input line is refused before it is looked at (too long, not UTF-8), or None."""
    if len(line) > MAX_LINE:
        return f"That line is too long (over {MAX_LINE} characters); nothing was done."
    if not_utf8(line):
        return "That line is not valid UTF-8 text; nothing was done."
    return None


def _settle(done: asyncio.Future[str | None], value: str | None) -> None:
    if not done.done():
        done.set_result(value)


def real_target_refusal(what: str, login: str) -> str:
    """Why ``/as`` or ``--as`` is refused against a real DWS target (one line)."""
    return (
        f"{what} works only on the built-in simulator: against a real DWS target you are your "
        f"login ({login}), so an approval needs a second person"
    )


def choose_user(given: str | None, simulated: bool) -> str:
    """The console's user id: ``--as`` on the simulator (alice by default), else the login.

    `IdentityError` (one line) for a refused name, ``--as`` against a real target, or a login
    that cannot be read."""
    if simulated:
        return console_user(given or DEFAULT_USER)
    try:
        login = console_user(getpass.getuser())
    except (OSError, KeyError) as exc:
        raise IdentityError(f"cannot tell who you are (no login name: {exc})") from None
    if given is not None:
        raise IdentityError(real_target_refusal("--as", login))
    return login


async def run_console(
    *,
    user: str | None,
    command: str | None,
    speed: float,
    stdin: IO[str] | None = None,
    out: Console | None = None,
    interactive: bool | None = None,
    settings: Settings | None = None,
    on_start: Callable[[Runtime], None] | None = None,
) -> int:
    """Run the console until /quit or end of input; the exit status.

    `user` is ``--as`` (None: alice on the simulator; refused against a real target, where the
    operating-system login is the user). `settings` defaults to the environment; `on_start`
    sees the runtime once it is built (tests read the simulator's request log through it).
    """
    stream = stdin or sys.stdin
    tty = stream.isatty() if interactive is None else interactive
    console = out or Console(highlight=False)
    session = ConsoleSession(runtime=None, out=console, rich=tty and console.is_terminal)
    reader = LineReader(stream, tty)
    session.read_secret = _secret_reader(reader, console)
    session.scripted = not tty
    try:
        settings = settings or load_settings()
        async with open_runtime(
            settings,
            notify=session.notify,
            speed=speed,
            track_interval=TRACK_INTERVAL_S,
            require_database=False,
        ) as runtime:
            session.user = choose_user(user, runtime.simulated)
            session.runtime = runtime
            if on_start is not None:
                on_start(runtime)
            _banner(session, runtime, quiet=command is not None, speed=speed)
            await runtime.dispatcher.resume_trackers()
            with contextlib.suppress(Exception):  # the loop below tries again
                await runtime.dispatcher.sweep()
            expiry = asyncio.create_task(_expire_loop(runtime))
            try:
                if command is not None:
                    await session.handle(command)
                    await session.wait_trackers()
                else:
                    await _loop(session, reader)
            finally:
                expiry.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await expiry
    except (SettingsError, WiringError, PolicyError, StoreError, IdentityError) as exc:
        console.print(f"✖ {exc}", markup=False, highlight=False, style="red", soft_wrap=True)
        return 2
    return 0


async def _expire_loop(runtime: Runtime) -> None:
    """Expire pending approvals past their time to live and sweep executions a stopped
    process left behind (the dispatcher notifies)."""
    while True:
        await asyncio.sleep(EXPIRY_INTERVAL_S)
        with contextlib.suppress(Exception):
            await runtime.dispatcher.expire_due()
        with contextlib.suppress(Exception):
            await runtime.dispatcher.sweep()


async def _loop(session: ConsoleSession, reader: LineReader) -> None:
    while True:
        line = await reader.read(f"{session.user}> ")
        if not reader.tty and line is not None and line.strip() and not line.startswith("#"):
            shown = line.strip() if line_problem(line) is None else "(refused line)"
            session.out.print(f"{session.user}> {shown}", markup=False, highlight=False)
        if line is None:
            await session.wait_trackers()
            return
        if not await session.handle(line):
            return


def _secret_reader(reader: LineReader, out: Console) -> ReadLine:
    async def read(prompt: str) -> str | None:
        if not reader.tty:
            # A script gives the secret on the next line; the transcript shows the prompt only.
            out.print(f"{prompt.rstrip()} ********", markup=False, highlight=False)
        return await reader.read(prompt, secret=True)

    return read


def _banner(session: ConsoleSession, runtime: Runtime, *, quiet: bool, speed: float) -> None:
    out = session.out
    if runtime.simulated:
        out.print(
            f"DWS: the built-in simulator (in-process, clock ×{speed:g}); "
            "set DWSBOT_DWS_ENDPOINT or DWSBOT_TARGETS for a real service.",
            style="yellow",
            highlight=False,
        )
    else:
        out.print(f"DWS: targets {', '.join(runtime.targets)} (default {runtime.default_target})")
    out.print(f"database: {runtime.db.display_url}", highlight=False)
    if runtime.audit is not None:
        out.print(f"audit: {runtime.audit.source}", markup=False, highlight=False)
        if runtime.audit.warning:
            out.print(f"⚠ {runtime.audit.warning}", markup=False, highlight=False, style="yellow")
    if runtime.db_problem is not None:
        out.print(
            f"⚠ {runtime.db_problem}; read commands work, changing commands are refused "
            "until the database is back and the console is started again",
            markup=False,
            highlight=False,
            style="yellow",
        )
    out.print(f"policy: {runtime.policy_source}", highlight=False)
    if runtime.policy_source.startswith("demo") and not quiet:
        out.print(demo_policy_text().rstrip(), markup=False, highlight=False, style="dim")
    if not runtime.simulated:
        hint = "" if quiet else "; type /help"
        out.print(
            f"you are {session.user} (your login; /as works only on the simulator){hint}",
            markup=False,
            highlight=False,
        )
    elif not quiet:
        out.print(f"you are {session.user}; type /help", highlight=False)
    out.print()


def console_command(
    as_user: str | None = typer.Option(
        None,
        "--as",
        help="Who you are on the simulator (default alice); against a real target, your login.",
    ),
    command: str | None = typer.Option(None, "-c", "--command", help="Run one line and exit."),
    speed: float = typer.Option(
        DEFAULT_SPEED, "--speed", min=0.0, help="Simulator clock speed (simulator only)."
    ),
) -> None:
    """An interactive terminal chat with dwsbot (the simulator when no DWS target is set)."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Bytes that are not UTF-8 arrive as surrogate escapes, refused line by line.
        sys.stdin.reconfigure(errors="surrogateescape")
    try:
        code = asyncio.run(run_console(user=as_user, command=command, speed=speed))
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)
