"""What the monitor may connect to. Service and webhook addresses are typed in by admins, so a
target must not turn the monitor into a way to read local files (only http/https), the machine
itself (loopback) or the app's own pages (its own addresses on its own ports), nor a cloud
metadata address (link-local). Private networks stay allowed: some city services are internal.

Every address a name resolves to is judged, and again at each redirect. (A name whose answer
changes between the judgement and the connection could still slip through; the targets are typed by
admins, not by the public, and the app's pages need a login anyway.)
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psutil

ALLOWED_SCHEMES = ("http", "https")


class TargetRefused(ValueError):
    """The target is not allowed; `code` names why ("scheme", "no_host", "loopback", "own_app", "special")."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def _own_addresses() -> frozenset[str]:
    found = set()
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family in (socket.AF_INET, socket.AF_INET6):
                found.add(address.address.split("%")[0])
    return frozenset(found)


@dataclass(frozen=True)
class TargetPolicy:
    """`own_ports`: the ports this app listens on (refused on any of the machine's own addresses).
    `allow_loopback`: for tests that check servers of their own on 127.0.0.1."""

    own_ports: frozenset[int] = frozenset()
    allow_loopback: bool = False
    own_addresses: frozenset[str] = field(default_factory=_own_addresses)

    def split_url(self, url: str) -> tuple[str, int]:
        """(host, port) of an http(s) URL; TargetRefused for any other scheme or no host."""
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise TargetRefused("scheme", f"only http and https are checked, not {parts.scheme or 'no scheme'!r}")
        if not parts.hostname:
            raise TargetRefused("no_host", "the address has no host name")
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError as exc:
            raise TargetRefused("no_host", f"bad port: {exc}") from None
        return parts.hostname, port

    def judge_ip(self, ip_text: str, port: int) -> None:
        """TargetRefused when `ip_text`:`port` is the machine itself, the app, or a special address."""
        ip = ipaddress.ip_address(ip_text.split("%")[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if ip.is_loopback:
            if not self.allow_loopback:
                raise TargetRefused("loopback", f"{ip} is this machine")
        elif ip.is_unspecified or ip.is_link_local or ip.is_multicast or ip.is_reserved:
            raise TargetRefused("special", f"{ip} is not a service address")
        if port in self.own_ports and (ip.is_loopback or str(ip) in self.own_addresses):
            raise TargetRefused("own_app", f"{ip}:{port} is this app")

    async def judge_host(self, host: str, port: int) -> None:
        """Resolve `host` and judge every address it has (a name may point anywhere)."""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            return  # the connection attempt itself reports the failed name
        for info in infos:
            self.judge_ip(info[4][0], port)

    async def judge_url(self, url: str) -> None:
        host, port = self.split_url(url)
        await self.judge_host(host, port)
