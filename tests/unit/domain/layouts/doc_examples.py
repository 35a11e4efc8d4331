"""The example of each recap in `docs/recaps.md`, rendered from small inputs; most are the
inputs of the previous system's own tests (`v2_inputs`). `test_recaps_doc.py` checks that the
document shows exactly these texts. To print one after a layout change:
`.venv/bin/python -m tests.unit.domain.layouts.doc_examples NAME`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from fractions import Fraction

from cicero.domain.attendance.rule import Person
from cicero.domain.layouts import (
    amplification,
    client_recap,
    daily_engagement,
    directorate_full,
    directorate_simple,
    kasat_binmas,
    kasatker_report,
    link_recap,
    ops_digest,
    per_content,
    reminder,
    satker_summary,
    staff_data,
    task_broadcast,
    tiktok_analytics,
    username_data,
)
from cicero.domain.layouts import posts as P
from cicero.domain.timezone import WIB

from . import v2_inputs as v

AT = v.AT  # Selasa 10 Februari 2026, 15.20.04 WIB


def _wib(h: int, m: int = 0) -> datetime:
    return datetime(2026, 2, 10, h, m, tzinfo=WIB)


def task() -> str:
    """V2 `tests/sosmedTask.test.js`: abc already sent, def and the TikTok video new."""
    return task_broadcast.render(
        task_broadcast.TaskBroadcast(
            "DIT BINMAS",
            (task_broadcast.TaskPost(P.ig("abc", _wib(7, 30)), 2),
             task_broadcast.TaskPost(P.ig("def", _wib(9, 5)), 1, new=True)),
            (task_broadcast.TaskPost(P.tiktok("ditbinmas", "123", _wib(8)), 1, new=True),),
        )
    )  # fmt: skip


def _budi() -> client_recap.ClientRecap:
    """V2 `tests/absensiLikesInsta.test.js` ("marks user with @username as already liking")."""
    budi = v.person("1", "POLRES", "Budi", "BAG", rank="AIPTU", instagram="@TestUser")
    people = v.attend([budi], ["sc1"], {"sc1": ["testuser"]}, v.IG)
    return client_recap.ClientRecap("POLRES ABC", AT, v.ig_posts("sc1"), people)


def client_likes() -> str:
    return client_recap.render_likes(_budi())


def client_comments() -> str:
    """V2 `tests/absensiKomentarTiktokRoleFlag.test.js` (the operator's TikTok recap)."""
    a = v.tiktok_analytics()
    people = v.attend([x.person for x in a.people], ["v1", "v2"],
                      {"v1": ["user1", "user2"], "v2": ["user1"]}, v.TT)  # fmt: skip
    recap = client_recap.ClientRecap("POLRES X", AT, tuple(s.ref for s in a.posts), people)
    return client_recap.render_comments(recap)


def per_content_likes() -> str:
    budi = _budi()
    refs = tuple(("sc1", p) for p in budi.posts)
    return per_content.render(per_content.PerContent("POLRES ABC", AT, v.IG, refs, budi.people))


def daily() -> str:
    return daily_engagement.render(
        daily_engagement.DailyEngagement(
            name="DIREKTORAT BINMAS", at=AT,
            instagram_posts=(P.ig("sc1", _wib(8, 5)), P.ig("sc2", _wib(13))),
            tiktok_posts=(P.tiktok("ditbinmastiktok", "vid1", _wib(9, 30)),),
            instagram_ranking=(daily_engagement.SatkerScore("POLRES A", 120),
                               daily_engagement.SatkerScore("POLRES B", 95),
                               daily_engagement.SatkerScore("POLRES C", 40)),
            tiktok_ranking=(daily_engagement.SatkerScore("POLRES A", 12),
                            daily_engagement.SatkerScore("POLRES B", 3)),
            progress=daily_engagement.Progress(Fraction(96, 100), False, 9, 3,
                                               Fraction(85, 100), 2),
        )
    )  # fmt: skip


def personal_reminder() -> str:
    text = reminder.render(
        reminder.Reminder("BRIPKA BUDI SANTOSO", _wib(17, 5), 3,
                          (P.ig("sc2", _wib(13)), P.ig("sc1", _wib(8))),
                          (P.tiktok("polres_a", "7001"),))
    )  # fmt: skip
    assert text is not None
    return text


def kasatker() -> str:
    def sat(client: str, took: Fraction) -> kasatker_report.SatkerCompliance:
        return kasatker_report.SatkerCompliance(client, client.replace("_", " "), 4, took)

    return kasatker_report.render(
        kasatker_report.KasatkerReport(
            "DIREKTORAT BINMAS", datetime(2026, 2, 10, 18, 23, 4, tzinfo=WIB), (v.IG, v.TT),
            (sat("POLRES_A", Fraction(1)), sat("POLRES_B", Fraction(1, 2)),
             sat("POLRES_C", Fraction(0))),
            kasatker_report.Letter(("*KEPADA YTH.*", "KASAT BINMAS POLRES JAJARAN"),
                                   "https://chat.example/undangan"),
        )
    )  # fmt: skip


def links() -> str:
    sari = Person("1", "POLRES_A", "SARI", "AKP", "SAT BINMAS")
    post = P.ig("sc1", _wib(9))
    reported = link_recap.ReportedLinks(
        post, sari, ("https://instagram.com/p/s1", "https://fb.watch/s1", None, None, None)
    )
    return link_recap.render(
        link_recap.LinkRecap("POLRES A", _wib(21, 7), _wib(21, 7), (post,), (reported,))
    )


def _registrations() -> staff_data.Registrations:
    def rec(nrp: str, rank: str, name: str, client: str, ig: str | None, wa: str | None):
        return staff_data.StaffRecord(Person(nrp, client, name, rank, "SAT BINMAS", "", ig), wa)

    people = (rec("1", "AKBP", "HENDRA", "DITBINMAS", "hendra", "6281"),
              rec("2", "AKP", "SARI", "POLRES_A", "sari", None),
              rec("3", "BRIPDA", "ZAKI", "POLRES_A", None, "6282"))  # fmt: skip
    names = {"DITBINMAS": "DIREKTORAT BINMAS", "POLRES_A": "POLRES A"}
    return staff_data.Registrations("DITBINMAS", "DIREKTORAT BINMAS", _wib(9, 30), people, True,
                                    names)  # fmt: skip


def registrations() -> str:
    return staff_data.render_completeness(_registrations())


def whatsapp_registrations() -> str:
    return staff_data.render_whatsapp(_registrations())


def incomplete() -> str:
    people = (Person("1", "DITBINMAS", "HENDRA", "AKBP", "SUBDIT BINPOLMAS", "", None, "hendra"),
              Person("2", "POLRES_A", "SARI", "AKP", "SAT BINMAS", "", "sari"),
              Person("4", "POLRES_A", "DEDI", "BRIPTU", "SAT BINMAS"))  # fmt: skip
    text = username_data.render_incomplete(
        username_data.StaffData("DITBINMAS", "DIREKTORAT BINMAS", _wib(6, 15), people,
                                {"POLRES_A": "POLRES A"})
    )  # fmt: skip
    assert text is not None
    return text


def digest() -> str:
    return ops_digest.render(
        ops_digest.Digest(
            _wib(23, 45),
            (ops_digest.RunIssue("amplify_recap", _wib(15, 5), "missed", "gateway not ready"),),
            (ops_digest.RowIssue("org_engagement_recap", "6281234567890", "dead",
                                 "not a group member"),),
        )
    )  # fmt: skip


def usernames() -> str:
    people = (Person("1", "POLRES_A", "ZAKI", "BRIPDA", "SAT BINMAS", "", "zaki", "zaki"),
              Person("2", "POLRES_A", "DEDI", "BRIPTU", "SAT BINMAS"),
              Person("3", "POLRES_A", "SARI", "AKP", "SAT BINMAS", "KASAT BINMAS", "sari"))  # fmt: skip
    return username_data.render_completeness(
        username_data.StaffData("POLRES_A", "POLRES A", _wib(6, 45), people)
    )


EXAMPLES: dict[str, Callable[[], str]] = {
    "task_broadcast": task,
    "client_likes": client_likes,
    "client_comments": client_comments,
    "likes_simple": lambda: directorate_simple.render(v.likes_directorate()),
    "comments_simple": lambda: directorate_simple.render(v.comments_directorate()),
    "likes_full": lambda: directorate_full.render(v.likes_directorate()),
    "comments_full": lambda: directorate_full.render(v.comments_directorate(v.HALF)),
    "likes_satker_summary": lambda: satker_summary.render(v.likes_per_satker()),
    "comments_satker_summary": lambda: satker_summary.render(v.comments_per_satker()),
    "daily_engagement": daily,
    "personal_reminder": personal_reminder,
    "amplify_recap": lambda: amplification.render(v.amplification()),
    "kasat_binmas_likes": lambda: kasat_binmas.render(v.kasat_likes()),
    "kasat_binmas_comments": lambda: kasat_binmas.render(v.kasat_comments()),
    "kasatker_report": kasatker,
    "tiktok_analytics": lambda: tiktok_analytics.render(v.tiktok_analytics()),
    "per_content": per_content_likes,
    "amplify_link_recap": links,
    "staff_completeness": registrations,
    "wa_registration_attendance": whatsapp_registrations,
    "username_completeness": usernames,
    "incomplete_data_recap": incomplete,
    "ops_digest": digest,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or EXAMPLES:
        print(f"<!-- example: {name} -->\n```text\n{EXAMPLES[name]()}\n```\n")
