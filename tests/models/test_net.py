"""The one loopback rule the mail relay (TLS optional) and the signup page (plain HTTP
allowed) share."""

from __future__ import annotations

import pytest

from models.net import is_loopback


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost.", "127.0.0.1",
                                  "127.8.9.10", "::1", "[::1]"])
def test_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::", "10.0.0.1", "example.com",  # noqa: S104
                                  "localhost.example.com", "mylocalhost", "[::2]"])
def test_not_loopback(host: str) -> None:
    assert not is_loopback(host)
