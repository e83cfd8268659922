"""Untrusted text: addresses normalized and case-folded, control characters refused."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from models.text import InvalidAddress, InvalidText, clean_text, display, normalize_email

LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
                min_size=1, max_size=30)
LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                min_size=1, max_size=15)
CONTROL = st.sampled_from(["\x00", "\x07", "\x1b", "\n", "\r", "\t", "\x7f", "\x9b", "\u202e",
                           "\u2066", "\u200f", "\u061c"])


def _valid(local: str, domain: str) -> tuple[str, str] | None:
    try:
        return normalize_email(f"{local}@{domain}")
    except InvalidAddress:
        return None


@given(LOCAL, LABEL, LABEL, st.randoms())
def test_case_variants_of_an_address_share_one_key(local: str, host: str, tld: str,
                                                   rnd: object) -> None:
    domain = f"{host}.{tld}"
    base = _valid(local, domain)
    assume(base is not None)
    assert base is not None
    swapped = _valid(local.swapcase(), domain.swapcase())
    assert swapped is not None
    assert swapped[1] == base[1] == base[1].casefold()
    # normalizing is idempotent
    assert normalize_email(base[0]) == base


def test_alice_in_two_spellings_is_one_key() -> None:
    assert normalize_email("Alice@Example.com")[1] == normalize_email("alice@example.COM")[1]
    assert normalize_email("  alice@example.com ")[0] == "alice@example.com"


@pytest.mark.parametrize("bad", ["", "   ", "alice", "alice@", "@example.com", "a b@example.com",
                                 "alice@@example.com", "alice@example..com",
                                 "alice@exa\nmple.com", "alice\x1b[31m@example.com"])
def test_bad_addresses_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(InvalidAddress) as err:
        normalize_email(bad)
    assert str(err.value)
    assert "\x1b" not in str(err.value) and "\n" not in str(err.value)


@given(st.text(max_size=50), CONTROL, st.text(max_size=50))
def test_clean_text_refuses_any_control_or_bidi_character(a: str, bad: str, b: str) -> None:
    # Surrounding whitespace is trimmed first; inside the text nothing is forgiven.
    # `a` may carry an invisible character first, which is named instead.
    with pytest.raises(InvalidText, match=r"control characters|invisible character"):
        clean_text(f"x{a}{bad}{b}x", "name")


@given(st.text(max_size=300))
def test_display_never_carries_control_characters(value: str) -> None:
    shown = display(value)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert not any(c in shown for c in
                   "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Format (Cf) and unassigned (Cn) characters, and the invisible ones some writing needs,
# have their own tests below.
CONTEXTUAL = ("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
              + "".join(map(chr, range(0xFE00, 0xFE10)))
              + "".join(map(chr, range(0xE0100, 0xE01F0))))
@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cf", "Cn", "Cs", "Zl", "Zp"],
                                      blacklist_characters="\u061c\u200e\u200f\u202a\u202b\u202c"
                                      "\u202d\u202e\u2066\u2067\u2068\u2069" + CONTEXTUAL),
               min_size=1, max_size=200))
def test_clean_text_keeps_printable_text_trimmed(value: str) -> None:
    assume(value.strip())
    out = clean_text(value, "name")
    assert out == out.strip()
    assert display(out) == out


def test_clean_text_limits() -> None:
    with pytest.raises(InvalidText, match="required"):
        clean_text("   ", "organization name")
    with pytest.raises(InvalidText, match="longer than 200"):
        clean_text("x" * 201, "organization name")
    assert clean_text("", "staff name", required=False) == ""
    # Markup-looking text is kept as text; it is the display layer's job never to parse it.
    markup = "[bold]Acme[/bold] [@click=quit]"
    assert clean_text(markup, "name") == markup


LINE_BREAKS = ["\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("bad", [
    "=?utf-8?q?a=0D=0AX-I=3Ay?=@plain.example", "=?utf-8?b?YQ==?=@x.example",
    "Ann <ann@x.example>", '"ann"@x.example', "ann@x.example, bob@y.example",
    *(f"ann@x.example{br}" + "Bcc: spy@evil.example" for br in LINE_BREAKS),
    *(f"an{br}n@x.example" for br in LINE_BREAKS),
    *(f"ann@x.example{br}" for br in LINE_BREAKS),  # at the end too: refused, not trimmed
    *(f"{br}ann@x.example" for br in LINE_BREAKS),
])
def test_an_address_that_is_not_one_plain_mailbox_is_refused(bad: str) -> None:
    """Encoded words, display names, quoting, a second address, any line break: a mail
    reader would turn each into something other than what the row shows."""
    with pytest.raises(InvalidAddress) as err:
        normalize_email(bad)
    message = str(err.value)
    assert message.isprintable(), message  # quoted with escapes, one line
    assert len(message.splitlines()) == 1


def test_international_addresses_are_accepted_as_typed() -> None:
    assert normalize_email("anna@bücher.example")[0] == "anna@bücher.example"
    assert normalize_email("jöhn@acme.example")[0] == "jöhn@acme.example"


# Invisible format characters --------------------------------------------------------------

INVISIBLE_CHARS = ["\u00ad", "\u200b", "\u2060", "\u2061", "\u2064", "\u206a",
                   "\u206f", "\ufeff", "\ufff9", "\ufffb", "\U0001bca0", "\U0001d173",
                   "\U000e0001"]
# Format characters people need, allowed where their writing is (joiners in Persian,
# Devanagari, emoji; a flag's tags; Mongolian's vowel separator), and the marks printed
# with the digits after them.
KEPT_FORMAT = {"\u200c", "\u200d", "\u180e", *map(chr, range(0xE0020, 0xE0080)),
               *map(chr, range(0x600, 0x606)), "\u06dd", "\u070f", "\u0890", "\u0891",
               "\u08e2", "\U000110bd", "\U000110cd", *map(chr, range(0x13430, 0x13440))}


@given(st.text(max_size=10), st.sampled_from(INVISIBLE_CHARS), st.text(max_size=10))
def test_a_name_with_a_character_nobody_sees_is_refused_and_the_character_named(
        a: str, bad: str, b: str) -> None:
    with pytest.raises(InvalidText) as err:
        clean_text(f"Acme{a}{bad}{b}Books", "organization name")
    said = str(err.value)
    assert said.startswith("organization name contains ")
    if "control characters" not in said:  # a or b may hold a control character first
        assert "invisible character" in said and "U+" in said
    assert bad not in display(f"Acme{bad}Books")
    with pytest.raises(InvalidAddress):
        normalize_email(f"ann{bad}@acme.example")


def test_every_format_character_is_refused_but_those_people_need() -> None:
    """Against the standard library's Unicode table: a format character (Cf) added by a
    later Unicode is refused until someone decides it is needed."""
    import sys
    import unicodedata

    for n in range(sys.maxunicode + 1):
        c = chr(n)
        if unicodedata.category(c) != "Cf" or c in KEPT_FORMAT:
            continue
        with pytest.raises(InvalidText):
            clean_text(f"a{c}b", "name")
        assert display(f"a{c}b") == "ab", hex(n)


ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a ZWNJ inside a word


@pytest.mark.parametrize("name", ["👩\u200d💻 Studio", f"{PERSIAN} Co", f"{ENGLAND} Ltd",
                                  "Numbers \u0600\u0661\u0662"])
def test_names_that_need_a_joiner_or_a_tag_are_kept_as_typed(name: str) -> None:
    assert clean_text(name, "name") == name
    assert display(name) == name


def test_every_character_the_rule_matches_is_one_python_counts_unprintable() -> None:
    """mailer/compose skips the substitution for printable text: that is only safe while the
    rule matches nothing printable."""
    import sys

    from models.text import CONTROL as RULE

    matched = [chr(n) for n in range(sys.maxunicode + 1) if RULE.fullmatch(chr(n))]
    assert len(matched) > 100
    assert not [c for c in matched if c.isprintable()]



# Invisible characters some writing needs: there, and only there ----------------------------

MONGOLIAN = "\u1832\u1821\u1837\u182d\u1821\u180e\u1821"
NEEDED_THERE = [
    f"{MONGOLIAN} Trading",                      # the vowel separator inside a word
    "\u2764\ufe0f Studio",                        # ❤️: an emoji's presentation selector
    "\u2764\ufe0f\u200d\U0001f525 Co",             # ❤️‍🔥: a joined emoji
    "\U0001f469\U0001f3fd\u200d\U0001f4bb Studio",  # a skin tone, joined
    "1\ufe0f\u20e3 Co",                            # a keycap
    "\u0915\u094d\u200d\u0937 Ltd",                 # Devanagari, a joiner kept half-form
    "\u845b\U000e0100 Foods",                      # an ideograph's variant
    "\u0d30\u0d3e\u0d1c\u0d28\u0d4d\u200d",           # Malayalam: a chillu at a word's end
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Ltd",  # Scotland
    "\u00a9\ufe0f Studio",                         # ©️
    "\u203c\ufe0f \u2122\ufe0f Co",                  # ‼️ ™️
]
OUT_OF_PLACE = [
    "Acme\U000e0041Books",   # a tag letter with no flag
    "AcmeBooks\U000e007f",   # a cancel tag alone
    "Acme\u034fBooks",       # the grapheme joiner between letters
    "Acme\u3164Books", "Acme\u115fBooks", "Acme\u1160Books", "Acme\uffa0Books",  # fillers
    "Acme\ufe0fBooks",       # a presentation selector after a Latin letter
    "Acme\U000e0100Books",   # an ideographic variant after a Latin letter
    "Acme\u180bBooks", "Acme\u180eBooks",  # Mongolian's selectors outside Mongolian
    "Acme\u17b4Books",       # Khmer's inherent vowel
    "Ac\u200dme Books", "Ac\u200cme Books",  # joiners between Latin letters
    "\u200dAcme",            # a joiner with nothing before it
    # found by the second attack: rules any neighbour satisfied
    "\u682a\u5f0f\u200d\u4f1a\u793e",  # a joiner between ideographs (looks like 株式会社)
    "\uc0bc\u200c\uc131",   # between Hangul syllables
    "\uff21\uff23\u200d\uff2d\uff25",  # between fullwidth Latin letters
    "Acm\u1ec5\u200d\u1ed7",  # between Vietnamese letters
    "Caf\u00e9\ufe0f Books",  # a presentation selector after a Latin letter
    "\uc0bc\U000e0100\uc131",  # an ideographic variant after Hangul
    "Acme\U0001f642\U000e0100",  # ... after an emoji
    "Acme \U0001f3f4\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065\U000e007f",
    "Acme \U0001f3f4\U000e007f",  # a flag with only its cancel tag
    "\u0939\u093f\u034f\u034f\u0928",  # grapheme joiners after a vowel sign, twice
    "Acme x\u0301\u034fBooks",  # a grapheme joiner before a letter
    "Crest Telecom Ltd\u2065", "Jana\U000e0000 Castillo",  # code points kept invisible
    "Orbit Energy\U00013430",  # a hieroglyph joiner after Latin
    "\u0600Silver Realty",     # a number sign with no number
    "Acme\u2800Books",         # braille's blank between Latin letters
    "Acme\u2002\u200d\u2003Books",  # a joiner between two spaces
    "Acme\u2002\ufe0fBooks",  # a presentation selector after a space
    # found by review
    "\u0628\u200c1 Co",       # Arabic: a non-joiner before a digit changes nothing seen
    "\u0634\u0631\u06a9\u062a\u200c",  # ... nor at a word's end
    "\ufe0f\u20e3x",          # a keycap with no digit
]


@pytest.mark.parametrize("name", NEEDED_THERE)
def test_invisible_characters_stay_where_their_writing_needs_them(name: str) -> None:
    assert clean_text(name, "name") == name
    assert display(name) == name


@pytest.mark.parametrize("name", OUT_OF_PLACE)
def test_invisible_characters_out_of_their_writing_are_refused_and_named(name: str) -> None:
    with pytest.raises(InvalidText, match=r"invisible character \(U\+[0-9A-F]{4,5}[ )]"):
        clean_text(name, "organization name")


ALL_INVISIBLE = [*INVISIBLE_CHARS, "\u200c", "\u200d", "\u034f", "\u3164", "\ufe0f",
                 "\U000e0041", "\U000e0100", "\u180b", "\u180e", "\u17b4"]


@given(st.sampled_from(ALL_INVISIBLE), st.integers(min_value=0, max_value=16))
def test_no_invisible_character_is_ever_in_an_address(bad: str, at: int) -> None:
    """Not even one some writing needs: the domain's IDNA mapping drops it silently (the
    address would change), the mailbox keeps a lookalike."""
    address = "ann.lee@example.com"
    typed = address[:at] + bad + address[at:]
    with pytest.raises(InvalidAddress) as err:
        normalize_email(typed)
    said = str(err.value)
    assert "invisible character" in said or "control" in said
    assert bad not in said, "named and escaped, not carried into the message"


@pytest.mark.parametrize(("typed", "odd"), [("\uff41nn@example.com", "U+FF41"),
                                             ("ann@\uff45xample.com", "U+FF45"),
                                             ("\ufb01nn@example.com", "U+FB01")])
def test_an_address_in_compatibility_characters_is_refused(typed: str, odd: str) -> None:
    import re

    with pytest.raises(InvalidAddress, match=re.escape(odd)):
        normalize_email(typed)


def test_international_addresses_still_come_through_as_typed() -> None:
    assert normalize_email("j\u00f6rg@b\u00fccher.de")[0] == "j\u00f6rg@b\u00fccher.de"


@pytest.mark.parametrize("c", ["\U000e0041", "\U000e0001", "\U0001d173", "\U000e0100"])
def test_a_character_beyond_u_ffff_is_escaped_with_eight_digits(c: str) -> None:
    from models.text import printable, quote

    assert printable(f"a{c}1b") == f"a\\U{ord(c):08x}1b"
    assert quote(f"a{c}1b") != quote(f"a{chr(ord(c) >> 4)}{ord(c) & 15:x}1b")



@pytest.mark.parametrize("typed", ["acm\u034fe.example", "evil\ufe0f.example",
                                   "gmai\U000e0100l.com", "ex\u3164ample.com",
                                   "evi\u180bl.example", "a\u3002b.example",
                                   "\uff41cme.example", "x\u200dy.example"])
def test_a_domain_the_name_system_would_change_is_refused_not_rewritten(typed: str) -> None:
    """Found by attack: `org domains ID add` stored gmail.com for gmai<U+E0100>l.com."""
    from models.domains import InvalidDomain, domain_key

    with pytest.raises(InvalidDomain) as err:
        domain_key(typed)
    assert "invisible character (U+" in str(err.value) or "would be read as" in str(err.value)
    with pytest.raises(InvalidAddress):
        normalize_email(f"ann@{typed}")


@pytest.mark.parametrize(("typed", "key"), [("ACME.example", "acme.example"),
                                            ("B\u00fccher.de", "xn--bcher-kva.de"),
                                            ("bu\u0308cher.de", "xn--bcher-kva.de")])
def test_a_domain_differing_only_in_case_or_composition_is_the_same(typed: str, key: str) -> None:
    from models.domains import domain_key

    assert domain_key(typed) == key



@pytest.mark.parametrize("name", NEEDED_THERE)
def test_a_message_shows_a_name_with_what_its_writing_needs_as_typed(name: str) -> None:
    """Found by review: ❤️ was quoted as ❤\\ufe0f in messages and logs."""
    from models.text import printable

    assert printable(name) == name


def test_a_domain_differing_only_by_idnas_own_case_folding_is_no_change() -> None:
    """Found by review: Cherokee folds differently in Python and in IDNA."""
    cherokee = "\u13e3\u13b3\u13a9.com"
    assert normalize_email(f"a@{cherokee}")


def test_a_compatibility_space_in_an_address_is_to_be_removed() -> None:
    with pytest.raises(InvalidAddress, match="remove it"):
        normalize_email("jo\u3000hn@example.com")
