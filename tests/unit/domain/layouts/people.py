"""Builds attendance rows for layout tests from a few words."""

from fractions import Fraction

from cicero.domain.attendance.rule import Person, assess


def row(
    nrp,
    rank,
    name,
    unit,
    handle,
    done,
    total,
    *,
    client="C",
    position="",
    exception=False,
    ratio=1,
    platform="instagram",
    other=None,
):
    """`handle` is the handle on `platform`; `other` the one on the other platform."""
    ig, tt = (handle, other) if platform == "instagram" else (other, handle)
    person = Person(
        nrp=nrp,
        client=client,
        name=name,
        rank=rank,
        unit=unit,
        position=position,
        instagram=ig,
        tiktok=tt,
        exception=exception,
    )
    return assess(person, handle, [f"p{i}" for i in range(done)], total, ratio)


def example_b():
    """data.md §4.8 B as attendance rows (TikTok, r = 1/2, N = 4), shuffled."""
    half = Fraction(1, 2)

    def r(nrp, client, rank, name, position, handle, done, exception=False):
        return row(
            nrp, rank, name, "SAT BINMAS", handle, done, 4, client=client, position=position,
            exception=exception, ratio=half, platform="tiktok", other=name.lower(),
        )  # fmt: skip

    return (
        r("7", "POLRES_B", "BRIPDA", "ZAKI", "BA SAT BINMAS", "zaki", 3),
        r("6", "POLRES_B", "BRIPTU", "ADI", "BA SAT BINMAS", "adi", 1),
        r("5", "POLRES_A", "AIPTU", "BAYU", "PS. KANIT BINMAS", "bayu", 0, exception=True),
        r("4", "POLRES_A", "IPDA", "JOKO", "KANIT BINPOLMAS", "joko", 0),
        r("3", "POLRES_A", "AKP", "SARI", "KASAT BINMAS", "sari", 2),
        r("2", "DITBINMAS", "BRIPKA", "ALIF", "BANIT", None, 0),
        r("1", "DITBINMAS", "AKBP", "ANDI", "KASUBDIT BINPOLMAS", "andi.bm", 4),
        r("0", "DITBINMAS", "KBP", "RUDI", "DIRBINMAS", "rudi", 1),
    )
