"""Host names and addresses: the one loopback rule the mail relay and the signup page share."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """`localhost` (with or without its trailing dot), or an address on the loopback net,
    IPv4 or IPv6 (bracketed or not). A name that only resolves to loopback is not trusted."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
