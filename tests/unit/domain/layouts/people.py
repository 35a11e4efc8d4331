"""Builds attendance rows for layout tests from a few words."""

from cicero.domain.attendance import Person, assess


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
