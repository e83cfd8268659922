"""Did you mean …? Misspellings get the provider or own domain; near misses get nothing."""

from __future__ import annotations

import time

import pytest

from models.typos import KNOWN, TARGETS, suggest

OWN = ("acme-robotics.example", "xn--bcher-kva.example")

MISSPELLINGS = [
    ("gmial.com", "gmail.com"),            # adjacent letters swapped
    ("gmai.com", "gmail.com"),             # a letter missing
    ("gmaill.com", "gmail.com"),           # a letter doubled
    ("gmail.con", "gmail.com"),            # the top-level domain mistyped
    ("gmail.co", "gmail.com"),             # ... or cut short
    ("hotmial.com", "hotmail.com"),
    ("outlok.com", "outlook.com"),
    ("yahooo.com", "yahoo.com"),
    ("iclod.com", "icloud.com"),
    ("t-onlien.de", "t-online.de"),
    ("onte.pl", "onet.pl"),
    ("interai.pl", "interia.pl"),
    ("uol.com.bt", "uol.com.br"),
    ("protonmial.com", "protonmail.com"),
    ("yandx.ru", "yandex.ru"),
    ("GMIAL.COM", "gmail.com"),            # any case
    ("gmial.com.", "gmail.com"),           # a trailing root dot
    ("acme-robotcs.example", "acme-robotics.example"),   # the organization's own domain
    ("acme-robotisc.example", "acme-robotics.example"),
    ("ACME-ROBOTICS.EXAMPL", "acme-robotics.example"),
]

NOTHING = [
    # Providers themselves, including those one edit from another provider.
    "gmail.com", "mail.com", "email.com", "ymail.com", "gmx.at", "gmx.net", "gmx.de",
    "live.de", "me.com", "mac.com", "op.pl", "wp.pl", "o2.pl", "hotmail.fr",
    # The organization's own domains, in any case.
    "acme-robotics.example", "ACME-Robotics.Example", "xn--bcher-kva.example",
    # Well formed and further away: gmail.co.uk is three edits from gmail.com and a domain
    # people really use, so it is left alone.
    "gmail.co.uk", "example.com", "client.example", "acme.example", "gmx.example",
    "hotmail-support.com", "yahoo-inc.com", "outlook.office365.com",
    # Names of one or two characters: nearly all are one edit from some provider.
    "x.com", "q.pl", "p.pl", "wo.pl", "o3.pl", "ao.com",
    # International domains (U-label or A-label): never corrected.
    "gmäil.com", "bücher.de", "xn--gmil-toa.com", "mail.xn--p1ai", "gm\u0430il.com",  # a Cyrillic a
    # Very long, and degenerate input.
    "a" * 250 + ".com", "sub." * 60 + "gmail.com", "", "@", "localhost", "gmail",
]


@pytest.mark.parametrize(("typed", "expected"), MISSPELLINGS)
def test_a_misspelled_domain_gets_the_provider_or_own_domain(typed: str, expected: str) -> None:
    assert suggest(typed, OWN) == expected


@pytest.mark.parametrize("typed", NOTHING)
def test_no_false_alarm(typed: str) -> None:
    assert suggest(typed, OWN) is None


def test_an_address_gets_the_corrected_address_with_its_local_part_as_typed() -> None:
    assert suggest("Ann.Smith+x@gmial.com") == "Ann.Smith+x@gmail.com"
    assert suggest("bob@acme-robotcs.example", OWN) == "bob@acme-robotics.example"
    assert suggest("bob@gmail.com") is None
    assert suggest("odd@local@gmial.com") == "odd@local@gmail.com"


def test_own_domains_win_over_providers() -> None:
    # "gmial.org" is one edit from this organization's own "gmail.org", not a provider.
    assert suggest("gmial.org", ("gmail.org",)) == "gmail.org"
    assert suggest("gmail.org", ("gmail.org",)) is None


def test_an_own_domain_that_is_a_typo_of_a_provider_is_never_flagged() -> None:
    # An organization whose real domain is hotmai.com: its people are not corrected.
    assert suggest("hotmai.com") == "hotmail.com"
    assert suggest("ann@hotmai.com", ["hotmai.com"]) is None


def test_every_target_is_known_and_none_is_a_typo_of_another() -> None:
    assert set(TARGETS) <= KNOWN
    assert [t for t in KNOWN if suggest(t) is not None] == []


def test_ten_thousand_addresses_in_well_under_a_second() -> None:
    domains = [*(d for d, _ in MISSPELLINGS), *NOTHING]
    addresses = [f"user{i}@{domains[i % len(domains)]}" for i in range(10_000)]
    suggest("warm@up.example", OWN)
    start = time.perf_counter()
    found = sum(1 for a in addresses if suggest(a, OWN))
    elapsed = time.perf_counter() - start
    assert found > 1000
    assert elapsed < 0.25, f"{elapsed:.3f} s for 10,000 addresses"
