"""The stand-in Go library (neonize_go.py) across processes: a session actor's process runs
it, the test drives it. `serve` answers JSON lines on a Unix socket, `Remote` is the test's
side, `loader` is the session actor's hook (`SessionOptions.neonize_loader`)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fakes.neonize_go import FakeGo, install


def serve(gocode: FakeGo, path: Path) -> None:
    """Answer JSON lines `{"call": name, "args": [...]}` on a Unix socket at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(8)

    def answer(conn: socket.socket) -> None:
        with conn, conn.makefile("rw") as stream:
            for line in stream:
                request = json.loads(line)
                try:
                    result = _remote_call(gocode, request["call"], request.get("args", []))
                    reply = {"ok": result}
                except Exception as exc:  # reported to the test, which raises it
                    reply = {"error": f"{type(exc).__name__}: {exc}"}
                stream.write(json.dumps(reply) + "\n")
                stream.flush()

    def accept() -> None:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, name="fake-go-control", daemon=True).start()


def _remote_call(gocode: FakeGo, name: str, args: list[Any]) -> Any:
    if name == "sent_texts":
        return gocode.world(args[0]).sent_texts()
    if name == "world":
        store, key, value = args
        world = gocode.world(store)
        setattr(world, key, type(getattr(world, key))(value))
        return None
    if name == "qr_codes":
        return list(gocode.client(args[0]).qr_codes)
    if name in ("hanging", "calls"):
        return getattr(gocode, name)
    if name == "raw_event_hex":
        store, code, data = args
        return gocode.raw_event(store, code, bytes.fromhex(data))
    if name.startswith("_") or name not in CONTROL:
        raise AttributeError(f"no control method {name}")
    return getattr(gocode, name)(*args)


CONTROL = frozenset({
    "scan", "type_pair_code", "incoming", "keepalive_timeout", "keepalive_restored", "drop",
    "set_reachable", "log_out", "ban", "connect_failure", "replace", "pair_store", "paired",
})  # fmt: skip


class Remote:
    """The test's side of `serve`: `remote.scan(store)` runs `scan` in the actor's process."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.stream = self.sock.makefile("rw")

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            self.stream.write(json.dumps({"call": name, "args": list(args)}) + "\n")
            self.stream.flush()
            reply = json.loads(self.stream.readline())
            if "error" in reply:
                raise AssertionError(f"fake Go: {reply['error']}")
            return reply["ok"]

        return call

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


# --- the session actor's hook (SessionOptions.neonize_loader) ------------------------------

_PROCESS_GO: FakeGo | None = None


def loader(session: str, data_dir: Path) -> Callable[[], Any]:
    """For a session actor: neonize over one fake Go library per process, configured by
    `<data_dir>/fake-go/config.json` and driven on `<data_dir>/fake-go/<session>.sock`."""
    global _PROCESS_GO
    folder = Path(data_dir) / "fake-go"
    config = json.loads((folder / "config.json").read_text())
    if _PROCESS_GO is None:
        _PROCESS_GO = FakeGo(tuple(config["qr_timeouts"]), config.get("reconnect_after", 0.05))
    gocode = _PROCESS_GO
    serve(gocode, folder / f"{session}.sock")
    return lambda: install(gocode)
