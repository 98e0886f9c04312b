"""Slack ack latency: `dwsbot serve --http` beside a bare bolt app (prints figures; not a test).

Three processes besides this one, all on 127.0.0.1: the fake Slack (tests/bot/slack/fake_slack.py:
auth.test, users.info and the response_urls, every call recorded with its time), `dwsbot serve
--http` (the `dwsbot` entry point, a fresh SQLite database, the embedded simulator) and a bare
bolt AsyncApp with default settings whose one `/dws` listener only calls `ack()`, served the same
way (Starlette's AsyncSlackRequestHandler under uvicorn, `asyncio.run`). This process is the load
generator: httpx, 500 signed `/dws clusters` (tests/bot/slack/payloads.py) per concurrency level
(1, 5 and 25), each level on the bare app then on dwsbot, after a warm-up of both.

Printed per level: p50 and p99 of the ack (the HTTP answer to POST /slack/events) of both, the
p99 ratio dwsbot / bare, and for dwsbot the time from the request to its reply arriving at its
response_url in the fake. Each dwsbot level waits for every reply before the next one starts.
Target: dwsbot's p99 no worse than the bare app's at every level, and its p50 better at
concurrency 1 (bolt's default runner polls for the ack every 10 ms).

    .venv/bin/python bench/slack_ack.py [--requests 500] [--concurrency 1 5 25]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.bot.slack import payloads  # noqa: E402
from tests.bot.slack.harness import (  # noqa: E402
    ALICE,
    AUDIT_KEY,
    CHANNEL,
    CHANNEL_NAME,
    POLICY,
    SIGNING_SECRET,
)

BOT_TOKEN = "xoxb-bench"
WARM_UP = 50
EVENTS = "/slack/events"


# ------------------------------------------------------------------------- the fake Slack


async def fake_slack(hooks: int) -> None:
    """Serve the fake Slack with ``hooks`` response_urls; print them, then answer stdin lines
    (``calls``: the response_url posts so far) until stdin closes."""
    import gc

    from tests.bot.slack.fake_slack import FakeSlack

    gc.disable()  # the fake is the stopwatch: its own GC pauses (~0.1 s) would be counted
    loop = asyncio.get_running_loop()
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        slack.set_channel(CHANNEL, CHANNEL_NAME)
        slack.add_user(ALICE.id, ALICE.name)
        urls = [slack.response_url(CHANNEL, user=ALICE.id) for _ in range(hooks)]
        print(json.dumps({"api_url": slack.api_url, "response_urls": urls}), flush=True)
        while await loop.run_in_executor(None, sys.stdin.readline):
            posts = [
                {"url": c.args["url"], "time": c.time, "status": c.status}
                for c in slack.calls_to("response_url")
            ]
            print(json.dumps(posts), flush=True)


@dataclass
class Fake:
    """The fake Slack's process and what it handed out."""

    proc: subprocess.Popen[str]
    api_url: str
    urls: list[str]

    def posts(self) -> dict[str, dict[str, Any]]:
        """response_url key -> its first post (time, status)."""
        stdin, stdout = self._pipes()
        stdin.write("calls\n")
        stdin.flush()
        found: dict[str, dict[str, Any]] = {}
        for post in json.loads(stdout.readline()):
            found.setdefault(post["url"], post)
        return found

    def close(self) -> None:
        """Stop the fake (it ends when its stdin closes)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        return self.proc.stdin, self.proc.stdout


def start_fake(hooks: int) -> Fake:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--fake-slack", str(hooks)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the fake Slack did not start")
    started = json.loads(line)
    return Fake(proc, started["api_url"], started["response_urls"])


# ------------------------------------------------------------------------- the bare bolt app


def bare(port: int, api_url: str) -> None:
    """A bolt AsyncApp with default settings, its `/dws` listener only acks; served as dwsbot
    serves (bot/slack/server.py): Starlette, AsyncSlackRequestHandler, uvicorn, asyncio.run."""
    import uvicorn
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    from bot.listen import listen

    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url), signing_secret=SIGNING_SECRET
    )

    @app.command("/dws")
    async def on_dws(ack: Any) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        response: Response = await handler.handle(request)
        return response

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [Route(EVENTS, events, methods=["POST"]), Route("/healthz", healthz)]
    sock = listen("127.0.0.1", port)
    sock.listen(2048)
    sock.setblocking(False)
    config = uvicorn.Config(
        Starlette(routes=routes), lifespan="off", log_config=None, access_log=False
    )
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


# ------------------------------------------------------------------------- dwsbot


def start_dwsbot(port: int, api_url: str, tmp: Path) -> subprocess.Popen[bytes]:
    """`dwsbot serve --http` from the venv's entry point, in a clean environment."""
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DWSBOT_", "SLACK_"))}
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DWSBOT_SLACK_API_URL": api_url,
        "DWSBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bot.db'}",
        "DWSBOT_POLICY_FILE": str(policy),
        "DWSBOT_AUDIT_KEY": AUDIT_KEY,
        "DWSBOT_DATA_DIR": str(tmp),
    }
    entry = shutil.which("dwsbot", path=str(Path(sys.executable).parent)) or "dwsbot"
    command = [entry, "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(
        command, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=(tmp / "dwsbot.log").open("w")
    )


# ------------------------------------------------------------------------- load


@dataclass
class Server:
    """A server process and its events URL."""

    proc: subprocess.Popen[Any]
    url: str


@dataclass
class Level:
    """One run of requests: ack latencies (s) and when each request was sent (epoch s)."""

    acks: list[float] = field(default_factory=list)
    sent: dict[str, float] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    replies: list[float] = field(default_factory=list)
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.acks) / self.seconds

    @property
    def cpu_per_request(self) -> float:
        return self.cpu / len(self.acks) * 1000


def signed(response_url: str) -> payloads.SignedRequest:
    fields = payloads.slash_command(
        text="clusters",
        user_id=ALICE.id,
        user_name=ALICE.name,
        channel_id=CHANNEL,
        channel_name=CHANNEL_NAME,
        response_url=response_url,
        trigger_id=f"{time.time():.6f}.bench",
    )
    return payloads.signed_command(fields, secret=SIGNING_SECRET)


async def load(url: str, hooks: list[str], concurrency: int) -> Level:
    """POST one signed `/dws clusters` per response_url in ``hooks``, ``concurrency`` at once."""
    requests = [(hook, signed(hook)) for hook in hooks]  # signed before the clock starts
    level = Level()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        queue = iter(requests)

        async def worker() -> None:
            for hook, (body, headers) in queue:
                level.sent[hook] = time.time()
                start = time.perf_counter()
                response = await http.post(url, content=body, headers=headers)
                level.acks.append(time.perf_counter() - start)
                level.errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        level.seconds = time.perf_counter() - started
    return level


def wait_for_replies(fake: Fake, hooks: list[str], timeout: float = 120.0) -> dict[str, Any]:
    """The fake's first post to each of ``hooks`` (waiting up to ``timeout`` s for them all)."""
    keys = {key(hook) for hook in hooks}
    end = time.monotonic() + timeout
    while True:
        posts = fake.posts()
        if keys <= posts.keys() or time.monotonic() > end:
            return {key: posts[key] for key in keys if key in posts}
        time.sleep(0.05)


def wait_ready(server: Server, log: Path, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.proc.poll() is not None:
            tail = "".join(log.read_text().splitlines(keepends=True)[-20:])
            raise SystemExit(f"{server.url}: the server exited ({server.proc.returncode})\n{tail}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{server.url}: the server did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# ------------------------------------------------------------------------- driver


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def key(hook: str) -> str:
    """The fake's name of a response_url (its path)."""
    return hook.split("/", 3)[3]


@dataclass
class Row:
    concurrency: int
    bare: Level
    ours: Level


def measure(args: argparse.Namespace, fake: Fake, bare: Server, bot: Server) -> list[Row]:
    hooks = iter(fake.urls)

    def run(server: Server, concurrency: int, n: int) -> Level:
        batch = [next(hooks) for _ in range(n)]
        cpu = cpu_seconds(server.proc.pid)
        level = asyncio.run(load(server.url + EVENTS, batch, concurrency))
        if server is bot:
            posts = wait_for_replies(fake, batch)
            level.replies = [
                posts[key(h)]["time"] - level.sent[h]
                for h in batch
                if posts.get(key(h), {}).get("status") == 200
            ]
        level.cpu = cpu_seconds(server.proc.pid) - cpu
        return level

    run(bare, 5, WARM_UP)
    run(bot, 5, WARM_UP)
    return [
        Row(c, run(bare, c, args.requests), run(bot, c, args.requests)) for c in args.concurrency
    ]


def report(rows: list[Row], args: argparse.Namespace, load: tuple[float, float]) -> None:
    print(
        f"Slack ack latency: {args.requests} signed `/dws clusters` per level; the fake Slack, "
        f"dwsbot (embedded simulator) and the bare app each in its own process, httpx load "
        f"generator here, 127.0.0.1, {os.cpu_count()} cores, load average before "
        f"{load[0]:.2f} (1 min) {load[1]:.2f} (5 min)"
    )
    print("  bare: a bolt AsyncApp with default settings whose listener only calls `await ack()`")
    print(
        f"  {'conc':>4} | {'bare p50':>8} {'p99':>6} | {'dwsbot p50':>10} {'p99':>6} | "
        f"{'p99 ratio':>9} | {'reply p50':>9} {'p99':>6} | {'req/s bare':>10} {'dwsbot':>6} | "
        f"{'CPU/req bare':>12} {'dwsbot':>6}"
    )
    held = True
    for r in rows:
        b50, b99 = ms(r.bare.acks, 0.5), ms(r.bare.acks, 0.99)
        o50, o99 = ms(r.ours.acks, 0.5), ms(r.ours.acks, 0.99)
        replies = r.ours.replies
        reply = f"{ms(replies, 0.5):9.1f} {ms(replies, 0.99):6.1f}" if replies else f"{'-':>16}"
        missing = len(r.ours.sent) - len(replies)
        print(
            f"  {r.concurrency:>4} | {b50:8.1f} {b99:6.1f} | {o50:10.1f} {o99:6.1f} | "
            f"{o99 / b99:8.2f}x | {reply} | {r.bare.rate:10.0f} {r.ours.rate:6.0f} | "
            f"{r.bare.cpu_per_request:9.2f} ms {r.ours.cpu_per_request:6.2f} ms"
        )
        problems = [
            f"{n} {what}"
            for n, what in [
                (r.bare.errors, "bare acks not 200"),
                (r.ours.errors, "dwsbot acks not 200"),
                (missing, "dwsbot replies missing or refused"),
            ]
            if n
        ]
        if problems:
            print(f"       ({', '.join(problems)})")
        held &= o99 <= b99 and not problems and (r.concurrency != 1 or o50 < b50)
    print(
        "  (ms; ack = the answer to POST /slack/events; reply = request -> its response_url post "
        "at the fake; CPU/req = the server process's CPU time over the level, replies included)"
    )
    verdict = "held" if held else "NOT held"
    print(
        f"  target (dwsbot p99 <= bare p99 at every level, p50 better at concurrency 1): {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 5, 25])
    args = parser.parse_args()
    load1, load5, _ = os.getloadavg()
    fake = start_fake(2 * WARM_UP + 2 * args.requests * len(args.concurrency))
    procs: list[subprocess.Popen[Any]] = [fake.proc]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            bare_port, bot_port = free_port(), free_port()
            bare_log = Path(tmp) / "bare.log"
            procs.append(_python("--bare", str(bare_port), fake.api_url, stderr=bare_log))
            procs.append(start_dwsbot(bot_port, fake.api_url, Path(tmp)))
            servers = [
                Server(proc, f"http://127.0.0.1:{port}")
                for proc, port in zip(procs[1:], (bare_port, bot_port), strict=True)
            ]
            for server, log in zip(servers, (bare_log, Path(tmp) / "dwsbot.log"), strict=True):
                wait_ready(server, log)
            rows = measure(args, fake, *servers)
        finally:
            fake.close()
            for proc in procs[1:]:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=30)
    report(rows, args, (load1, load5))


def _python(*args: str, stderr: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], stderr=stderr.open("w"))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--fake-slack":
        asyncio.run(fake_slack(int(sys.argv[2])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--bare":
        bare(int(sys.argv[2]), sys.argv[3])
    else:
        main()
