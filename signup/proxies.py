"""Who the client is behind a TLS proxy: the setting that names the trusted proxies, and the
ASGI layer that applies it.

`LICENSEDESK_SIGNUP_TRUSTED_PROXIES` lists IP addresses and networks (CIDR), separated by
commas; by default it is empty and no peer is trusted. When the connection comes from a
trusted proxy, the client is the right-most address of X-Forwarded-For that is not itself a
trusted proxy (each proxy appends the address it saw, so whatever the client wrote to the
left of it does not count); when every address is trusted, the left-most. This is the rule
of uvicorn's `forwarded_allow_ips`, without its wildcard. A value that is not an address
is not guessed past: the peer stays the client. From any other peer the header is ignored.
X-Forwarded-Proto (http or https) from a trusted proxy sets the scheme, so cookies are
marked Secure behind TLS.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

ENV = "LICENSEDESK_SIGNUP_TRUSTED_PROXIES"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxySettingError(ValueError):
    """The setting cannot be read; the message names it and the entry at fault."""


def parse_ip(text: str) -> IPAddress | None:
    """An address as a peer or a forwarded entry gives it (`1.2.3.4:80`, `[::1]:443` too);
    an IPv4 address mapped into IPv6 is the IPv4 address. None when it is no address."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


class TrustedProxies:
    def __init__(self, networks: Iterable[IPNetwork] = ()) -> None:
        self.networks = tuple(networks)

    @classmethod
    def parse(cls, value: str, *, source: str = ENV) -> TrustedProxies:
        networks: list[IPNetwork] = []
        for raw in value.split(","):
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=True))
            except ValueError:
                raise ProxySettingError(
                    f"{source}: {entry!r} is not an IP address or network "
                    "(write addresses like 10.0.0.5 or networks like 10.0.0.0/24, "
                    "separated by commas)") from None
        return cls(networks)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __str__(self) -> str:
        return ", ".join(str(n.network_address) if n.num_addresses == 1 else str(n)
                         for n in self.networks)

    def _trusts_ip(self, ip: IPAddress) -> bool:
        return any(ip in net for net in self.networks)

    def trusts(self, host: str) -> bool:
        ip = parse_ip(host) if host and host == host.strip() else None
        return ip is not None and self._trusts_ip(ip)

    def client_for(self, peer: str, forwarded_for: list[str]) -> str:
        """The client's address, given the TCP peer and the X-Forwarded-For header lines."""
        if not self.networks or not forwarded_for or not self.trusts(peer):
            return peer
        entries = [e.strip() for line in forwarded_for for e in line.split(",")]
        for entry in reversed(entries):
            ip = parse_ip(entry)
            if ip is None:
                return peer
            if not self._trusts_ip(ip):
                return str(ip)
        first = parse_ip(entries[0])  # every hop a trusted proxy: the first one is the client
        return str(first) if first is not None else peer


def trusted_proxies_from_env(environ: Mapping[str, str] | None = None) -> TrustedProxies:
    """The setting, read now (to move into Settings as `signup_trusted_proxies`)."""
    env = os.environ if environ is None else environ
    return TrustedProxies.parse(env.get(ENV, ""))


class ProxyHeaders:
    """Outermost ASGI layer: the client and scheme a trusted proxy forwarded, else the peer's."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or not self.proxies or not client:
            await self.app(scope, receive, send)
            return
        peer = str(client[0])
        if not self.proxies.trusts(peer):
            await self.app(scope, receive, send)
            return
        forwarded: list[str] = []
        proto = ""
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                forwarded.append(value.decode("latin-1"))
            elif name == b"x-forwarded-proto":
                proto = value.decode("latin-1").rsplit(",", 1)[-1].strip().lower()
        host = self.proxies.client_for(peer, forwarded)
        scope = {**scope, "client": (host, client[1] if host == peer else 0)}
        if proto in ("http", "https"):
            scope["scheme"] = proto
        await self.app(scope, receive, send)
