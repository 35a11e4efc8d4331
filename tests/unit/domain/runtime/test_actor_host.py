"""The actor system listens on loopback or one private address, never everywhere (DESIGN §8)."""

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.runtime.actor_host import actor_host_problem


def test_loopback_and_private_addresses_are_accepted() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.9", "192.168.1.20", "100.64.0.7"):
        assert actor_host_problem(host) is None, host


def test_all_interfaces_public_and_odd_addresses_are_refused_with_a_reason() -> None:
    for host, words in {
        "0.0.0.0": "every interface",
        "": "not an IP address",
        "localhost": "not an IP address",
        "8.8.8.8": "not a private address",
        "224.0.0.1": "not a private address",
        "::1": "IPv6",
        "10.0.0.1 ": "not an IP address",
    }.items():
        problem = actor_host_problem(host)
        assert problem is not None and words in problem, (host, problem)


@given(st.ip_addresses(v=4))
def test_a_public_address_is_never_accepted(ip: ipaddress.IPv4Address) -> None:
    if actor_host_problem(str(ip)) is None:
        assert ip.is_loopback or ip.is_private or ip in ipaddress.ip_network("100.64.0.0/10")
        assert not ip.is_unspecified
