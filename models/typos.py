"""Did you mean …? A mail domain one edit away from a common provider or the organization's
own domains.

The rule, in one place:

- a domain is *one edit* from another when one character was inserted, deleted, replaced,
  or two neighbours swapped (gmial.com, gmai.com, gmaill.com, gmail.con);
- a domain that *is* a known provider (``mail.com``, ``ymail.com``, ``gmx.at``,
  ``hotmail.fr`` …) or one of the organization's own domains never gets a suggestion, nor
  does anything two or more edits away (``gmail.co.uk``: three edits from ``gmail.com``,
  and a real domain people use, so nothing is said);
- names of fewer than three characters before the last dot (``x.com``, ``wo.pl``) are
  never corrected: nearly every such name is one edit from some provider and most are real;
- international domains (non-ASCII, or an ``xn--`` label) are never corrected: an edit in a
  U-label or its Punycode says nothing about a typo, and we would rather be silent;
- the organization's own domains win over the providers; among providers the first listed
  in ``TARGETS`` wins.

Lookup is one dictionary probe per domain: every one-edit variant of every provider is
computed once at import (a few ten thousand strings), those of an organization's own
domains once per set of domains.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

# Providers an address is corrected *towards*, most common first.
TARGETS: tuple[str, ...] = (
    "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com",
    "icloud.com", "aol.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr",
    "free.fr", "wp.pl", "o2.pl", "onet.pl", "interia.pl", "uol.com.br", "bol.com.br",
    "proton.me", "protonmail.com", "yandex.ru", "mail.ru", "msn.com", "me.com",
    "hotmail.co.uk", "yahoo.co.uk", "hotmail.fr", "yahoo.fr", "laposte.net", "wanadoo.fr",
    "sfr.fr", "hotmail.de", "yahoo.de", "outlook.de", "freenet.de", "posteo.de",
    "hotmail.es", "yahoo.es", "outlook.es", "terra.com.br", "gmx.at", "gmx.ch",
    "libero.it", "fastmail.com", "zoho.com",
)

# Real mail domains that are one edit from a target: never "corrected".
KNOWN: frozenset[str] = frozenset(TARGETS) | {
    "mail.com", "email.com", "ymail.com", "gmx.com", "gmx.fr", "gmx.es", "gmx.it",
    "live.de", "live.fr", "live.nl", "live.it", "live.co.uk", "live.com.mx", "live.ca",
    "mac.com", "aim.com", "hey.com", "pm.me", "op.pl", "vp.pl", "go2.pl", "tlen.pl",
    "gazeta.pl", "poczta.fm", "ig.com.br", "bk.ru", "list.ru", "inbox.ru", "ya.ru",
    "yandex.com", "rambler.ru", "ukr.net", "arcor.de", "online.de", "mailbox.org",
    "outlook.fr", "outlook.it", "hotmail.it", "yahoo.it", "yahoo.com.br", "hotmail.com.br",
    "outlook.com.br", "qq.com", "163.com", "126.com", "naver.com", "seznam.cz",
    "comcast.net", "verizon.net", "att.net", "btinternet.com", "virgilio.it",
    "tutanota.com", "tuta.io", "googlemail.de",
}

# What a typed domain may hold: letters, digits, the hyphen and the dot.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-."
_MIN_NAME = 3


def _variants(domain: str) -> Iterator[str]:
    """Every string one edit away from `domain`."""
    n = len(domain)
    for i in range(n):
        yield domain[:i] + domain[i + 1:]                            # deletion
        if i + 1 < n and domain[i] != domain[i + 1]:
            yield domain[:i] + domain[i + 1] + domain[i] + domain[i + 2:]  # transposition
        for c in _ALPHABET:
            if c != domain[i]:
                yield domain[:i] + c + domain[i + 1:]                # substitution
    for i in range(n + 1):
        for c in _ALPHABET:
            yield domain[:i] + c + domain[i:]                        # insertion


def _table(domains: Iterable[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for target in domains:
        for variant in _variants(target):
            table.setdefault(variant, target)  # the first listed wins
    return table


_PROVIDERS = _table(TARGETS)


@lru_cache(maxsize=256)
def _own_table(own: tuple[str, ...]) -> tuple[frozenset[str], dict[str, str]]:
    keys = tuple(d for d in (_key(o) for o in own) if d)
    return frozenset(keys), _table(keys)


def _key(domain: str) -> str:
    return domain.strip().rstrip(".").casefold()


def _correctable(domain: str) -> bool:
    if not domain or not domain.isascii() or "." not in domain:
        return False
    if domain.startswith("xn--") or ".xn--" in domain:
        return False
    return len(domain.rpartition(".")[0]) >= _MIN_NAME


def suggest(address_or_domain: str, own_domains: Iterable[str] = ()) -> str | None:
    """The corrected domain (or, given an address, the corrected address), or None.

    `own_domains`: the organization's domains (any case; A-labels for international ones).
    """
    local, at, domain = address_or_domain.strip().rpartition("@")
    domain = _key(domain)
    own, own_table = _own_table(tuple(own_domains))
    if domain in own or domain in KNOWN or not _correctable(domain):
        return None
    fixed = own_table.get(domain) or _PROVIDERS.get(domain)
    if fixed is None:
        return None
    return f"{local}@{fixed}" if at else fixed
