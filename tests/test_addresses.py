"""Which addresses URL ingest may reach: a table of addresses and their kinds (None: public),
IPv4 embedded in IPv6 judged by the address inside, and one resolution per host name."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from rag import addresses


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.127.255.254", "shared (CGNAT)"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "special-purpose (not globally routable)"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fe80::1", "link-local"),
        ("fe80::1%1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback (IPv4-mapped 127.0.0.1)"),
        ("::ffff:10.0.0.1", "private (IPv4-mapped 10.0.0.1)"),
        ("::ffff:169.254.169.254", "link-local (IPv4-mapped 169.254.169.254)"),
        ("::127.0.0.1", "loopback (IPv4-compatible 127.0.0.1)"),
        ("::8.8.8.8", "deprecated IPv4-compatible"),
        ("64:ff9b::7f00:1", "loopback (NAT64 127.0.0.1)"),
        ("64:ff9b::a9fe:a9fe", "link-local (NAT64 169.254.169.254)"),
        ("64:ff9b:1::a00:1", "local-use NAT64"),
        ("3fff::1", "documentation"),
        ("2002:7f00:1::1", "loopback (6to4 127.0.0.1)"),
        ("2001:db8::1", "special-purpose (not globally routable)"),
        ("8.8.8.8", None),
        ("93.184.215.14", None),
        ("172.32.0.1", None),
        ("100.128.0.1", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),
    ],
)
def test_address_kinds(ip, kind):
    assert addresses.address_kind(ip_address(ip)) == kind


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("loopback", "a loopback address"),
        ("unspecified", "an unspecified address"),
        ("private (IPv4-mapped 10.0.0.1)", "a private address (IPv4-mapped 10.0.0.1)"),
        ("special-purpose (not globally routable)", "a special-purpose address (not globally routable)"),
    ],
)
def test_kinds_in_words(kind, words):
    assert addresses.describe(kind) == words


def test_a_literal_address_resolves_to_itself_once():
    [(ip, (family, sockaddr))] = addresses.resolve("127.0.0.1", 8080)
    assert str(ip) == "127.0.0.1" and sockaddr == ("127.0.0.1", 8080)
