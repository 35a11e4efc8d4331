"""`make image-test`: build the container image, run it and check it, with podman (root).

Not part of `make test`: it takes minutes and needs root. Where no registry of base
images is reachable, the base is Debian bookworm built here (scripts/debian-base.sh);
BASE=python:3.11-slim uses the registry image instead. The machine's CA bundle goes to
the build as a secret (HTTPS may be intercepted), never into the image.

Each check prints PASS or FAIL with what it saw; the exit status is 1 if any failed.
FRESH=1 builds every layer again (no cache), as a new machine would.
podman runs health checks from systemd timers, which a VM may lack: this script runs
`podman healthcheck run` itself. Standard library only: it runs on the host's python3.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGE = os.environ.get("IMAGE", "localhost/cicero:image-test")
BASE = os.environ.get("BASE", "localhost/cicero-base:bookworm")
CA_BUNDLE = os.environ.get("CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
PORT = int(os.environ.get("IMAGE_TEST_PORT", "18080"))
NAME = "cicero-image-test"
VOLUME = "cicero-image-test-data"
WEB_PORT = 8080
STOP_LIMIT_S = 10.0
results: list[tuple[str, bool, str]] = []


def sh(*args: str, check: bool = True, timeout: float = 900, **kw: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done


def check(name: str, ok: bool, seen: str) -> None:
    results.append((name, ok, seen))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {seen}", flush=True)


def step(text: str) -> None:
    print(f"--- {text}", flush=True)


def in_container(code: str) -> str:
    return sh("podman", "exec", "-i", NAME, "python", "-", input=code).stdout.strip()


def healthz(timeout: float) -> tuple[int, dict[str, object]] | None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=3) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as err:
            last = (err.code, json.loads(err.read()))
        except (OSError, ValueError):
            pass
        time.sleep(1)
    return last


def start_container() -> None:
    sh("podman", "run", "-d", "--name", NAME, "-p", f"127.0.0.1:{PORT}:{WEB_PORT}",
       "-v", f"{VOLUME}:/data", IMAGE)  # fmt: skip


def remove_container() -> None:
    sh("podman", "rm", "-f", "-t", "2", NAME, check=False)


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


LISTENING = """
import json
found = []
for path in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(path).read().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A":  # LISTEN
            address, port = fields[1].split(":")
            found.append((address, int(port, 16)))
print(json.dumps(found))
"""
LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1 (as /proc writes)

NEONIZE = """
import time
import neonize, magic
from cicero.whatsapp.neonize_transport import NeonizeTransport
seen = []
t = NeonizeTransport("probe", "/tmp/probe/wa/probe.sqlite3", proxy="socks5://127.0.0.1:9")
t.start(seen.append)  # the real Go library: connect() fails at the closed proxy port
deadline = time.monotonic() + 30
while not seen and time.monotonic() < deadline:
    time.sleep(0.05)
t.stop(5)
kind = type(seen[0]).__name__ if seen else "nothing"
print(neonize.__version__, magic.from_buffer(b"%PDF-1.4 x", mime=True), kind, "dial" in str(seen))
"""


def main() -> int:
    started = time.monotonic()
    step("podman and its configuration")
    sh(str(ROOT / "scripts" / "podman-setup.sh"))
    if BASE.startswith("localhost/cicero-base"):
        step(f"Debian base {BASE}")
        print(sh(str(ROOT / "scripts" / "debian-base.sh"), BASE.removeprefix("localhost/")).stdout.strip())

    step(f"build {IMAGE} on {BASE}")
    build = ["podman", "build", "--format", "docker", "--build-arg", f"BASE={BASE}", "-t", IMAGE]
    if os.environ.get("FRESH"):  # every layer built again, as on a new machine
        build.append("--no-cache")
    if Path(CA_BUNDLE).is_file():
        build += ["--secret", f"id=ca,src={CA_BUNDLE}"]
    took = timed(lambda: sh(*build, str(ROOT), cwd=ROOT))
    size = int(sh("podman", "image", "inspect", "--format", "{{.Size}}", IMAGE).stdout)
    check("image built", True, f"{took:.0f} s, {size / 1e6:.0f} MB")
    health = sh("podman", "image", "inspect", "--format", "{{json .Config.Healthcheck}}", IMAGE).stdout
    check("HEALTHCHECK kept (docker format)", "healthz" in health, health.strip()[:80])

    remove_container()
    sh("podman", "volume", "rm", "-f", VOLUME, check=False)
    try:
        step("run")
        start_container()
        got = healthz(180)
        check("/healthz answers 200 on the published port", bool(got) and got[0] == 200,
              f"{got[0] if got else 'no answer'} {got[1].get('problems') if got else ''}")  # fmt: skip
        hc = sh("podman", "healthcheck", "run", NAME, check=False)
        check("podman healthcheck run", hc.returncode == 0, (hc.stdout + hc.stderr).strip() or "healthy")

        pid1 = sh("podman", "exec", NAME, "cat", "/proc/1/cmdline").stdout.replace("\0", " ").strip()
        check("tini is PID 1", pid1.split(" ")[0].endswith("tini"), pid1)
        top = sh("podman", "top", NAME, "user", "pid", "args").stdout.strip().splitlines()[1:]
        users = {line.split()[0] for line in top}
        check("every process runs as cicero", users == {"cicero"},
              f"{len(top)} processes, users {sorted(users)}")  # fmt: skip

        probe = in_container(NEONIZE).splitlines()[-1]
        check("neonize loads and its Go library runs", probe.endswith("ConnectFailed True"), probe)
        secret = sh("podman", "exec", NAME, "ls", "/run/secrets/ca", check=False)
        check("the CA bundle is not in the image", secret.returncode != 0, "no /run/secrets/ca")

        listening = json.loads(in_container(LISTENING))
        exposed = sorted({port for address, port in listening if address not in LOOPBACK})
        inside = sorted({port for address, port in listening if address in LOOPBACK})
        hint = "" if exposed == [WEB_PORT] else " (other than 8080: Thespian's admin and actor ports)"
        check("only the web port listens beyond loopback", exposed == [WEB_PORT],
              f"beyond loopback: {exposed}{hint}; on loopback: {inside}")  # fmt: skip

        step("a new container on the same volume")
        token = secrets.token_hex(8)
        sh("podman", "exec", NAME, "sh", "-c", f"echo {token} > /data/image-test-marker")
        stop_s = timed(lambda: sh("podman", "stop", "-t", str(int(STOP_LIMIT_S)), NAME))
        check(f"podman stop under {STOP_LIMIT_S:.0f} s", stop_s < STOP_LIMIT_S, f"{stop_s:.1f} s")
        remove_container()
        start_container()
        got = healthz(180)
        check("healthy again on the kept volume", bool(got) and got[0] == 200, str(got[0] if got else None))
        marker = sh("podman", "exec", NAME, "cat", "/data/image-test-marker", check=False).stdout.strip()
        shown = sh("podman", "logs", NAME)
        logs = shown.stdout + shown.stderr
        check("the data volume survives a new container", marker == token and "applied migrations" not in logs,
              "marker kept, database reused (no migrations applied)" if marker == token else "marker lost")  # fmt: skip
        stop_s = timed(lambda: sh("podman", "stop", "-t", str(int(STOP_LIMIT_S)), NAME))
        check(f"podman stop under {STOP_LIMIT_S:.0f} s (second container)", stop_s < STOP_LIMIT_S, f"{stop_s:.1f} s")
    except Exception as err:  # a step that could not run is a failure, said in one line
        check("image test ran to the end", False, str(err))
    finally:
        remove_container()
        sh("podman", "volume", "rm", "-f", VOLUME, check=False)

    failed = [name for name, ok, _ in results if not ok]
    print(f"--- {len(results) - len(failed)} passed, {len(failed)} failed in {time.monotonic() - started:.0f} s"
          + (f": {', '.join(failed)}" if failed else ""))  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
