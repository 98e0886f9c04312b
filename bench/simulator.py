"""Simulator throughput and memory (prints figures; not a timed test).

Each scenario starts the real simulator app under uvicorn (one worker) on 127.0.0.1 in a
subprocess, then a load generator in another subprocess: aiohttp, 32 concurrent requests, every
request AK/SK-signed with dws.signing like a real client. Scenarios:

- cluster details, 1,000-cluster fleet          (target >= 1,500 requests/s)
- list clusters, 20-cluster fleet               (target >= 1,000 requests/s)
- events page of 100 out of 100,000 events      (target >= 1,000 requests/s)
- RSS of a process holding 10,000 clusters + 100,000 events and the app (target < 300 MB)

Bounded: a fixed duration per scenario, loopback only.

    .venv/bin/python bench/simulator.py [--seconds 5] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dws.signing import sdk_date, sign  # noqa: E402
from dws.simulator import defaults  # noqa: E402

PROJECT = defaults.PROJECT_ID


# ------------------------------------------------------------------------- server side


def build_app(clusters: int, events: int) -> Any:
    """The full simulator app over a generated fleet (the same app `dwsbot simulator` serves)."""
    from dws.simulator.clock import SimClock
    from dws.simulator.control import simulator_app
    from dws.simulator.state import Fleet

    state = Fleet.generate(clusters, events, seed=1, clock=SimClock(speed=0))
    return simulator_app(state)


def serve(port: int, clusters: int, events: int) -> None:
    import uvicorn

    app = build_app(clusters, events)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(clusters: int, events: int) -> None:
    before = rss_mb()
    started = time.perf_counter()
    app = build_app(clusters, events)
    built = time.perf_counter() - started
    print(
        json.dumps({"rss_mb": rss_mb(), "baseline_mb": before, "build_s": built, "app": bool(app)})
    )


# ------------------------------------------------------------------------- load side


def _signed_headers(method: str, url: str, host: str) -> dict[str, str]:
    headers = {
        "X-Sdk-Date": sdk_date(datetime.now(UTC)),
        "Host": host,
        "X-Project-Id": PROJECT,
        "Content-Type": "application/json",
    }
    headers["Authorization"] = sign(method, url, headers, b"", defaults.AK, defaults.SK)
    return headers


async def load(base: str, paths: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    import aiohttp

    host = base.split("://", 1)[1]
    counts = {"ok": 0, "errors": 0}
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)

    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(index: int) -> None:
            i = index
            while time.perf_counter() < deadline:
                url = base + paths[i % len(paths)]
                i += concurrency
                headers = _signed_headers("GET", url, host)
                async with session.get(url, headers=headers) as resp:
                    await resp.read()
                    counts["ok" if resp.status == 200 else "errors"] += 1

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - start
        used = time.process_time() - cpu
    total = counts["ok"] + counts["errors"]
    return {
        "cpu": used,
        "requests": total,
        "errors": counts["errors"],
        "seconds": elapsed,
        "rps": total / elapsed,
    }


def _get_json(base: str, path: str) -> Any:
    url = base + path
    headers = _signed_headers("GET", url, base.split("://", 1)[1])
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return json.loads(r.read())


# ------------------------------------------------------------------------- driver


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(base + "/_sim/clock", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the simulator did not start")


def _python(*args: str, stdout: Any = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=stdout)


def scenario(
    name: str, clusters: int, events: int, kind: str, args: argparse.Namespace, target: float
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _python("--serve", str(port), str(clusters), str(events))
    try:
        _wait_ready(base)
        if kind == "details":
            ids = [c["id"] for c in _get_json(base, f"/v1.0/{PROJECT}/clusters")["clusters"]]
            paths = [f"/v1.0/{PROJECT}/clusters/{cid}" for cid in ids]
        elif kind == "list":
            paths = [f"/v1.0/{PROJECT}/clusters"]
        else:
            pages = events // 100
            paths = [f"/v2/{PROJECT}/events?offset={p}&limit=100" for p in range(1, pages + 1, 7)]
        spec = json.dumps({"base": base, "paths": paths})
        server_cpu = _cpu_seconds(server.pid)
        loader = subprocess.run(
            [sys.executable, __file__, "--load", str(args.seconds), str(args.concurrency)],
            input=spec.encode(),
            capture_output=True,
            check=True,
        )
        result = json.loads(loader.stdout)
        spent = _cpu_seconds(server.pid) - server_cpu
        per_request = spent / max(result["requests"], 1)
        verdict = "ok" if result["rps"] >= target and not result["errors"] else "BELOW TARGET"
        print(
            f"{name:<40} {result['rps']:7.0f} req/s  (target >= {target:.0f}: {verdict}; "
            f"{result['requests']} requests, {result['errors']} errors)\n"
            f"{'':<40} server CPU {per_request * 1000:.3f} ms/request "
            f"(= {1 / per_request if per_request else 0:,.0f} req/s per free core); "
            f"server busy {spent / result['seconds']:.0%}, "
            f"load generator busy {result['cpu'] / result['seconds']:.0%}"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    print(
        f"uvicorn (one worker, {_server_stack()}); load: aiohttp in another process, "
        f"{args.concurrency} concurrent, {args.seconds:g}s each, every request AK/SK-signed"
    )
    load1, load5, _ = os.getloadavg()
    print(
        f"load average before: {load1:.2f} (1 min), {load5:.2f} (5 min) on {os.cpu_count()} cores"
    )
    scenario("cluster details (1,000-cluster fleet)", 1000, 0, "details", args, 1500)
    scenario("list clusters (20 clusters)", 20, 0, "list", args, 1000)
    scenario("events page of 100 (100,000 events)", 20, 100_000, "events", args, 1000)
    out = subprocess.run(
        [sys.executable, __file__, "--memory", "10000", "100000"],
        capture_output=True,
        check=True,
    )
    mem = json.loads(out.stdout)
    verdict = "ok" if mem["rss_mb"] < 300 else "ABOVE TARGET"
    print(
        f"{'RSS, 10,000 clusters + 100,000 events':<46} {mem['rss_mb']:8.0f} MB     "
        f"(interpreter and imports {mem['baseline_mb']:.0f} MB, built in {mem['build_s']:.1f}s, "
        f"target < 300: {verdict})"
    )


def _server_stack() -> str:
    import importlib.util

    parts = [
        "httptools" if importlib.util.find_spec("httptools") else "h11",
        "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
    ]
    return " + ".join(parts)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--load":
        job = json.loads(sys.stdin.read())
        outcome = asyncio.run(load(job["base"], job["paths"], float(sys.argv[2]), int(sys.argv[3])))
        print(json.dumps(outcome))
    elif len(sys.argv) > 1 and sys.argv[1] == "--memory":
        memory(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
