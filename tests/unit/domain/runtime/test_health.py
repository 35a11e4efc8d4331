from __future__ import annotations

from cicero.domain.runtime.health import assess

GOOD = {
    "escalated": "",
    "actors": {"clock": {"state": "running", "restarts": 0, "restart_type": "permanent"}},
    "reports": {"session:gateway": {"session": "gateway", "state": "ready", "terminal": False}},
}


def test_all_well() -> None:
    health = assess(GOOD, 1.0, True)
    assert health.ok and health.problems == ()


def test_every_problem_is_said_in_words() -> None:
    snapshot = {
        "escalated": "clock: 6 restarts within 60s (limit 5)",
        "actors": {
            "clock": {
                "state": "restarting",
                "restarts": 6,
                "last_error": "RuntimeError: boom",
                "restart_type": "permanent",
            },
            "web": {"state": "stopped", "restarts": 0, "restart_type": "permanent"},
        },
        "reports": {
            "session:gateway": {
                "session": "gateway",
                "state": "logged_out",
                "reason": "LOGGED_OUT",
                "terminal": True,
            }
        },
    }
    health = assess(
        snapshot, 30.0, False, "ConnectionRefusedError", {"gateway": {"dead": 2, "in_doubt": 1}}
    )
    assert not health.ok
    text = "\n".join(health.problems)
    for phrase in (
        "database unreachable: ConnectionRefusedError",
        "has not answered for 30s",
        "gave up: clock: 6 restarts",
        "actor clock is restarting after: RuntimeError: boom",
        "actor web is stopped",
        "WhatsApp session gateway is logged_out: LOGGED_OUT",
        "1 message(s) of gateway are in doubt",
        "2 message(s) of gateway could not be sent",
    ):
        assert phrase in text, phrase


def test_starting_up() -> None:
    health = assess(None, 0.0, True)
    assert not health.ok and "starting up" in health.problems[0]
