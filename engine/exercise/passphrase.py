"""The facilitator's passphrase: it keeps teams at the same screen out of the control panel.

Only a salted PBKDF2 hash is kept (never the passphrase), and it is checked in
constant time. The salt comes from the operating system, not the game's dice:
the lock belongs to the session at the screen, not to the game state, so it
never touches determinism or the save files.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

ITERATIONS = 200_000
MIN_LENGTH = 4


@dataclass(frozen=True)
class Lock:
    salt: bytes
    digest: bytes

    def opens_with(self, attempt: str) -> bool:
        return hmac.compare_digest(_hash(attempt, self.salt), self.digest)


def make_lock(passphrase: str) -> Lock:
    """A lock for `passphrase`; refuses one too short to keep a curious team out."""
    if len(passphrase.strip()) < MIN_LENGTH:
        raise ValueError(f"the facilitator passphrase needs at least {MIN_LENGTH} characters")
    salt = os.urandom(16)
    return Lock(salt, _hash(passphrase, salt))


def _hash(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, ITERATIONS)
