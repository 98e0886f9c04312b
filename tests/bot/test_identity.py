"""Console names: normalised to one user id, or refused in one line when they could deceive."""

from __future__ import annotations

import pytest

from bot.identity import MAX_LENGTH, IdentityError, console_user


@pytest.mark.parametrize(
    ("given", "user"),
    [
        ("alice", "alice"),
        ("ALICE", "alice"),
        ("\uff21lice", "alice"),  # fullwidth A
        ("\U0001d41alice", "alice"),  # mathematical bold a
        ("Stra\u00dfe", "strasse"),
        ("j.doe-smith_2@corp", "j.doe-smith_2@corp"),
        ("\u0436\u043e\u0440\u0430", "\u0436\u043e\u0440\u0430"),  # all Cyrillic: one script
        ("\u5c71\u7530\u305f\u308d\u3046", "\u5c71\u7530\u305f\u308d\u3046"),  # Han + hiragana
        ("jose\u0301", "jos\u00e9"),  # a combining accent is composed
    ],
)
def test_names_are_normalised(given: str, user: str) -> None:
    assert console_user(given) == user


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("\u0430lice", "mixes scripts (cyrillic, latin)"),
        ("\u03b1lice", "mixes scripts (greek, latin)"),
        ("ali\u200bce", "invisible character (U+200B)"),
        ("alice\u200d", "invisible character (U+200D)"),
        ("ali\u00adce", "invisible character (U+00AD)"),
        ("ali\u034fce", "invisible character (U+034F)"),
        ("\u3164alice", "invisible character (U+1160)"),  # Hangul filler (NFKC: U+1160)
        ("ali\ufe0fce", "invisible character (U+FE0F)"),
        ("alice\u00a0", "invisible character (U+0020)"),  # no-break space becomes a space
        ("ali\tce", "invisible character (U+0009)"),
        ("\u202eecila", "invisible character (U+202E)"),
        ("ali\u2010ce", "U+2010, which is neither a letter nor ASCII"),
        ("", "must not be empty"),
        ("a" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH} characters"),
    ],
)
def test_deceptive_names_are_refused_in_one_line(given: str, why: str) -> None:
    with pytest.raises(IdentityError) as caught:
        console_user(given)
    message = str(caught.value)
    assert why in message and "\n" not in message
    assert message.isascii()  # the name is shown escaped, so the refusal shows the difference
