"""Load on the single-machine hub: N trainees arrive at once, each opens a course notebook and runs it.

Starts the hub with the hosting guide's command on 127.0.0.1 (as the e2e tests do: root, real Unix
accounts, NativeAuthenticator: each trainee signs up, is approved and logs in to make their own token,
configurable-http-proxy on PATH), then for N simulated trainees at the same moment:

1. starts their server through the hub's REST API with their own token (spawn time: request until
   the server is ready; CPU per spawn: the CPU seconds of their processes at that moment);
2. opens a notebook through the server's contents API, starts a kernel and executes every cell
   over the kernel's websocket (execution time: kernel start until the last cell's reply);

and prints percentiles of both, the failures, and each trainee's memory (proportional set size of
their server and kernel, so shared library pages are split between users rather than counted N
times) and CPU seconds. These are the inputs of the capacity plan in course/deploy/README.md.

    sudo .venv/bin/python benchmarks/bench_hub.py            # N = 20
    sudo .venv/bin/python benchmarks/bench_hub.py --users 5

Every process started is stopped and every account removed when it ends, even on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from hubtools import running_hub  # noqa: E402

# What a trainee runs in the first notebooks: load data, a run chart with qikit, draw it to PNG.
CELLS = [
    "import io\nimport matplotlib\nmatplotlib.use('agg')\nimport pandas as pd\nimport qikit",
    "df = pd.DataFrame({'week': pd.date_range('2024-01-07', periods=52, freq='W'),\n"
    "                   'falls': [5, 7, 4, 6, 8, 5, 6, 4, 7, 5, 3, 2, 3] * 4})\n"
    "res = qikit.spc(df, x='week', y='falls', chart='run')\nprint(res.explain())",
    "ax = res.plot()\nfig = ax if hasattr(ax, 'savefig') else ax.figure\nbuf = io.BytesIO()\n"
    "fig.savefig(buf, format='png')\nprint(len(buf.getvalue()) > 1000)",
    "ires = qikit.spc(df, x='week', y='falls', chart='i')\nprint(ires.summary())",
]
TIMEOUT = 300  # seconds for any one trainee's spawn, and again for their notebook


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (the smallest value with at least q% of the values at or below it)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n q / 100), at least 1
    return ordered[int(rank) - 1]


def spawn(hub, name: str, token: str) -> float:
    t0 = time.monotonic()
    status = hub.status("POST", f"/hub/api/users/{name}/server", token, {})
    if status not in (201, 202):
        raise RuntimeError(f"spawn request answered HTTP {status}")
    while time.monotonic() - t0 < TIMEOUT:
        server = hub.json("GET", f"/hub/api/users/{name}", token).get("servers", {}).get("")
        if server and server.get("ready"):
            return time.monotonic() - t0
        if not server:
            raise RuntimeError("the server stopped while starting")
        time.sleep(0.25)
    raise TimeoutError(f"not ready after {TIMEOUT} s")


def run_notebook(hub, name: str, token: str) -> float:
    import websocket  # websocket-client, a dependency of jupyter_server

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None,
                     "id": f"c{i}"} for i, c in enumerate(CELLS)]}
    hub.json("PUT", f"/user/{name}/api/contents/load-test.ipynb", token,
             {"type": "notebook", "format": "json", "content": nb})
    opened = hub.json("GET", f"/user/{name}/api/contents/load-test.ipynb", token)["content"]
    t0 = time.monotonic()
    kernel = hub.json("POST", f"/user/{name}/api/kernels", token, {"name": "python3"})
    ws = websocket.create_connection(
        hub.url.replace("http", "ws", 1) + f"/user/{name}/api/kernels/{kernel['id']}/channels",
        header=[f"Authorization: token {token}"], timeout=TIMEOUT)
    try:
        session = uuid.uuid4().hex
        for cell in opened["cells"]:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": name, "session": session, "msg_type": "execute_request",
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": cell["source"], "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            while True:  # until this cell's reply (the websocket carries every channel)
                if time.monotonic() - t0 > TIMEOUT:
                    raise TimeoutError(f"notebook not finished after {TIMEOUT} s")
                reply = json.loads(ws.recv())
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if reply["msg_type"] == "error":
                    raise RuntimeError(f"cell failed: {reply['content']['ename']}: {reply['content']['evalue']}")
                if reply["msg_type"] == "execute_reply":
                    if reply["content"]["status"] != "ok":
                        raise RuntimeError(f"cell failed: {reply['content'].get('evalue')}")
                    break
        return time.monotonic() - t0
    finally:
        ws.close()


def usage_of(uid: int | None = None, pids: list[int] | None = None) -> tuple[float, float]:
    """(PSS in MiB, CPU seconds) of every process of one account, or of the given processes."""
    import os

    pss_kib, ticks = 0, 0
    procs = [Path(f"/proc/{p}") for p in pids] if pids is not None else list(Path("/proc").iterdir())
    for proc in procs:
        if not proc.name.isdigit():
            continue
        try:
            if uid is not None and proc.stat().st_uid != uid:
                continue
            for line in (proc / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss_kib += int(line.split()[1])
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])  # utime stime cutime cstime
        except (OSError, ValueError, IndexError):
            continue
    return pss_kib / 1024, ticks / os.sysconf("SC_CLK_TCK")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="simulated trainees (default 20)")
    args = parser.parse_args(argv)
    import pwd

    suffixes = [f"t{i:03d}" for i in range(args.users)]
    spawn_s, spawn_cpu, exec_s, failures, usage = {}, {}, {}, {}, {}
    lock = threading.Lock()
    wall = time.monotonic()
    with running_hub(suffixes) as hub:
        tokens = {name: hub.token(name) for name in hub.students}

        def trainee(name: str) -> None:
            try:
                s = spawn(hub, name, tokens[name])
                cpu = usage_of(pwd.getpwnam(name).pw_uid)[1]
                with lock:
                    spawn_s[name], spawn_cpu[name] = s, cpu
                e = run_notebook(hub, name, tokens[name])
                with lock:
                    exec_s[name] = e
            except Exception as exc:  # a failure is a result here, not a crash of the benchmark
                with lock:
                    failures[name] = f"{type(exc).__name__}: {exc}"

        with ThreadPoolExecutor(max_workers=len(hub.students)) as pool:
            list(pool.map(trainee, hub.students))
        for name in hub.students:
            usage[name] = usage_of(pwd.getpwnam(name).pw_uid)
        proxy_pid = int((hub.base / "state" / "hub" / "jupyterhub-proxy.pid").read_text())
        hub_mem, _ = usage_of(pids=[hub.proc.pid, proxy_pid])
    wall = time.monotonic() - wall

    def row(label: str, values: list[float], unit: str) -> str:
        if not values:
            return f"{label:<38} {'-':>8}"
        return (f"{label:<38} {percentile(values, 50):>8.1f} {percentile(values, 90):>8.1f} "
                f"{percentile(values, 100):>8.1f}  {unit}")

    print(f"\nqikit hub load: {args.users} trainees at once on {len(__import__('os').sched_getaffinity(0))} cores "
          f"({wall:.0f} s in all, hub start and clean-up included)\n")
    print(f"{'':<38} {'p50':>8} {'p90':>8} {'max':>8}")
    print(row("spawn (request -> server ready)", list(spawn_s.values()), "s"))
    print(row("CPU per spawn (server ready)", list(spawn_cpu.values()), "CPU s"))
    print(row("notebook (kernel start -> last cell)", list(exec_s.values()), "s"))
    print(row("memory per trainee (PSS)", [m for m, _ in usage.values()], "MiB"))
    print(row("CPU per trainee", [c for _, c in usage.values()], "CPU s"))
    print(f"\nfailures: {len(failures)} of {args.users}")
    for name, why in sorted(failures.items()):
        print(f"  {name}: {why}")
    print(f"hub and proxy at the end: {hub_mem:.0f} MiB PSS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
