"""Many games side by side: each part of a game's state is a numpy array with one entry per game.

Keys name the part, e.g. `("v", ACTOR, VARIABLE)` for an actor's
variable, `("g", name)` for a global, `("r", "a|b", rel)` for a relation,
`("ag", id)` for an agreement's lifecycle state (an index into the lifecycle's
states, -1 while it does not exist). A `View` reads the state and writes to it
under a mask of games; a preview view writes into an overlay instead, so a
bot can look at the state after an order without copying anything else.

The dice are the reference engine's SplitMix64 (engine/core/dice.py) on uint64
arrays: numpy's unsigned arithmetic wraps modulo 2**64 exactly as the
reference engine's `& _MASK` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.core import dice

U64 = np.uint64
GAMMA = U64(dice._GAMMA)
_M1, _M2 = U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = U64(30), U64(27), U64(31), U64(11)
_DERIVE = U64(0x2545F4914F6CDD1D)
_UNIT = 1.0 / (1 << 53)
_EXACT = float(2**52)

Mask = Any  # a bool array with one entry per game, or a plain bool meaning every game

#: the value a part has in a game that has never written it
_DEFAULTS: dict[str, tuple[Any, type]] = {
    "att_n": (0, np.int32),      # times an actor has played a card
    "att_last": (-1, np.int32),  # the last turn it did (-1: never)
    "succ": (-1, np.int32),      # the last turn it succeeded (-1: never)
    "fired": (False, np.bool_),  # an event has fired
    "ever": (False, np.bool_),   # an objective judged "ever" has held after a turn
    "ag": (-1, np.int8),         # an agreement's state (-1: does not exist)
    "agp": (-1, np.int16),       # its proposer (-1: none)
    "ags": (0, np.int32),        # the turn of its last change
    "agr": (-1, np.int32),       # its place among the game's agreements (creation order)
    "agsign": (-1, np.int32),    # the first turn it was signed in the game (-1: not yet)
    "escalated": (False, np.bool_),  # something escalated during this turn's orders and events
}


def mix(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def d100(rng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every game rolls a hundred-sided die: (new dice states, rolls 1..100)."""
    rng = rng + GAMMA
    return rng, (mix(rng) % U64(100)).astype(np.int64) + 1


def derive(h: np.ndarray, *parts: str | int) -> np.ndarray:
    """`dice.derived` continued over more parts, for every game at once."""
    for p in parts:
        for ch in str(p).encode():
            h = mix((h ^ U64(ch)) * GAMMA)
        h = mix(h + _DERIVE)
    return h


def stream_draw(start: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The `index`-th `Stream.random()` of streams starting at `start` (SplitMix64 is counter based)."""
    z = mix(start + (index.astype(U64) + U64(1)) * GAMMA)
    return (z >> _S11).astype(np.float64) * _UNIT


def round6(x: np.ndarray) -> np.ndarray:
    """`engine.scenario.language.round6` for arrays: the same rounding, bit for bit."""
    y = x * 1e6
    return np.where(np.abs(y) < _EXACT, np.rint(y) / 1e6, x)


class BatchState:
    """The state of `n` games of one scenario, played in step (every game is on the same turn until it ends)."""

    def __init__(self, seeds: list[int]):
        self.seeds = list(seeds)
        self.n = len(self.seeds)
        self.turn = 1
        self.a: dict[tuple, np.ndarray] = {}

    def get(self, key: tuple) -> np.ndarray:
        arr = self.a.get(key)
        if arr is None:
            value, dtype = _DEFAULTS[key[0]]
            arr = self.a[key] = np.full(self.n, value, dtype=dtype)
        return arr


class View:
    """Reads and writes a batch state under masks; with `preview=True` writes go to an overlay only.

    With `belief` (a bot's: engine/bots/batch_quick.py), parts its side may not
    see read as the stand-ins the reference engine's `Fog.believed_state` puts there.
    """

    __slots__ = ("base", "belief", "over", "turn")

    def __init__(self, base: BatchState, preview: bool = False, belief: Any = None):
        self.base = base
        self.over: dict[tuple, np.ndarray] | None = {} if preview else None
        self.turn = base.turn
        self.belief = belief

    def get(self, key: tuple) -> np.ndarray:
        if self.over is not None:
            v = self.over.get(key)
            if v is not None:
                return v
        if self.belief is not None:
            stand_in = self.belief.stand_in(key)
            if stand_in is not None:
                return stand_in
        return self.base.get(key)

    def put(self, key: tuple, values: Any, mask: Mask) -> None:
        old = self.get(key)
        if mask is True:
            new = np.broadcast_to(np.asarray(values, dtype=old.dtype), old.shape).copy()
        else:
            new = np.where(mask, values, old).astype(old.dtype, copy=False)
        if self.over is not None:
            self.over[key] = new
        else:
            self.base.a[key] = new
