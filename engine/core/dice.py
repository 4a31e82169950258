"""The game's one random generator: SplitMix64, whose whole state is one integer.

Why not `random.Random`: its state is 625 numbers and its algorithms may change
between Python versions; a 64-bit integer stored in `GameState` round-trips
through JSON exactly, so a loaded game rolls the same next dice.
"""

from __future__ import annotations

import hashlib
import secrets

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def seed_state(seed: int) -> int:
    """Spread a user's seed (any integer) over 64 bits, so seeds 1 and 2 give unrelated games."""
    return _mix((seed * _GAMMA + 0x632BE59BD9B4E019) & _MASK)


def next_u64(state: int) -> tuple[int, int]:
    state = (state + _GAMMA) & _MASK
    return state, _mix(state)


def d100(state: int) -> tuple[int, int]:
    """Roll a hundred-sided die: (new state, 1..100)."""
    state, z = next_u64(state)
    return state, (z % 100) + 1


def derived(seed: int, *parts: str | int) -> int:
    """A stream for a side's bot (or any consumer outside adjudication) that never disturbs the game's dice."""
    h = seed_state(seed)
    for p in parts:
        for ch in str(p).encode():
            h = _mix((h ^ ch) * _GAMMA & _MASK)
        h = _mix((h + 0x2545F4914F6CDD1D) & _MASK)
    return h


def fresh_seed() -> int:
    """A seed nobody chose: 63 random bits from the operating system.

    A seed people pick (1, 7, 2024) can be found by trying candidates until
    the public rolls match, and then every coming roll and every hidden figure
    follows; a random one of 63 bits cannot be searched.
    """
    return secrets.randbits(63)


def side_key(seed: int, side: str) -> int:
    """A side's own secret for its bot's choices, made once at the start of a game.

    SHA-256, not SplitMix64: `_mix` can be undone, so a key made with it would
    give away the seed and with it every coming roll. A key tells its side
    nothing about the game's dice or another side's key.
    """
    digest = hashlib.sha256(f"wargame side key\x00{seed}\x00{side}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Stream:
    """A small generator over a derived state, for bots: uniform floats and choices."""

    __slots__ = ("state",)

    def __init__(self, state: int):
        self.state = state

    def random(self) -> float:
        self.state, z = next_u64(self.state)
        return (z >> 11) * (1.0 / (1 << 53))

    def randrange(self, n: int) -> int:
        self.state, z = next_u64(self.state)
        return z % n
