"""Invitee passwords: argon2id at no less than the library's recommended cost (the other tests
hash at the lowest cost, tests/conftest.py), and only the right password verifies."""

from __future__ import annotations

import pytest
from argon2.profiles import RFC_9106_LOW_MEMORY

from models.passwords import hash_password, verify_password

pytestmark = pytest.mark.real_password_cost


def test_a_password_is_hashed_at_the_recommended_cost_and_only_it_verifies() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    cost = dict(kv.split("=") for kv in stored.split("$")[3].split(","))
    assert int(cost["m"]) >= RFC_9106_LOW_MEMORY.memory_cost
    assert int(cost["t"]) >= RFC_9106_LOW_MEMORY.time_cost
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterz")
