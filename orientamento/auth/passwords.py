"""Password hashing (argon2id) and the password policy.

A new password needs 8 to 128 characters, must not contain the user's name, username or
e-mail, and must reach zxcvbn's score 3 (10^8 guesses) with the user's names among the words it
tries; when it does not, zxcvbn's warning and suggestions are shown in our own translated words.
"""

from __future__ import annotations

import re
import threading
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import LazyString

from orientamento.core.i18n import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128
#: zxcvbn's score 3 ("safely unguessable") starts at 10^8 guesses. The threshold is applied to
#: the guesses themselves, boundary included: zxcvbn estimates 10^8 + 1 guesses for any 8
#: characters without a pattern and puts that in score 2, which would refuse every password of
#: 8 characters, against the policy's minimum of 8.
MIN_GUESSES = 10**8
#: zxcvbn's own limit: it refuses longer passwords, whose analysis gets slow.
ZXCVBN_MAX_LENGTH = 72

_zxcvbn_lock = threading.Lock()

TOO_EASY = _l("This password is too common or too easy to guess.")
GENERIC_SUGGESTION = _l("Try a short sentence of uncommon words that you can remember.")

#: Every warning and suggestion zxcvbn 4.5 can give (zxcvbn/feedback.py), in our own words so
#: that they are translated; anything else falls back to TOO_EASY or GENERIC_SUGGESTION.
ZXCVBN_MESSAGES: dict[str, object] = {
    # warnings
    "Straight rows of keys are easy to guess.":
        _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.":
        _l("Short keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.':
        _l('Repeated characters such as "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l('Repeated groups such as "abcabcabc" are hardly harder to guess than "abc".'),
    'Sequences like "abc" or "6543" are easy to guess.':
        _l('Sequences such as "abc" or "6543" are easy to guess.'),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "This is a top-10 common password.": _l("This is one of the 10 most common passwords."),
    "This is a top-100 common password.": _l("This is one of the 100 most common passwords."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.":
        _l("This is similar to a commonly used password."),
    "A word by itself is easy to guess.": _l("A single word is easy to guess."),
    "Names and surnames by themselves are easy to guess.":
        _l("Names and surnames on their own are easy to guess."),
    "Common names and surnames are easy to guess.":
        _l("Common names and surnames are easy to guess."),
    # suggestions
    "Use a few words, avoid common phrases.": _l("Use a few words, but not a common phrase."),
    "No need for symbols, digits, or uppercase letters.":
        _l("Symbols, digits and capital letters are not required."),
    "Add another word or two. Uncommon words are better.":
        _l("Add another word or two: uncommon words are better."),
    "Use a longer keyboard pattern with more turns.":
        _l("Use a longer keyboard pattern with more turns."),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    "Avoid sequences.": _l("Avoid sequences of letters or numbers."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are linked to you."),
    "Avoid dates and years that are associated with you.":
        _l("Avoid dates and years that are linked to you."),
    "Capitalization doesn't help very much.": _l("Capital letters do not help much."),
    "All-uppercase is almost as easy to guess as all-lowercase.":
        _l("All capitals are almost as easy to guess as all lower case."),
    "Reversed words aren't much harder to guess.":
        _l("Words written backwards are not much harder to guess."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        _l('Predictable substitutions such as "@" for "a" do not help much.'),
}

#: argon2id with OWASP's recommended minimum (Password Storage Cheat Sheet: 19 MiB, 2 passes,
#: 1 lane), not argon2-cffi's default (RFC 9106's low-memory choice: 64 MiB, 3 passes, 4 lanes).
#: Measured here: 0.23 s of CPU per verification with the default, 0.03 s with these; on the
#: 2 cores of the reference machine a class of 25 logging in at once waited about 3 s for the
#: last password check, now under half a second. Hashes made with other parameters are
#: rehashed with these at the next successful login (``needs_rehash``).
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1
_hasher = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB,
                         parallelism=ARGON2_PARALLELISM)
# Verified against when the account does not exist, so both cases take as long.
_DUMMY_HASH = _hasher.hash("orientamento-timing-equaliser")


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash (or a dummy one when there is none)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash uses outdated parameters."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of the zxcvbn frequency list."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def personal_words(*personal: str | None) -> list[str]:
    """Split names and e-mail addresses into the words a guesser would try (3+ letters)."""
    words: list[str] = []
    for value in personal:
        lowered = (value or "").strip().lower()
        pieces = [lowered, lowered.split("@")[0], *re.split(r"[^\w]+", lowered)]
        words += [piece for piece in pieces if len(piece) >= 3 and piece not in words]
    return words


def _feedback(password: str, personal: list[str]) -> tuple[float, str, list[str]]:
    """Return zxcvbn's estimate of the guesses needed, its warning and its suggestions."""
    # Imported here: the dictionaries take memory and time, and only password forms need them.
    from zxcvbn import zxcvbn

    # zxcvbn keeps the user inputs in a module-level dictionary while it matches, so two
    # threads must not interleave. Past ZXCVBN_MAX_LENGTH characters it refuses to work (its
    # cost grows fast); a longer password is at least as strong as its beginning.
    with _zxcvbn_lock:
        result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=personal)
    feedback = result["feedback"]
    return float(result["guesses"]), feedback["warning"], list(feedback["suggestions"])


def _translated(warning: str, suggestions: list[str]) -> object:
    """Return zxcvbn's English feedback in our own, translated words, as one message."""
    parts: list[object] = [ZXCVBN_MESSAGES.get(warning, TOO_EASY) if warning else TOO_EASY]
    for suggestion in suggestions:
        message = ZXCVBN_MESSAGES.get(suggestion, GENERIC_SUGGESTION)
        if all(message is not part for part in parts):  # the same object: no translation yet
            parts.append(message)
    return LazyString(lambda: " ".join(str(part) for part in parts))


def password_problems(password: str, *personal: str | None) -> list[object]:
    """Return the reasons a new password is refused (empty when it is fine)."""
    if len(password) < MIN_LENGTH:
        return [_l("Use at least %(n)d characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_l("Use at most %(n)d characters.", n=MAX_LENGTH)]
    problems: list[object] = []
    lowered = password.lower()
    for value in personal:
        if value and len(value) >= 4 and value.lower().split("@")[0] in lowered:
            problems.append(_l("Do not use your name, username or e-mail in the password."))
            break
    guesses, warning, suggestions = _feedback(password, personal_words(*personal))
    if guesses < MIN_GUESSES:
        problems.append(_translated(warning, suggestions))
    elif lowered in common_passwords() or len(set(lowered)) < 4:
        problems.append(TOO_EASY)
    return problems
