"""Which addresses Précis may connect to, and the checks that enforce it.

A link from a user may point at this machine, the cloud metadata service or an
internal host, directly or through a DNS answer. `check_address` refuses every
non-public address (also one hidden inside an IPv6 address: mapped, 6to4,
Teredo, NAT64) unless it lies in an explicitly allowed network;
`GuardedResolver` checks every address of a DNS answer and hands aiohttp only
those, and `guarded_socket_factory` checks the address once more just before
`connect()`. `bot.ingest.fetch` builds its sessions from these.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.errors import BlockedAddress

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 (RFC 6052) embeds an IPv4 address in the last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_allowed(ip: IPAddress, allowed: Iterable[IPNetwork]) -> bool:
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates.append(ip.ipv4_mapped)
    return any(c.version == n.version and c in n for c in candidates for n in allowed)


def _non_public_kind(ip: IPAddress) -> str | None:
    """What kind of non-public address `ip` is, or None when it is a public one."""
    for candidate in [ip, *_embedded_ipv4(ip)]:
        if candidate.is_unspecified:
            return "an unspecified address"
        if candidate.is_loopback:
            return "a loopback address (this machine)"
        if candidate.is_link_local:
            return "a link-local address"
        if candidate.is_multicast:
            return "a multicast address"
        if candidate.is_private:
            return "a private network address"
        if candidate.is_reserved:
            return "a reserved address"
        if not candidate.is_global:
            return "a non-public address"
    return None


def check_address(
    address: str, allowed: Iterable[IPNetwork], *, lead: str = "That link points at"
) -> None:
    """Raise BlockedAddress unless `address` is public or inside an allowed network."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        raise BlockedAddress(
            f"{lead} an address Précis cannot check ({address}); "
            "Précis only fetches public web pages."
        ) from None
    allowed = tuple(allowed)
    if _is_allowed(ip, allowed):
        return
    kind = _non_public_kind(ip)
    if kind is not None:
        raise BlockedAddress(f"{lead} {ip}, {kind}; Précis only fetches public web pages.")


class GuardedResolver(AbstractResolver):
    """Resolve with `upstream`, refuse the whole answer if any address is not public.

    aiohttp connects only to the addresses a resolver returns, so returning the
    checked list is what closes the DNS-rebinding window.
    """

    def __init__(
        self, allowed: Iterable[IPNetwork] = (), upstream: AbstractResolver | None = None
    ) -> None:
        self._allowed = tuple(allowed)
        self._upstream = upstream if upstream is not None else ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._upstream.resolve(host, port, family)
        if not answers:
            raise OSError(f"no address for {host}")
        for answer in answers:
            check_address(answer["host"], self._allowed, lead=f"The site {host} resolves to")
        return answers

    async def close(self) -> None:
        await self._upstream.close()


def guarded_socket_factory(allowed: tuple[IPNetwork, ...]) -> Callable[[Any], socket.socket]:
    """A last check on the exact address a socket is about to connect to."""

    def make(addr_info: Any) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        check_address(str(sockaddr[0]), allowed)
        return socket.socket(family=family, type=type_, proto=proto)

    return make
