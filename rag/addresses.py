"""Which IP addresses URL ingest may connect to: public unicast ones, unless the owner opts in.

Scope: naming the kind of a non-public address (loopback, private, link-local, CGNAT, multicast,
unspecified, reserved, site-local, special-purpose), IPv4 and IPv6 alike, with IPv4 addresses
embedded in IPv6 (IPv4-mapped, IPv4-compatible, NAT64, 6to4) judged by the address inside; and
resolving a host name once into (family, socket address) pairs to connect to. Non-goals: HTTP
(fetch.py), allow/deny lists of names, DNS caching, proxies.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from socket import AF_INET, AF_INET6, SOCK_STREAM, getaddrinfo
from typing import Any

IPAddress = IPv4Address | IPv6Address
Target = tuple[int, tuple[Any, ...]]  # (socket family, socket address), as getaddrinfo gives them

_PRIVATE = [ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]
_CGNAT = ip_network("100.64.0.0/10")
_SITE_LOCAL = ip_network("fec0::/10")
_NAT64 = ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
# Not globally routable, though the ipaddress module of Python 3.11 calls them global.
_LOCAL_NAT64 = ip_network("64:ff9b:1::/48")  # RFC 8215: whatever it embeds is local
_DOCUMENTATION = ip_network("3fff::/20")  # RFC 9637
_COMPATIBLE = ip_network("::/96")  # deprecated IPv4-compatible addresses (:: and ::1 aside)


def embedded_ipv4(ip: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The IPv4 address an IPv6 address carries, and the form that carries it."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip in _NAT64:
        return "NAT64", IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _COMPATIBLE and int(ip) > 1:
        return "IPv4-compatible", IPv4Address(int(ip))
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    return None


def address_kind(ip: IPAddress) -> str | None:
    """What kind of non-public address `ip` is ("loopback", "private", …); None when public."""
    if isinstance(ip, IPv6Address):
        ip = IPv6Address(int(ip))  # without a %zone
        if inner := embedded_ipv4(ip):
            form, v4 = inner
            kind = address_kind(v4)
            if kind:
                return f"{kind} ({form} {v4})"
            return "deprecated IPv4-compatible" if form == "IPv4-compatible" else None
    checks = [
        (ip.is_loopback, "loopback"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_link_local, "link-local"),
        (ip in _CGNAT, "shared (CGNAT)"),
        (ip.is_multicast, "multicast"),
        (any(ip in net for net in _PRIVATE), "private"),
        (ip in _LOCAL_NAT64, "local-use NAT64"),
        (ip in _DOCUMENTATION, "documentation"),
        (ip.is_reserved, "reserved"),
        (ip in _SITE_LOCAL, "site-local"),
        (not ip.is_global, "special-purpose (not globally routable)"),
    ]
    return next((kind for hit, kind in checks if hit), None)


def describe(kind: str) -> str:
    """An address_kind in words: 'a loopback address', 'a private address (IPv4-mapped 10.0.0.1)'."""
    base, paren, rest = kind.partition(" (")
    return f"{'an' if base[0] in 'aeiou' else 'a'} {base} address" + (f" ({rest}" if paren else "")


def resolve(host: str, port: int) -> list[tuple[IPAddress, Target]]:
    """Every address `host` resolves to, once (a literal IP is its own answer), in the resolver's
    order; raises OSError (socket.gaierror) when it does not resolve."""
    out: list[tuple[IPAddress, Target]] = []
    for family, _type, _proto, _name, sockaddr in getaddrinfo(host, port, type=SOCK_STREAM):
        if family not in (AF_INET, AF_INET6):
            continue
        ip = ip_address(str(sockaddr[0]))
        if all(ip != seen for seen, _ in out):
            out.append((ip, (int(family), tuple(sockaddr))))
    if not out:
        raise OSError(f"{host} has no IPv4 or IPv6 address")
    return out
