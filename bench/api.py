"""The staff app's API under a roll-call morning (issue 15, Measure).

5,000 staff log in (argon2id at the spec's cost: 19 MiB, t=2, p=1, in the 4-worker pool),
open their profile, fetch today's posts and report the links of a repost, 64 connections at
once, over loopback HTTP against the embedded PostgreSQL. The web server runs the real app
(`cicero.web.app.build_app`, the Web actor's code, its 4-connection pool) in a process of its
own; the client load runs in another process; this one samples the server's PSS during the
burst. In the same run, the ceiling: a bare aiohttp handler in its own process answering a
body of the same size as the posts list (GET) and reading and answering a report-sized body
(POST), under the same load.

Goals: posts GET >= 30 % of the ceiling, report POST >= 15 %, p99 <= 100 ms for every call but
login, logins >= 20 a second per core, the Web process's PSS <= 150 MB during the burst.

Run: .venv/bin/python bench/api.py [--staff 5000] [--connections 64] [--profile app.prof]
     [--py-spy DIR]
--py-spy records the app process with py-spy (on PATH) phase by phase, one raw (collapsed)
file per call in DIR: where a posts GET or a report POST spends its time, login apart.
The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from cicero.db.connect import connect
from cicero.db.migrate import migrate
from cicero.domain.timezone import WIB

PASSWORD = "kopi tubruk pagi"
POSTS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- the world ------------------------------------------------------------------------------


async def seed(url: str, staff: int) -> None:
    from cicero.web.passwords import hasher

    conn = await connect(url)
    try:
        await migrate(conn)
        await conn.execute(
            """INSERT INTO client (client_id, name, type, instagram, amplify_enabled)
               VALUES ('POLRES_A', 'POLRES A', 'ORG', 'polres_a', true)"""
        )
        # One hash for everyone: the same password costs the same to verify whatever its salt.
        hashed = hasher().hash(PASSWORD)
        nrps = [f"{75000000 + i}" for i in range(staff)]
        await conn.execute(
            """INSERT INTO staff (nrp, name, rank, unit, position, client_id)
               SELECT n, 'ANGGOTA ' || n, 'BRIPDA', 'SAT BINMAS', 'BA', 'POLRES_A'
                 FROM unnest($1::text[]) AS n""",
            nrps,
        )
        await conn.execute(
            "INSERT INTO staff_role (nrp, role_name) SELECT n, 'operator' FROM unnest($1::text[]) n",
            nrps,
        )
        await conn.execute(
            "INSERT INTO staff_password (nrp, hash, set_at) SELECT n, $2, now() FROM unnest($1::text[]) n",
            nrps, hashed,
        )  # fmt: skip
        now = datetime.now(WIB)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        media = json.dumps({"thumbnail": "https://scontent.cdninstagram.com/t.jpg", "video": None,
                            "images": ["https://scontent.cdninstagram.com/a.jpg"]})  # fmt: skip
        for i in range(POSTS):
            at = max(midnight + timedelta(seconds=1 + i), now - timedelta(hours=1, minutes=i))
            await conn.execute(
                """INSERT INTO post (platform, external_id, client_id, caption, posted_at,
                                     like_count, comment_count, media, first_seen_at, last_seen_at)
                   VALUES ('instagram', $1, 'POLRES_A', $2, $3, 812, 41, $4, $3, $3)""",
                f"DBench{i:04d}", "Kegiatan patroli dialogis bersama warga " * 3, at, media,
            )  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


# ---- servers (each in a process of its own) ---------------------------------------------------


def serve_app(url: str, port: int, ready: Any, profile: str | None = None, lag: Any = None) -> None:
    from aiohttp import web

    if profile:  # a cProfile of the app process, written when the bench stops it
        import atexit
        import cProfile
        import signal

        profiler = cProfile.Profile()
        profiler.enable()

        def dump(*_: Any) -> None:
            profiler.disable()
            profiler.dump_stats(profile)
            os._exit(0)

        signal.signal(signal.SIGTERM, dump)
        atexit.register(dump)

    import gc

    from cicero.collector import GC_THRESHOLDS
    from cicero.config import load_settings
    from cicero.web.app import build_app

    # The collector as the launcher sets it before forking the actors (cicero.actors.system).
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    settings = load_settings({}, overrides={"web": {"trusted_networks": []}})
    app = build_app(
        lambda: ({"escalated": "", "actors": {}, "reports": {}}, 0.1), url, [], settings
    )
    _run(web, app, port, ready, lag)


def serve_ceiling(port: int, ready: Any) -> None:
    """`?size=N`: a JSON body of exactly N bytes (the client asks for the app's sizes)."""
    from aiohttp import web

    bodies: dict[int, bytes] = {}

    def body(request: web.Request) -> bytes:
        size = int(request.query.get("size", "100"))
        if size not in bodies:
            bodies[size] = b'{"success":true,"data":"' + b"x" * max(0, size - 26) + b'"}'
        return bodies[size]

    async def bare_get(request: web.Request) -> web.Response:
        return web.Response(body=body(request), content_type="application/json")

    async def bare_post(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body(request), content_type="application/json", status=201)

    app = web.Application()
    app.router.add_get("/get", bare_get)
    app.router.add_post("/post", bare_post)
    _run(web, app, port, ready)


async def probe_lag(lag: Any, step: float = 0.01) -> None:
    """The event loop's lateness: the longest a 10 ms sleep overran (what any callback
    waited, an argon2 hash in the loop's thread or a long handler would show here)."""
    while True:
        t = time.perf_counter()
        await asyncio.sleep(step)
        late = time.perf_counter() - t - step
        if late > lag.value:
            lag.value = late


def _run(web: Any, app: Any, port: int, ready: Any, lag: Any = None) -> None:
    async def main() -> None:
        probe = asyncio.create_task(probe_lag(lag)) if lag is not None else None
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()
        del probe

    asyncio.run(main())


# ---- the client load ---------------------------------------------------------------------------


async def phase(
    session: Any, connections: int, requests: list[tuple[str, str, Any, dict[str, str]]]
) -> tuple[float, list[float], list[int], list[Any]]:
    gate = asyncio.Semaphore(connections)
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    bodies: list[Any] = [None] * len(requests)

    async def one(i: int) -> None:
        method, url, body, headers = requests[i]
        async with gate:
            t = time.perf_counter()
            async with session.request(method, url, data=body, headers=headers) as resp:
                raw = await resp.read()
            latencies[i] = time.perf_counter() - t
            statuses[i] = resp.status
            bodies[i] = raw

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(len(requests))))
    return time.perf_counter() - start, latencies, statuses, bodies


def client(
    app_port: int, ceiling_port: int, staff: int, connections: int, out: Any, phases: Any
) -> None:
    import aiohttp

    async def main() -> dict[str, Any]:
        base, ceiling = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{ceiling_port}"
        nrps = [f"{75000000 + i}" for i in range(staff)]
        json_h = {"Content-Type": "application/json"}
        results: dict[str, Any] = {}
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def run(name: str, reqs: list[Any], expect: int) -> list[Any]:
                phases.put(name)
                wall, lat, st, bodies = await phase(session, connections, reqs)
                bad = sum(1 for s in st if s != expect)
                results[name] = {"n": len(reqs), "wall": wall, "lat": lat, "bad": bad,
                                 "size": statistics.median(len(b) for b in bodies)}  # fmt: skip
                return bodies

            logins = await run("login", [
                ("POST", f"{base}/api/auth/user-login",
                 json.dumps({"nrp": n, "password": PASSWORD, "whatsapp": PASSWORD}), json_h)
                for n in nrps], 200)  # fmt: skip
            tokens = [json.loads(b)["token"] for b in logins]
            auth = [{"Authorization": f"Bearer {t}"} for t in tokens]
            await run("profile", [("GET", f"{base}/api/users/{n}", None, a)
                                  for n, a in zip(nrps, auth, strict=True)], 200)  # fmt: skip
            await run("posts", [("GET", f"{base}/api/insta/posts", None, a) for a in auth], 200)
            reports = [
                ("POST", f"{base}/api/link-reports",
                 json.dumps({"shortcode": f"DBench{i % POSTS:04d}", "user_id": n,
                             "instagram_link": f"https://www.instagram.com/p/Bench{n}/",
                             "twitter_link": f"https://x.com/u{n}/status/{i}"}),
                 {**a, **json_h})
                for i, (n, a) in enumerate(zip(nrps, auth, strict=True))
            ]  # fmt: skip
            report_bodies = await run("report", reports, 201)
            posts_size = int(results["posts"]["size"])
            report_size = int(statistics.median(len(b) for b in report_bodies))
            # The ceiling answers bodies of the app's sizes (its default of 100 B flattered it).
            get_url = f"{ceiling}/get?size={posts_size}"
            await run("ceiling GET", [("GET", get_url, None, {})] * staff, 200)
            post_url = f"{ceiling}/post?size={report_size}"
            await run("ceiling POST", [("POST", post_url, r[2], json_h) for r in reports], 201)
            results["sizes"] = {"posts": posts_size, "report": report_size}
        phases.put(None)
        return results

    out.put(asyncio.run(main()))


# ---- the run ---------------------------------------------------------------------------------


def cpu_s(pid: int, tree: bool = False) -> float:
    """CPU seconds (user + system) of a process, and of its children alive now with `tree`."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)] if tree else [root]
    except psutil.Error:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def watch_phases(
    phases: Any, sides: dict[str, tuple[int, bool]], directory: str | None,
    cpu: dict[str, dict[str, float]], lag: Any, lags: dict[str, float],
) -> None:  # fmt: skip
    """Per phase the client announces: the CPU seconds each side spent in it (into `cpu`),
    and with `directory` a py-spy recording of the app process."""
    import signal
    import subprocess

    current: subprocess.Popen[bytes] | None = None
    name: str | None = None
    started: dict[str, float] = {}
    while True:
        following = phases.get()
        now = {side: cpu_s(pid, tree) for side, (pid, tree) in sides.items()}
        if name is not None:
            cpu[name] = {side: now[side] - started[side] for side in sides}
            lags[name] = lag.value
        name, started = following, now
        lag.value = 0.0
        if current is not None:
            current.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            current.wait(30)
            current = None
        if name is None:
            return
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            out = Path(directory) / f"{name.replace(' ', '-')}.txt"
            current = subprocess.Popen(
                ["py-spy", "record", "--pid", str(sides["app"][0]), "--format", "raw",
                 "--rate", "250", "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip


def pss_mb(pid: int) -> float:
    try:
        return psutil.Process(pid).memory_full_info().pss / 2**20
    except psutil.Error:
        return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--profile", help="write a cProfile of the app process to this file")
    parser.add_argument("--py-spy", dest="py_spy", help="record each phase with py-spy into DIR")
    args = parser.parse_args()
    if args.py_spy and shutil.which("py-spy") is None:
        parser.error("--py-spy needs py-spy on PATH (pip install py-spy, outside the project)")
    ctx = mp.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="cicero-bench-api-") as tmp:
        os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(tmp) / "run"))
        (Path(tmp) / "run").mkdir(exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        server.psql('CREATE DATABASE "bench";')
        url = server.get_uri("bench")
        t = time.perf_counter()
        asyncio.run(seed(url, args.staff))
        print(f"seeded {args.staff} staff and {POSTS} posts in {time.perf_counter() - t:.1f} s")
        app_port, ceiling_port = free_port(), free_port()
        app_ready, ceiling_ready = ctx.Event(), ctx.Event()
        lag = ctx.Value("d", 0.0, lock=False)  # the app's event loop lateness, per phase
        app_proc = ctx.Process(
            target=serve_app, args=(url, app_port, app_ready, args.profile, lag), daemon=True
        )
        ceiling_proc = ctx.Process(
            target=serve_ceiling, args=(ceiling_port, ceiling_ready),
            daemon=True,
        )  # fmt: skip
        app_proc.start()
        ceiling_proc.start()
        app_ready.wait(60)
        ceiling_ready.wait(60)
        out, phases = ctx.Queue(), ctx.Queue()
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append(pss_mb(app_proc.pid or 0))
                done.wait(0.25)

        idle_pss = pss_mb(app_proc.pid or 0)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        load = ctx.Process(
            target=client,
            args=(app_port, ceiling_port, args.staff, args.connections, out, phases),
        )
        load.start()
        postmaster = int((Path(tmp) / "pg" / "postmaster.pid").read_text().split()[0])
        sides = {
            "app": (app_proc.pid or 0, False),
            "PostgreSQL": (postmaster, True),
            "client": (load.pid or 0, False),
            "ceiling": (ceiling_proc.pid or 0, False),
        }
        cpu: dict[str, dict[str, float]] = {}
        lags: dict[str, float] = {}
        spy = threading.Thread(
            target=watch_phases, args=(phases, sides, args.py_spy, cpu, lag, lags), daemon=True
        )
        spy.start()
        results = out.get()
        spy.join(30)
        load.join()
        done.set()
        sampler.join()
        for proc in (app_proc, ceiling_proc):
            proc.terminate()
            proc.join(5)
        server.cleanup()
    report(results, cpu, lags, idle_pss, max(samples, default=0.0), args)
    return 0


def report(
    results: dict[str, Any], cpu: dict[str, dict[str, float]], lags: dict[str, float],
    idle_pss: float, peak_pss: float, args: Any,
) -> None:  # fmt: skip
    cores = os.cpu_count() or 1
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (cores {cores}); "
          f"{args.connections} connections, {args.staff} staff")  # fmt: skip
    print(f"{'call':<13} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'not ok':>6}")
    rate = {}
    for name in ("login", "profile", "posts", "report", "ceiling GET", "ceiling POST"):
        r = results[name]
        lat = sorted(r["lat"])
        rate[name] = r["n"] / r["wall"]
        p50, p99 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99) - 1] * 1000
        r["p99"] = p99
        print(f"{name:<13} {r['n']:>8} {rate[name]:>8.0f} {p50:>7.1f} {p99:>7.1f} {r['bad']:>6}")
    posts_ratio = rate["posts"] / rate["ceiling GET"]
    report_ratio = rate["report"] / rate["ceiling POST"]
    worst = max(results[n]["p99"] for n in ("profile", "posts", "report"))
    print(f"bodies: posts {results['sizes']['posts']} B, report {results['sizes']['report']} B")
    print(f"posts GET {posts_ratio:.0%} of the ceiling (goal >= 30 %); report POST "
          f"{report_ratio:.0%} (goal >= 15 %)")  # fmt: skip
    print(f"p99 of profile/posts/report at most {worst:.1f} ms (goal <= 100 ms); logins "
          f"{rate['login'] / cores:.1f}/s per core (goal >= 20)")  # fmt: skip
    print("the app's event loop at most late (ms), by phase: " + ", ".join(
        f"{name} {late * 1000:.0f}" for name, late in lags.items() if not name.startswith("ceiling")))  # fmt: skip
    print("CPU ms per request (app | PostgreSQL | client | ceiling server), by phase: " + "; ".join(
        f"{name} " + " | ".join(f"{v * 1000 / results[name]['n']:.2f}" for v in spent.values())
        for name, spent in cpu.items()))  # fmt: skip
    print(f"Web process PSS: {idle_pss:.0f} MB idle, {peak_pss:.0f} MB at the burst's peak "
          "(goal <= 150 MB)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
