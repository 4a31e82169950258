"""A person playing one side at the terminal (`play --headless --as SIDE`): options, help, and the last turn.

A student alone at a terminal has to decide from what is printed, so:

- every option (one card aimed at one target) keeps its number for the whole
  game: numbers are given in the order options first appear in the game's
  history, so the same card and aim is the same number every turn, and a game
  loaded from a save numbers its options as the game never stopped did;
- a card that cannot be played now is still listed, with its number (once it
  has one) and the reason;
- `?` explains how to choose and what every option does (its effects in
  words, its cost, its chance as this side may know it), `? N` one option in
  full, `log` the last turn in full (every side's orders, dice and effects).

Everything shown comes from this side's view (`game.view(side)`) or from the
rules' answers about this side's own cards (`card_statuses`, `check_order`),
never from another side's data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from engine.core.state import Order
from engine.present.describe import card_lines, effect_text
from engine.present.render import Renderer, clean
from engine.rules.game import Game
from engine.rules.objectives import objective_progress, progress_lines
from engine.rules.turn import CardStatus
from engine.rules.views import chance_words
from engine.scenario.model import Card

Controller = Callable[[Game, str], list[Order]]
#: an option: a card and its aim (targets, or an agreement)
Key = tuple[str, tuple[str, ...], str]
#: what a line of input may be besides numbers: a question, or the last turn in full
HELP, LOG = "?", "log"


def key_of(order: Order) -> Key:
    return order.card, tuple(order.targets), order.agreement or ""


def help_asked(text: str) -> str | None:
    """What a line asks help about ("" for the whole list, "12" for one option), or None if it asks none.

    `?`, `? 12`, `?12`, `help` and `help 12` are all understood.
    """
    if text.startswith(HELP):
        return text[len(HELP):].strip()
    first, _, rest = text.partition(" ")
    return rest.strip() if first.lower() == "help" else None


class OptionNumbers:
    """One side's option numbers: each card and aim keeps the number it was first given, for the whole game.

    A card without a target is numbered when first listed, playable or not; a
    card with targets gets one number per aim, when that aim is first legal.
    Numbers follow the order of first appearance over `game.history` (the start
    of each turn's planning) and then the current state, so they depend on the
    game only, not on when this terminal joined it.
    """

    def __init__(self, side: str):
        self.side = side
        self.numbers: dict[Key, int] = {}
        self.keys: dict[int, Key] = {}
        self._seen = 0  # history entries already numbered

    def update(self, game: Game, now: list[CardStatus]) -> None:
        self._seen = min(self._seen, len(game.history))  # a rewind shortens the history
        for past in game.history[self._seen:]:
            if not past.ended:
                self._add(game.rules.card_statuses(past, self.side))
        self._seen = len(game.history)
        self._add(now)

    def _add(self, statuses: list[CardStatus]) -> None:
        for st in statuses:
            if st.card.target is None:
                self._give((st.card.id, (), ""))
            for o in st.orders:
                self._give(key_of(o))

    def _give(self, key: Key) -> None:
        if key not in self.numbers:
            n = len(self.numbers) + 1
            self.numbers[key] = n
            self.keys[n] = key

    def of_card(self, card: Card) -> list[int]:
        """The numbers this card's aims have had so far, lowest first."""
        return sorted(n for (cid, _t, _a), n in self.numbers.items() if cid == card.id)

    def label(self, card: Card) -> str:
        """How a card that cannot be played now is listed: its numbers so far ("12, 14."), or "--" if none."""
        nums = self.of_card(card)
        return ", ".join(map(str, nums)) + "." if nums else "--"

    @property
    def highest(self) -> int:
        return len(self.numbers)


class TerminalPlayer:
    """A person choosing a side's orders from numbered options, with help at the prompt."""

    def __init__(self, renderer: Renderer, inp: TextIO, out: TextIO, fallback: Controller | None = None):
        self.r = renderer
        self.inp = inp
        self.out = out
        self.gave_up = False
        #: who plays the side once the input ends (None: no orders)
        self.fallback = fallback
        self._numbers: dict[str, OptionNumbers] = {}
        #: the agreements of the side's view at this prompt (their names aim its options)
        self._agreements: dict[str, dict] = {}

    def say(self, text: str = "") -> None:
        """Print `text`, line by line through `clean`: whatever a line holds, nothing a terminal would obey."""
        print("\n".join(clean(line) for line in text.split("\n")), file=self.out)

    def __call__(self, game: Game, side: str) -> list[Order]:
        if self.gave_up:
            return self.fallback(game, side) if self.fallback else []
        statuses = game.card_statuses(side)
        numbers = self._numbers.setdefault(side, OptionNumbers(side))
        numbers.update(game, statuses)
        view = game.view(side, recent=1)
        self._agreements = view["agreements"]
        self._brief(game, side, view)
        self._list(game, side, statuses, numbers)
        return self._ask(game, side, statuses, numbers)

    # ------------------------------------------------------------- what is printed before the question
    def _brief(self, game: Game, side: str, view: dict) -> None:
        """The side's position, objectives and injects, from its view."""
        turn = view["turn"]
        sc = game.scenario
        self.say(f"\n─── {self.r.name(side)}: your orders for turn {turn} ({sc.turn_date(turn):%B %Y}) ───")
        row = view["vars"].get(side) or {}
        self.say("  Your position: " + " · ".join(
            f"{clean(sc.variables[k].label)} {v:g}" for k, v in row.items() if v is not None and k in sc.variables))
        progress = objective_progress(game.rules, game.state, side)
        if progress:
            self.say("  Your objectives:")
            for line in progress_lines(progress):
                self.say(clean(line))
        for rec in view["log"][-1:]:
            for ev in rec["events"]:
                if ev["to"] is not None:
                    self.say(f"  Private inject: {clean(ev['name'])}: {clean(ev['text'].strip())}")
        for ev in view.get("inbox") or []:  # delivered before this turn's orders
            private = "Private inject" if ev["to"] is not None else "Inject"
            self.say(f"  {private}: {clean(ev['name'])}: {clean(ev['text'].strip())}")

    def _target(self, order: Order) -> str:
        """Whom or what an order is aimed at, in words ("" for a card without a target)."""
        if order.targets:
            return ", ".join(self.r.name(t) for t in order.targets)
        if order.agreement:
            return clean((self._agreements.get(order.agreement) or {}).get("name", order.agreement))
        return ""

    def _aim(self, order: Order) -> str:
        target = self._target(order)
        return f" → {target}" if target else ""

    def _cost(self, game: Game, card: Card) -> str:
        return ", ".join(f"{v:g} {clean(game.scenario.variables[k].label)}" for k, v in card.cost.items()) or "free"

    def _list(self, game: Game, side: str, statuses: list[CardStatus], numbers: OptionNumbers) -> None:
        self.say("Your options (a number stays with its card and aim all game; ✗: not this turn). "
                 "? for help, ? N about option N, log for the last turn in full:")
        for st in statuses:
            card = st.card
            name = clean(card.name)
            if not st.orders:
                self.say(f"  {numbers.label(card):>4} ✗ {name} — not now: {clean(st.reason)}")
                continue
            cost = self._cost(game, card)
            for o, (lo, hi) in zip(st.orders, st.chances, strict=True):
                chance = f", {chance_words(lo, hi, why=True)}" if lo < 100 else ""
                n = numbers.numbers[key_of(o)]
                self.say(f"  {n:>3}. {name}{self._aim(o)} [{card.family}; {cost}{chance}]")

    # ------------------------------------------------------------- the question
    def _ask(self, game: Game, side: str, statuses: list[CardStatus], numbers: OptionNumbers) -> list[Order]:
        legal = {key_of(o): o for st in statuses for o in st.orders}
        limit = game.rules.orders_allowed(side)
        while True:
            self.say(f"Choose up to {limit} numbers separated by spaces (Enter to give no orders; ? for help):")
            line = self.inp.readline()
            if not line:
                self.say("(no more input: the built-in policy plays this side from here)")
                self.gave_up = True
                return self.fallback(game, side) if self.fallback else []
            text = line.strip()
            asked = help_asked(text)
            if asked is not None:
                self._help(game, side, statuses, numbers, asked)
                continue
            if text.lower() == LOG:
                self._log(game, side)
                continue
            chosen = self._picked(game, side, text, numbers, legal)
            if chosen is None:
                continue
            why = game.rules.check_orders(game.state, side, chosen)
            if why:
                self.say(f"  Not possible: {clean(why)}")
                continue
            return chosen

    def _picked(self, game: Game, side: str, text: str, numbers: OptionNumbers,
                legal: dict[Key, Order]) -> list[Order] | None:
        """The orders the numbers name, or None (and why not, printed) if one does not name a legal order now."""
        chosen = []
        for p in text.replace(",", " ").split():
            n = int(p) if p.isdigit() else 0
            if n not in numbers.keys:
                self.say(f"  Please type numbers between 1 and {numbers.highest}, or ? for help.")
                return None
            order = legal.get(numbers.keys[n])
            if order is None:
                self.say(f"  Option {n} cannot be given this turn: {clean(self._why_not(game, side, numbers.keys[n]))}")
                return None
            chosen.append(order)
        return chosen

    def _why_not(self, game: Game, side: str, key: Key) -> str:
        card, targets, agreement = key
        order = Order(actor=side, card=card, targets=targets, agreement=agreement or None)
        return game.rules.check_order(game.state, order) or "it is not among this turn's legal orders"

    # ------------------------------------------------------------- help
    def _help(self, game: Game, side: str, statuses: list[CardStatus], numbers: OptionNumbers, arg: str) -> None:
        if arg:
            n = int(arg) if arg.isdigit() else 0
            if n not in numbers.keys:
                self.say(f"  There is no option {clean(arg)}: options are numbered 1 to {numbers.highest}.")
                return
            self._option_help(game, side, statuses, numbers, n)
            return
        limit = game.rules.orders_allowed(side)
        self.say("How to give orders:")
        self.say(f"  Type up to {limit} option numbers separated by spaces, e.g. \"3 7\", then Enter. "
                 "Enter alone gives no orders this turn.")
        self.say("  An option is one card aimed at one target; its number stays the same for the whole game.")
        self.say("  Orders cost what the option says; together they must not cost more than you have.")
        self.say("  ✗ marks a card you cannot play this turn, with the reason.")
        self.say("  ? N   all about option N: what it does, its cost, its chance, what it needs")
        self.say("  log   the last turn in full: every side's orders, dice and effects, every side's figures")
        self.say("What each option does:")
        for st in statuses:
            effects = "; ".join(clean(effect_text(game.scenario, e)) for e in st.card.effects) or "no effect"
            cost = self._cost(game, st.card)
            if not st.orders:
                self.say(f"  {numbers.label(st.card):>4} ✗ {clean(st.card.name)}: {effects} · {cost} · "
                         f"not now: {clean(st.reason)}")
                continue
            first = numbers.numbers[key_of(st.orders[0])]
            many = f" (options {', '.join(str(numbers.numbers[key_of(o)]) for o in st.orders)})" \
                if len(st.orders) > 1 else ""
            self.say(f"  {first:>3}. {clean(st.card.name)}{many}: {effects} · {cost} · "
                     f"{self._chances(st)}")

    def _chances(self, st: CardStatus) -> str:
        """The chance of each aim as this side may know it ("certain" when it cannot fail)."""
        if all(lo >= 100 for lo, _ in st.chances):
            return "certain"
        if st.card.target is None:
            return "chance " + chance_words(*st.chances[0], why=True)
        return "chance " + ", ".join(f"{clean(self._aim(o)[3:])} {chance_words(lo, hi)}"
                                     for o, (lo, hi) in zip(st.orders, st.chances, strict=True)) + \
            (" (a range: it depends on what you cannot see)" if any(lo != hi for lo, hi in st.chances) else "")

    def _option_help(self, game: Game, side: str, statuses: list[CardStatus], numbers: OptionNumbers,
                     n: int) -> None:
        card_id, targets, agreement = numbers.keys[n]
        card = game.scenario.card(card_id)
        st = next((s for s in statuses if s.card.id == card_id), None)
        order = next((o for o in st.orders if key_of(o) == numbers.keys[n]), None) if st else None
        aim = self._aim(Order(actor=side, card=card_id, targets=targets, agreement=agreement or None))
        self.say(f"Option {n}: {clean(card.name)}{aim} [{card.family}]")
        for head, text in card_lines(game.rules, card):
            self.say(f"  {head + ': ' if head else ''}{clean(text)}")
        if st is None or order is None:
            self.say(f"  Not this turn: {clean(self._why_not(game, side, numbers.keys[n]))}")
            return
        lo, hi = st.chances[st.orders.index(order)]
        self.say(f"  Your chance now: {'certain' if lo >= 100 else chance_words(lo, hi, why=True)}")
        self.say(f"  Can be given this turn: type {n}.")

    def _log(self, game: Game, side: str) -> None:
        view = game.view(side, recent=1)
        if not view["log"]:
            self.say("  No turn has been played yet.")
            return
        self.say("\n".join(self.r.turn(view["log"][-1], view)))
