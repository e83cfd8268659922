"""The trusted-proxy setting and how a forwarded address becomes the client."""

from __future__ import annotations

import httpx
import pytest

from models.context import Ctx
from signup.app import create_app
from signup.proxies import ENV, ProxySettingError, TrustedProxies, trusted_proxies_from_env
from tests.signup.conftest import Invited


def test_the_setting_takes_addresses_and_networks() -> None:
    proxies = trusted_proxies_from_env({ENV: " 10.0.0.1, 192.168.0.0/16 ,::1,2001:db8::/32,"})
    assert proxies
    for host in ("10.0.0.1", "192.168.44.3", "::1", "2001:db8:5::9", "::ffff:10.0.0.1"):
        assert proxies.trusts(host), host
    for host in ("10.0.0.2", "8.8.8.8", "2001:db9::1", "", "unknown", "10.0.0.1\n"):
        assert not proxies.trusts(host), host


def test_without_the_setting_nobody_is_trusted() -> None:
    for environ in ({}, {ENV: ""}, {ENV: " , "}):
        proxies = trusted_proxies_from_env(environ)
        assert not proxies and not proxies.trusts("127.0.0.1")


@pytest.mark.parametrize("value", ["bogus", "10.0.0.300", "10.0.0.1/33", "*", "10.0.0.1/8",
                                   "10.0.0.1 10.0.0.2", "proxy.example"])
def test_a_bad_setting_names_itself_and_the_bad_entry(value: str) -> None:
    with pytest.raises(ProxySettingError) as err:
        trusted_proxies_from_env({ENV: f"10.0.0.5,{value}"})
    message = str(err.value)
    assert message.startswith(f"{ENV}: ")
    assert repr(value) in message and "\n" not in message


def test_an_entry_with_control_characters_is_quoted_escaped() -> None:
    with pytest.raises(ProxySettingError) as err:
        TrustedProxies.parse("10.0.0.1\x1b[31m")
    assert "\x1b" not in str(err.value)


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
    ("10.0.0.2", ["192.0.2.9, 198.51.100.1"], "198.51.100.1"),  # the client wrote the first
    ("10.0.0.2", ["192.0.2.9", "198.51.100.1"], "198.51.100.1"),  # two header lines
    ("10.0.0.2", ["198.51.100.1, 10.9.9.9"], "198.51.100.1"),  # two proxies in a row
    ("10.0.0.2", ["10.1.1.1, 10.9.9.9"], "10.1.1.1"),  # all trusted: the left-most
    ("10.0.0.2", ["198.51.100.1:5555"], "198.51.100.1"),
    ("10.0.0.2", ["[2001:db8::7]:443"], "2001:db8::7"),
    ("10.0.0.2", ["2001:DB8:0::7"], "2001:db8::7"),
    ("10.0.0.2", ["::ffff:198.51.100.1"], "198.51.100.1"),
    ("10.0.0.2", [""], "10.0.0.2"),
    ("10.0.0.2", ["198.51.100.1, unknown"], "10.0.0.2"),  # unreadable: not guessed past
    ("10.0.0.2", ["\x1b[31m"], "10.0.0.2"),
    ("10.0.0.2", [], "10.0.0.2"),
    ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),  # not a proxy: the header is ignored
    ("::ffff:10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
])
def test_the_client_is_the_right_most_untrusted_address(
        peer: str, forwarded: list[str], client: str) -> None:
    proxies = TrustedProxies.parse("10.0.0.0/8")
    assert proxies.client_for(peer, forwarded) == client


async def test_the_scheme_comes_from_a_trusted_proxy_only(
        ctx: Ctx, invited: Invited, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a TLS proxy the CSRF cookie is marked Secure; a stranger cannot claim https."""
    monkeypatch.setenv(ENV, "10.0.0.2")
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"}
    for peer, secure in (("10.0.0.2", True), ("203.0.113.7", False)):
        transport = httpx.ASGITransport(app=create_app(ctx), client=(peer, 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://signup.test") as web:
            resp = await web.get(invited.path, headers=https)
            assert resp.status_code == 200
            assert ("secure" in resp.headers["set-cookie"].lower()) is secure, peer
