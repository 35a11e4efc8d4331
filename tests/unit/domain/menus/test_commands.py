import pytest

from cicero.domain.menus.model import BuildReport, SetOptIn, TriggerFetch
from tests.unit.domain.menus.world import ADMIN, OPERATOR, World


@pytest.mark.parametrize(
    ("text", "effect"),
    [
        ("fetchinsta#sukamaju", TriggerFetch("SUKAMAJU", "instagram", "posts")),
        ("fetchtiktok#SUKAMAJU", TriggerFetch("SUKAMAJU", "tiktok", "posts")),
        ("fetchlikes#SUKAMAJU", TriggerFetch("SUKAMAJU", "instagram", "likes")),
        ("fetchcomments#SUKAMAJU", TriggerFetch("SUKAMAJU", "tiktok", "comments")),
        (  # without #akumulasi: per content (menus.md §3.5)
            "absensilikes#SUKAMAJU",
            BuildReport("likes_per_content", "SUKAMAJU", "instagram", "semua"),
        ),
        (
            "absensilikes#SUKAMAJU#belum",
            BuildReport("likes_per_content", "SUKAMAJU", "instagram", "belum"),
        ),
        (
            "absensilikes#SUKAMAJU#akumulasi",
            BuildReport("likes_attendance", "SUKAMAJU", "instagram", "semua", cumulative=True),
        ),
        (
            "absensikomentar#SUKAMAJU#akumulasi#sudah",
            BuildReport("comments_attendance", "SUKAMAJU", "tiktok", "sudah", cumulative=True),
        ),
    ],
)
def test_admin_commands(text, effect):
    w = World()
    assert w.send(ADMIN, text).startswith("⏳")
    assert w.effects == [effect]


@pytest.mark.parametrize(
    ("text", "want"),
    [("fetchinsta#", "Format"), ("fetchinsta#NOPE", "tidak ditemukan"),
     ("absensilikes#SUKAMAJU#kemarin", "Mode tidak dikenal"), ("clientinfo#", "belum tersedia")],
)  # fmt: skip
def test_admin_command_errors(text, want):
    w = World()
    assert want in w.send(ADMIN, text)
    assert w.effects == []


@pytest.mark.parametrize("sender", [OPERATOR, "6289900000009"])
def test_non_admin_is_refused_once_an_hour(sender):
    w = World()
    assert w.send(sender, "fetchlikes#SUKAMAJU").startswith("❌ Anda tidak memiliki akses")
    assert w.send(sender, "fetchlikes#SUKAMAJU") is None
    assert w.effects == []


def test_thisgroup_is_gone():
    w = World()
    assert "thisgroup" not in (w.send(ADMIN, "thisgroup#") or "")
    assert w.effects == []


@pytest.mark.parametrize(
    ("text", "on"), [("notifwa#on", True), ("notifwa#nonaktif", False), ("NOTIFWA#Ya", True)]
)
def test_notifwa(text, on):
    w = World()
    assert "✅" in w.send("6281234500022", text)
    assert w.effects == [SetOptIn("89050124", on)]


def test_notifwa_unbound_and_bad_value():
    w = World()
    assert "userrequest" in w.send("6289900000009", "notifwa#on")
    assert "Format" in w.send("6281234500022", "notifwa#kadang")
    assert w.effects == []
