"""Client overhead: list-clusters calls against a trivial local endpoint (prints figures).

A uvicorn server in a separate process answers GET /v1.0/{project_id}/clusters with a fixed
two-cluster body. Measured:
- our client (AK/SK signing + model parsing) with 32 concurrent calls, over the default
  httpx-aiohttp transport and over httpx's own transport (to justify the choice);
- the official SDK (huaweicloudsdkdws) sequentially and from a 32-thread pool.
Reports calls/s, the ratio to the SDK's thread pool, and our CPU time per call (this process's
CPU time divided by calls; the server runs elsewhere).

    .venv/bin/python bench/client_overhead.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dws.client import DwsClient, default_transport  # noqa: E402
from dws.config import DwsTarget  # noqa: E402
from dws.models import ListClustersResponse  # noqa: E402

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
AK, SK = "BENCHACCESSKEY", "bench-secret"

SERVER = r"""
import json, sys
BODY = json.dumps(json.loads(sys.argv[2])).encode()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
import uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def cluster(i: int) -> dict[str, object]:
    return {
        "id": f"7d85f602-a948-4a30-afd4-e84f47471c1{i}",
        "name": f"dws-demo-{i}",
        "status": "AVAILABLE",
        "version": "8.1.3.333",
        "updated": "2024-05-20T10:12:33",
        "created": "2024-05-01T08:00:00",
        "port": 8000,
        "endpoints": [{"connect_info": f"dws-demo-{i}.dws.local:8000", "jdbc_url": "jdbc:x"}],
        "nodes": [{"id": f"node-{n}", "status": "200"} for n in range(3)],
        "tags": [],
        "user_name": "dbadmin",
        "number_of_node": 3,
        "recent_event": 0,
        "availability_zone": "sim-1a",
        "enterprise_project_id": "0",
        "node_type": "dws.m3.xlarge",
        "vpc_id": "vpc-1",
        "subnet_id": "subnet-1",
        "public_ip": {"public_bind_type": "auto_assign", "eip_id": ""},
        "public_endpoints": [],
        "action_progress": {},
        "sub_status": "NORMAL",
        "task_status": None,
        "security_group_id": "sg-1",
        "failed_reasons": None,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(body: dict[str, object]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), json.dumps(body)])
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the benchmark server did not start")


async def ours(
    endpoint: str, calls: int, concurrency: int, transport_name: str
) -> tuple[float, float]:
    target = DwsTarget(name="bench", endpoint=endpoint, project_id=PROJECT, ak=AK, sk=SK)
    transport = (
        default_transport()
        if transport_name == "aiohttp"
        else httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=100)
        )
    )
    async with DwsClient(target, transport=transport) as client:
        queue = iter(range(calls))

        async def worker() -> None:
            for _ in queue:
                await client.call_model("list_clusters", ListClustersResponse)

        await asyncio.gather(*(worker() for _ in range(10)))  # warm-up pool and caches
        queue = iter(range(calls))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return calls / wall, cpu / calls


def sdk_client(endpoint: str):  # type: ignore[no-untyped-def]
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkdws.v2 import DwsClient as SdkClient

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    return (
        SdkClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoint(endpoint)
        .with_http_config(config)
        .build()
    )


def sdk(endpoint: str, calls: int, threads: int) -> tuple[float, float]:
    import logging

    from huaweicloudsdkdws.v2 import ListClustersRequest

    logging.getLogger("HuaweiCloud-SDK").setLevel(logging.ERROR)
    client = sdk_client(endpoint)
    for _ in range(10):
        client.list_clusters(ListClustersRequest())
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if threads == 1:
        for _ in range(calls):
            client.list_clusters(ListClustersRequest())
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda _: client.list_clusters(ListClustersRequest()), range(calls)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return calls / wall, cpu / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    body = {"clusters": [cluster(i) for i in range(2)], "count": 2}
    proc, endpoint = start_server(body)
    try:
        results = {
            "dwsbot client, httpx-aiohttp (32 concurrent)": asyncio.run(
                ours(endpoint, args.calls, args.concurrency, "aiohttp")
            ),
            "dwsbot client, httpx native pool (32 concurrent)": asyncio.run(
                ours(endpoint, args.calls, args.concurrency, "httpx")
            ),
            "huaweicloudsdkdws, sequential": sdk(endpoint, args.calls, 1),
            "huaweicloudsdkdws, 32-thread pool": sdk(endpoint, args.calls, args.concurrency),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"client overhead: {args.calls} list-clusters calls, server on 127.0.0.1")
    for name, (rate, cpu) in results.items():
        print(f"  {name:<50} {rate:8.0f} calls/s   {cpu * 1000:6.3f} ms CPU/call")
    ours_rate, ours_cpu = results["dwsbot client, httpx-aiohttp (32 concurrent)"]
    pool_rate = results["huaweicloudsdkdws, 32-thread pool"][0]
    print(f"  ratio ours / SDK thread pool: {ours_rate / pool_rate:.2f}x (target >= 3x)")
    print(
        "  our CPU per call incl. signing and model parsing: "
        f"{ours_cpu * 1000:.3f} ms (target < 0.7 ms)"
    )


if __name__ == "__main__":
    main()
