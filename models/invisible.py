"""Characters nobody sees, and where some writing needs them.

INVISIBLE: refused in every name and address, dropped on display: the format characters no
writing needs (zero-width space, soft hyphen, byte-order mark, word joiner...) and the code
points Unicode keeps invisible for later. "Acme\u200bBooks" looks like "AcmeBooks" in every
list, and terminals disagree on their width. All of them are characters Python counts as
unprintable (mailer/compose relies on that).

CONTEXTUAL: Unicode's other default-ignorable characters, and the format marks that act on
their neighbours. Some writing needs them (a joiner in Persian or Malayalam, an emoji's
presentation selector, a flag's tags, an ideograph's variant, Mongolian's selectors, a sign
printed with the digits after it); `misplaced` allows each only beside that writing, since
elsewhere it only makes a lookalike. Addresses take none of them (models.text).
"""

from __future__ import annotations

import unicodedata

INVISIBLE = ("\u00ad\u200b\u2060-\u2065\u206a-\u206f\ufeff\ufff0-\ufff8\ufff9-\ufffb"
             "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e001f"
             "\U000e0080-\U000e00ff\U000e01f0-\U000e0fff")
CONTEXTUAL = ("\u034f\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
              "\u180b-\u180f\u200c\u200d\u2800\u3164\ufe00-\ufe0f\uffa0\U000110bd\U000110cd"
              "\U00013430-\U0001343f\U000e0020-\U000e007f\U000e0100-\U000e01ef")

Ranges = tuple[tuple[int, int], ...]
# Scripts that join letters and use the zero-width joiner and non-joiner: Arabic, Syriac,
# N'Ko, the Indic scripts, Tibetan, Myanmar, Khmer, Mongolian.
JOINING: Ranges = ((0x0600, 0x08FF), (0x0900, 0x0DFF), (0x0F00, 0x0FFF), (0x1000, 0x109F),
                   (0x1780, 0x17FF), (0x1800, 0x18AF), (0xA8E0, 0xA8FF), (0xFB50, 0xFDFF),
                   (0xFE70, 0xFEFF))
INDIC: Ranges = ((0x0900, 0x0DFF),)
# Symbols and emoji that take a presentation selector or join into one emoji.
# Not the spaces and punctuation of U+2000-206F: ‼ and ⁉ only.
EMOJI: Ranges = ((0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
                 (0x2100, 0x2BFF), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3299),
                 (0x1F000, 0x1FAFF))
IDEOGRAPHS: Ranges = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                      (0x20000, 0x3FFFF))
# Standardized variants beyond emoji and ideographs: Myanmar, Phags-pa, Manichaean...
VARIANTS: Ranges = (*EMOJI, *IDEOGRAPHS, (0x1000, 0x109F), (0xA840, 0xA87F),
                    (0x10AC0, 0x10AFF))
MONGOLIAN: Ranges = ((0x1800, 0x18AF),)
HIEROGLYPHS: Ranges = ((0x13000, 0x1345F),)
BRAILLE: Ranges = ((0x2801, 0x28FF),)
# The subdivision flags emoji know: England, Scotland, Wales. Others draw as a black flag
# with the tag letters hidden: a place to smuggle text.
FLAGS = {"\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in name) + "\U000e007f"
         for name in ("gbeng", "gbsct", "gbwls")}
PREPENDED = "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd" \
            "\U000110cd"


def _in(c: str, ranges: Ranges) -> bool:
    if not c:
        return False
    n = ord(c)
    return any(lo <= n <= hi for lo, hi in ranges)


def _mark(c: str) -> bool:
    return bool(c) and unicodedata.category(c).startswith("M")


def _keycap(before: str, after: str) -> bool:
    return before != "" and before in "0123456789#*" and after == "\u20e3"


def _tags_form_a_flag(text: str, i: int) -> bool:
    # A flag's run of tags is six long: walking no further keeps a long run (a server's
    # reply escaped by models.text.printable) linear.
    start = end = i
    while start and i - start < 8 and 0xE0020 <= ord(text[start - 1]) <= 0xE007F:
        start -= 1
    while end + 1 < len(text) and end - i < 8 and 0xE0020 <= ord(text[end + 1]) <= 0xE007F:
        end += 1
    return start > 0 and text[start - 1:end + 1] in FLAGS


def needed(text: str, i: int) -> bool:
    """Whether the CONTEXTUAL character at `i` is beside the writing that needs it."""
    c, n = text[i], ord(text[i])
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if c in "\u200c\u200d":
        if (_in(before, EMOJI) or before == "\ufe0f") and _in(after, EMOJI):
            return True  # one emoji of several (a profession, a family, a skin tone)
        if _in(before, JOINING) and _in(after, JOINING):
            return True  # inside a word of a joining script
        # At the end of an Indic word (Malayalam's chillu: letter, virama, ZWJ). Arabic's
        # letters take their final form there anyway: a joiner changes nothing one sees.
        return _in(before, INDIC) and (not after or after.isspace()
                                       or unicodedata.category(after)[0] in "NP")
    if c == "\u034f":  # the grapheme joiner keeps two combining marks apart
        return _mark(before) and _mark(after)
    if c in PREPENDED:  # printed with the number after it
        return bool(after) and unicodedata.category(after) == "Nd"
    if n == 0xFE0F:
        return _in(before, EMOJI) or _keycap(before, after)
    if 0xFE00 <= n <= 0xFE0E:
        return _in(before, VARIANTS) or _keycap(before, after)
    if 0xE0100 <= n <= 0xE01EF:
        return _in(before, IDEOGRAPHS)
    if 0x180B <= n <= 0x180F:
        return _in(before, MONGOLIAN)
    if 0x13430 <= n <= 0x1343F:
        return _in(before, HIEROGLYPHS) and _in(after, HIEROGLYPHS)
    if n == 0x2800:  # braille's blank, between braille
        return _in(before, BRAILLE) and _in(after, BRAILLE)
    if 0xE0020 <= n <= 0xE007F:
        return _tags_form_a_flag(text, i)
    return False  # the Hangul fillers, Khmer's two inherent vowels: no writing needs them
