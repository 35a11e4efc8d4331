"""The mocked rows of the previous system's (Cicero_V2's) Jest tests, as Cicero's layouts take them.

Each builder names the V2 test file whose inputs it carries. The golden tests
(`test_v2_golden.py`) render them and compare with what V2's code printed for those inputs,
and `docs/recaps.md` shows the same renderings as its examples (`test_recaps_doc.py`).

How V2's rows become Cicero's:
- names are upper case, as Cicero stores them (data.md); V2 printed them as stored;
- a user's `divisi` is the unit; in the directorate full recaps V2 grouped the directorate's
  own staff by satfung and wanted its DITBINMAS satfung first ("… with Ditbinmas first");
  Cicero groups its directorate scope by satker (data.md §4.3), so the satfungs DIV A and DIV B
  are given here as satkers and the DITBINMAS satfung as the directorate's own staff;
- V2's NRP-less users get an NRP from their user id; clients are linked as the tests' roles
  implied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from fractions import Fraction

from cicero.domain.attendance.rule import FULL, Attendance, Person, Ratio, compute
from cicero.domain.layouts import posts
from cicero.domain.layouts.amplification import AmplifyPerson, AmplifyRecap
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.layouts.kasat_binmas import KasatBinmasRecap
from cicero.domain.layouts.posts import PostRef
from cicero.domain.layouts.satker_summary import SatkerSummary
from cicero.domain.layouts.tiktok_analytics import ContentStat, TiktokAnalytics
from cicero.domain.people.usernames import Platform, canonical_username

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
AT = datetime(2026, 2, 10, 8, 20, 4, tzinfo=UTC)  # the harnesses' clock: Selasa 15.20.04 WIB
D, D_NAME = "DITBINMAS", "DIREKTORAT BINMAS"
HALF = Fraction(1, 2)


def person(
    nrp: str,
    client: str,
    name: str,
    unit: str = "",
    rank: str = "",
    position: str = "",
    instagram: str | None = None,
    tiktok: str | None = None,
    exception: bool = False,
) -> Person:
    def handle(raw: str | None, platform: Platform) -> str | None:
        return canonical_username(raw, platform) if raw else None

    return Person(
        nrp=nrp, client=client, name=name.upper(), rank=rank, unit=unit, position=position,
        instagram=handle(instagram, IG), tiktok=handle(tiktok, TT), exception=exception,
    )  # fmt: skip


def attend(
    people: Iterable[Person],
    post_ids: Sequence[str],
    engaged: Mapping[str, Iterable[str]],
    platform: Platform,
    ratio: Ratio = FULL,
) -> tuple[Attendance, ...]:
    """Attendance from V2's mocked likers/commenters per post (usernames as V2 received them)."""
    pairs = {(post, canonical_username(u, platform)) for post, us in engaged.items() for u in us}
    return compute(people, list(post_ids), pairs, platform, ratio)


def ig_posts(*shortcodes: str) -> tuple[PostRef, ...]:
    return tuple(posts.ig(sc) for sc in shortcodes)


def tt_posts(*video_ids: str, owner: str = "ditbinmastiktok") -> tuple[PostRef, ...]:
    return tuple(posts.tiktok(owner, v) for v in video_ids)


# --- the directorate full and simple recaps -------------------------------------------------

DIVISIONS = {D: D_NAME, "DIV_A": "DIV A", "DIV_B": "DIV B"}


def _division_staff(platform: Platform) -> list[Person]:
    """V2's five DITBINMAS users: u1 in satfung DITBINMAS, u2/u3 in DIV A, u4/u5 in DIV B."""
    rows = [(D, "DITBINMAS"), ("DIV_A", "DIV A"), ("DIV_A", "DIV A"), ("DIV_B", "DIV B"),
            ("DIV_B", "DIV B")]  # fmt: skip
    out = []
    for i, (client, unit) in enumerate(rows, 1):
        handle = f"user{i}"
        ig, tt = (handle, None) if platform is IG else (None, handle)
        out.append(person(f"7500000{i}", client, f"User{i}", unit, instagram=ig, tiktok=tt))
    return out


def likes_directorate(platform_ratio: Ratio = FULL) -> DirectorateRecap:
    """V2 `tests/absensiLikesInsta.test.js`, "aggregates likes report per division for
    Ditbinmas with Ditbinmas first" (also the simple recap's inputs)."""
    people = attend(
        _division_staff(IG), ["sc1", "sc2"],
        {"sc1": ["user2", "user3", "user4"], "sc2": ["user2", "user3"]}, IG, platform_ratio,
    )  # fmt: skip
    return DirectorateRecap(D, D_NAME, IG, AT, ig_posts("sc1", "sc2"), people, DIVISIONS,
                            done_ratio=platform_ratio)  # fmt: skip


def comments_directorate(ratio: Ratio = FULL) -> DirectorateRecap:
    """V2 `tests/absensiKomentarDitbinmasReport.test.js`, "aggregates komentar report per
    division for Ditbinmas with Ditbinmas first" (also the simple recap's inputs)."""
    people = attend(
        _division_staff(TT), ["vid1", "vid2"],
        {"vid1": ["user2", "user3", "user4"], "vid2": ["user2", "user3"]}, TT, ratio,
    )  # fmt: skip
    return DirectorateRecap(D, D_NAME, TT, AT, tt_posts("vid1", "vid2"), people, DIVISIONS,
                            done_ratio=ratio)  # fmt: skip


# --- the per-satker summaries (dirrequest 7 and 8) ------------------------------------------


def likes_per_satker() -> SatkerSummary:
    """V2 `tests/absensiLikesInsta.test.js`, "directorate summarizes across clients"."""
    staff = [
        person("75000001", "POLRESA", "User1", instagram="@user1"),
        person("75000002", "POLRESA", "User2", instagram=""),
        person("75000003", "POLRESB", "User3", instagram="@user3"),
        person("75000004", "POLRESB", "User4", instagram="@user4"),
    ]
    engaged = {"sc1": ["user1", "user3"], "sc2": ["user3"], "sc3": []}
    people = attend(staff, ["sc1", "sc2", "sc3"], engaged, IG, HALF)
    names = {D: D_NAME, "POLRESA": "POLRES A", "POLRESB": "POLRES B"}
    return SatkerSummary(D, D_NAME, IG, AT, ig_posts("sc1", "sc2", "sc3"), people,
                         ("POLRESA", "POLRESB"), names)  # fmt: skip


def comments_per_satker() -> SatkerSummary:
    """V2 `tests/absensiKomentarDirektorat.test.js`, "aggregates directorate data per client"
    (the harness's rows: one user in each of POLRES A and POLRES B, one video)."""
    staff = [
        person("75000001", "POLRES_A", "User A", tiktok="usera"),
        person("75000002", "POLRES_B", "User B", tiktok="userb"),
    ]
    people = attend(staff, ["v1"], {"v1": ["usera"]}, TT, HALF)
    names = {D: D_NAME, "POLRES_A": "POLRES A", "POLRES_B": "POLRES B"}
    return SatkerSummary(D, D_NAME, TT, AT, tt_posts("v1"), people, ("POLRES_A", "POLRES_B"),
                         names)  # fmt: skip


# --- the Kasat Binmas reports ---------------------------------------------------------------

KASAT_AT = datetime(2024, 5, 21, 3, 0, tzinfo=UTC)  # the likes test's clock: Selasa 10.00 WIB
KASAT_SATKERS = ("POLRES_A", "POLRES_B", "POLRES_C", "POLRES_D")
KASAT_NAMES = {D: D_NAME, **{c: c.replace("_", " ") for c in KASAT_SATKERS}}


def kasat_likes() -> KasatBinmasRecap:
    """V2 `tests/kasatBinmasLikesRecapService.test.js`, "menyusun rekap harian beserta ringkasan
    status": Alpha (Kasat Binmas, 3 of 3), Beta (Kasat Binmas, 1 of 3), Gamma (an operator)
    and Delta ("WA Kasat Binmas", not a Kasat Binmas)."""
    staff = [
        person("1", "POLRES_A", "Alpha", rank="AKP", position="Kasat Binmas", instagram="alpha"),
        person("2", "POLRES_B", "Beta", rank="IPTU", position="Kasat Binmas", instagram="beta"),
        person("3", "POLRES_C", "Gamma", rank="AKBP", position="Operator", instagram="gamma"),
        person("4", "POLRES_D", "Delta", rank="AKP", position="WA Kasat Binmas",
               instagram="delta"),
    ]  # fmt: skip
    engaged = {"p1": ["alpha", "beta"], "p2": ["alpha"], "p3": ["alpha"]}
    people = attend(staff, ["p1", "p2", "p3"], engaged, IG)
    return KasatBinmasRecap(D, D_NAME, IG, KASAT_AT, ig_posts("p1", "p2", "p3"), people,
                            KASAT_SATKERS, KASAT_NAMES)  # fmt: skip


def kasat_comments() -> KasatBinmasRecap:
    """V2 `tests/kasatBinmasTiktokCommentRecapService.test.js`, "menyusun ringkasan absensi
    komentar TikTok untuk Kasat Binmas": Alpha commented on 3 of 3, Bravo has no TikTok,
    Delta ("WA Kasat Binmas") and Charlie ("Kasat Intel") are not Kasat Binmas."""
    staff = [
        person("1", "POLRES_A", "Alpha", rank="AKP", position="Kasat Binmas Polres A",
               tiktok="@alpha"),
        person("2", "POLRES_B", "Bravo", rank="IPTU", position="Kasat Binmas Polres B",
               tiktok=""),
        person("4", "POLRES_D", "Delta", rank="AKP", position="WA Kasat Binmas", tiktok="@delta"),
        person("3", "POLRES_C", "Charlie", rank="AKP", position="Kasat Intel", tiktok="@charlie"),
    ]  # fmt: skip
    engaged = {"v1": ["alpha"], "v2": ["alpha"], "v3": ["alpha"]}
    people = attend(staff, ["v1", "v2", "v3"], engaged, TT)
    return KasatBinmasRecap(D, D_NAME, TT, KASAT_AT, tt_posts("v1", "v2", "v3"), people,
                            KASAT_SATKERS, KASAT_NAMES)  # fmt: skip


# --- the amplification recap ----------------------------------------------------------------


def amplification() -> AmplifyRecap:
    """V2 `tests/absensiLinkRoleFlag.test.js`: two operators of SI KEU, two posts; HARIS
    reported one post with all five links, BUDI nothing."""
    at = datetime(2026, 2, 10, 8, 5, tzinfo=UTC)  # 15.05.00 WIB
    haris = person("1", "POLRES", "HARIS ANTON A.", "SI KEU", rank="AIPTU", instagram="haris")
    budi = person("2", "POLRES", "BUDI", "SI KEU", rank="BRIPTU", instagram="budi")
    done = attend([haris, budi], ["sc1", "sc2"], {"sc1": ["haris"]}, IG)  # posts reported
    people = (AmplifyPerson(done[0], 5), AmplifyPerson(done[1], 0))
    return AmplifyRecap("POLRES ABC", at, ig_posts("sc1", "sc2"), people)


# --- the TikTok "Rekap Analitik" ------------------------------------------------------------


def tiktok_analytics(**kw: object) -> TiktokAnalytics:
    """V2 `tests/absensiKomentarTiktokSummary.test.js` ("returns compact analytical recap with
    lampiran details"): POLRES X, two videos (Konten A: user1 and user2; Konten B: user1);
    Personel 1 and 2 of SAT INTEL with TikTok, Personel 3 of SAT RESKRIM without."""
    staff = [
        person("1", "POLRES_X", "Personel 1", "SAT INTEL", rank="AKP", tiktok="user1"),
        person("2", "POLRES_X", "Personel 2", "SAT INTEL", rank="IPDA", tiktok="user2"),
        person("3", "POLRES_X", "Personel 3", "SAT RESKRIM", rank="BRIPTU", tiktok=""),
    ]
    engaged = {"v1": ["user1", "user2"], "v2": ["user1"]}
    people = attend(staff, ["v1", "v2"], engaged, TT, HALF)
    refs = tt_posts("v1", "v2", owner="polresx")
    stats = (ContentStat(refs[0], "Konten A", 2), ContentStat(refs[1], "Konten B", 1))
    return TiktokAnalytics("POLRES X", AT, stats, people, 2, **kw)  # type: ignore[arg-type]
