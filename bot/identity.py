"""Console identities: a name given to `/as` or `--as`, or the operating-system login.

Chat adapters give user ids (Slack's ``U0123``) that are compared exactly as given. The console
has only names, and a name that merely looks like another (``ALICE``, a Cyrillic ``а``, a
zero-width space) must be that user or nobody: `console_user` NFKC-normalises and case-folds it
(``ALICE`` and ``ａｌｉｃｅ`` are ``alice``) and refuses, in one line, names with invisible
characters (controls, format characters such as zero-width spaces and direction marks, spaces,
the default-ignorable fillers and selectors), letters of more than one script, or non-ASCII
characters that are not letters (a ``‐`` that looks like ``-``). The result is the user id.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 64

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_IGNORABLE = (  # default-ignorable code points that are not in the categories above
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
_SAME_SCRIPT = {"HIRAGANA": "CJK", "KATAKANA": "CJK"}  # Japanese names mix these with Han


class IdentityError(ValueError):
    """A console name that is refused; the message is one line."""


def console_user(raw: str) -> str:
    """The user id for the console name ``raw`` (normalised), or `IdentityError` saying why."""
    shown = ascii(raw[:MAX_LENGTH])
    name = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
    if not name:
        raise IdentityError("a user name must not be empty")
    if len(name) > MAX_LENGTH:
        raise IdentityError(f"a user name has at most {MAX_LENGTH} characters")
    scripts: set[str] = set()
    for ch in name:
        if _invisible(ch):
            raise IdentityError(
                f"user name {shown} contains an invisible character (U+{ord(ch):04X}); "
                "type the name plainly"
            )
        category = unicodedata.category(ch)
        if category.startswith("L"):
            scripts.add(_script(ch))
        elif not ch.isascii() and not category.startswith("M"):
            raise IdentityError(
                f"user name {shown} contains U+{ord(ch):04X}, which is neither a letter nor "
                "ASCII (it may look like another character)"
            )
    if len(scripts) > 1:
        raise IdentityError(
            f"user name {shown} mixes scripts ({', '.join(sorted(scripts)).lower()}), "
            "as a look-alike of another name would"
        )
    return name


def _invisible(ch: str) -> bool:
    if unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _IGNORABLE)


def _script(letter: str) -> str:
    """The script of a letter, from its Unicode name ("CYRILLIC SMALL LETTER A" → CYRILLIC)."""
    word = unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]
    return _SAME_SCRIPT.get(word, word)
