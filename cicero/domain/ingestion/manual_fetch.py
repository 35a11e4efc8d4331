"""A fetch asked from a menu or an admin command, run now (menus.md §3.0: "⏳" now, result later).

The request is one `job_run` row (jobs.md §1: manual runs use the ledger too): its key names
the client, platforms, stages, the report to send afterwards and the chat to answer, and its
fire time is when it was asked. The router queues the row in the step's transaction; an
ingestor claims it, runs those stages for that one client, and answers the chat. A restart
re-dispatches rows still queued, unless they are older than GRACE. Pure: texts and the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, unquote

from cicero.domain.ingestion.rules import ClientFlags, Stage, platforms_to_fetch
from cicero.domain.ingestion.summary import UNAVAILABLE, StageResult
from cicero.domain.menus.model import TriggerFetch
from cicero.domain.people.phones import mask_phone
from cicero.domain.people.usernames import Platform

JOB = "manual_fetch"
GRACE = timedelta(minutes=20)  # as ingest_social's: an older request is not worth running
# A request whose ingestor died under it (crashed, killed) is claimed again; the claim after
# this many is answered "gagal" instead, so a request that kills its ingestor every time
# ends in one reply, not in a crash loop of the ingestor.
TRIES = 2


def out_of_tries(attempts: int) -> bool:
    """`attempts` counts claims of the request, this one included."""
    return attempts > TRIES
IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
ENGAGEMENT = {IG: Stage.LIKERS, TT: Stage.COMMENTS}
LABEL = {IG: "Instagram", TT: "TikTok"}


@dataclass(frozen=True)
class FetchRequest:
    client: str
    platforms: tuple[Platform, ...]
    stages: tuple[Stage, ...]  # posts and/or the engagement stage of each platform
    then_report: str | None  # a report key built for the chat once the fetch is done
    session: str  # who answers: the session and chat the request came from
    chat: str
    message_id: str
    requested_at: datetime  # the ledger row's fire time

    def work(self) -> tuple[tuple[Platform, Stage], ...]:
        """The (platform, stage) pairs to run, in ingestion order (posts before engagement)."""
        order = [(p, Stage.POSTS) for p in self.platforms] + [
            (p, ENGAGEMENT[p]) for p in self.platforms
        ]
        return tuple(w for w in order if w[1] in self.stages)


def request_for(
    t: TriggerFetch, session: str, chat: str, message_id: str, at: datetime
) -> FetchRequest | None:
    """What a menu's TriggerFetch asks for; None for a platform or stage word we do not know
    (a bug in a menu, refused rather than guessed)."""
    if t.platform == "all":
        platforms: tuple[Platform, ...] = (IG, TT)
    elif t.platform in (IG.value, TT.value):
        platforms = (Platform(t.platform),)
    else:
        return None
    engagement = tuple(ENGAGEMENT[p] for p in platforms)
    stages = {
        "posts": (Stage.POSTS,),
        "likes": engagement,
        "comments": engagement,
        "engagement": engagement,
        "all": (Stage.POSTS, *engagement),
    }.get(t.what)
    if stages is None:
        return None
    return FetchRequest(
        t.client, platforms, tuple(dict.fromkeys(stages)), t.then_report, session, chat,
        message_id, at,
    )  # fmt: skip


def ledger_key(r: FetchRequest) -> str:
    parts = (
        r.client, "+".join(r.platforms), "+".join(r.stages), r.then_report or "-", r.session,
        r.chat, r.message_id,
    )  # fmt: skip
    return "/".join((JOB, *(quote(p, safe="") for p in parts)))


def is_key(key: str) -> bool:
    return key.startswith(JOB + "/")


def shown(key: str) -> str:
    """A ledger key as ops pages show it: a fetch's key holds the asking chat's number and
    message id, so it is shown as `manual_fetch/<client>/<platforms>/<stages> (chat masked)`;
    any other key as it is."""
    if not is_key(key):
        return key
    fields = [unquote(f) for f in key.split("/")]
    if len(fields) != 8:
        return JOB
    return f"{'/'.join(fields[:4])} ({mask_phone(fields[6])})"


def from_key(key: str, fire_time: datetime) -> FetchRequest | None:
    """The request a ledger key holds; None if it is not one (or was written by a bug)."""
    fields = key.split("/")
    if len(fields) != 8 or fields[0] != JOB:
        return None
    client, platforms, stages, report, session, chat, message_id = (unquote(f) for f in fields[1:])
    try:
        return FetchRequest(
            client,
            tuple(Platform(p) for p in platforms.split("+")),
            tuple(Stage(s) for s in stages.split("+")),
            None if report == "-" else report,
            session, chat, message_id, fire_time,
        )  # fmt: skip
    except ValueError:
        return None


def runnable(r: FetchRequest, flags: ClientFlags | None) -> FetchRequest | str:
    """The request cut to what the client runs, or why nothing can be fetched."""
    if flags is None or not flags.active:
        return f"❌ Client *{r.client}* tidak ditemukan atau tidak aktif. Periksa kode client."
    enabled = platforms_to_fetch(flags)
    kept = tuple(p for p in r.platforms if p in enabled)
    if not kept:
        names = " & ".join(LABEL[p] for p in r.platforms)
        return (
            f"ℹ️ {names} tidak aktif (atau akun resmi belum diisi) untuk *{r.client}*; "
            "tidak ada data yang diambil. Hubungi admin untuk mengaktifkannya."
        )
    return FetchRequest(
        r.client, kept, r.stages, r.then_report, r.session, r.chat, r.message_id, r.requested_at
    )


def expired(r: FetchRequest, now: datetime) -> bool:
    return now - r.requested_at > GRACE


def _line(platform: Platform, results: list[StageResult]) -> str:
    posts = next((x for x in results if x.stage is Stage.POSTS), None)
    engaged = next((x for x in results if x.stage is ENGAGEMENT[platform]), None)
    parts = []
    if posts is not None:
        parts.append(
            f"gagal mengambil konten ({posts.error_class})" if posts.failed
            else f"{posts.posts} konten hari ini ({posts.new_posts} baru)"
        )  # fmt: skip
    if engaged is not None:
        word = "likes" if platform is IG else "komentar"
        if engaged.outcome == "skipped":
            parts.append(f"{word} dilewati (kuota API)")
        elif engaged.failed and engaged.error_class != UNAVAILABLE:
            parts.append(f"{word} sebagian gagal ({engaged.error_class})")
        else:
            parts.append(f"{engaged.engagements} {word} baru")
    ok = not any(x.failed for x in results)
    return f"{'✅' if ok else '⚠️'} {LABEL[platform]}: " + ", ".join(parts or ["tidak ada tahap"])


def summary(name: str, r: FetchRequest, results: Iterable[StageResult]) -> str:
    """The answer once the fetch ran: per platform what came in, and what failed."""
    done = list(results)
    lines = [f"📥 *Pengambilan data {name} selesai*"]
    for p in r.platforms:
        lines.append(_line(p, [x for x in done if x.platform is p]))
    if r.then_report:
        lines.append("Rekap menyusul di pesan berikut.")
    return "\n".join(lines)


def paused_text(name: str) -> str:
    return f"⏸️ Pengambilan data sedang dijeda oleh admin; data *{name}* tidak diambil. Coba lagi nanti."


def failed_text(name: str) -> str:
    return f"⚠️ Pengambilan data *{name}* gagal karena kesalahan sistem; admin dapat melihat log."


def expired_text(name: str) -> str:
    return (
        f"⚠️ Permintaan pengambilan data *{name}* tidak sempat dijalankan (layanan dimulai "
        "ulang). Silakan ulangi permintaan."
    )
