"""Saving a game to one JSON file, and loading it back, refusing anything broken with a reason.

A save file is the only thing a player carries between sessions, so two
promises matter more than anything else here:

* a save never destroys the previous one: the new file is written beside the
  target, flushed to disk, and only then renamed over it (a rename within one
  folder is atomic), so a crash, a full disk or a read-only folder leaves the
  old save as it was; and a save replaces only a regular file that is an
  earlier save, never a pipe, a device, a folder, a file of another kind, or
  anything through a symbolic link (engine/persistence/files.py holds the rule);
* loading a file, however damaged or hostile, either gives back exactly the
  game that was saved (same state, same history, same next dice) or raises
  `SaveError` with a sentence a player can act on: never a traceback, never
  reading a file outside the project, never executing anything.

The file is one JSON object (format 3)::

    {"format": 3, "kind": "wargame-save",
     "scenario": "scenarios/post_nato_2024.yaml",   # relative to the project root, forward slashes
     "scenario_digest": "…",                        # the rules the game was played under
     "seed": 7,
     "turns": [{"turn": 1,                          # the order log, oldest first:
                "orders": {"blue": [{…Order…}]},    #   every side's committed orders (with bot rationales),
                "overrides": {"3": "failure"},      #   facilitator overrides by position in resolution order,
                "digest": "…"}, …],                 #   and the SHA-256 of the state after that turn
     "state": {…GameState…},                        # the current state (its log holds dice, injects, effects)
     "label": "free text"}

The per-turn history is not stored: loading replays the order log from the
seed and checks each turn's digest and the current state, so a save of a
whole game is one state plus a small log, and a damaged or hand-edited log
is refused rather than loaded into a game that never happened.

Format 1 stored every turn's whole state in `history`; it is migrated by
rebuilding the order log from the state's own log (each resolution names its
order; overrides are marked) and the digests from the stored history.
Format 2 states had no side keys and recorded less about who may read what
(engine/scenario/visibility.py): their order log is replayed unchecked and the state rebuilt
from it, with the orders committed in the saved planning phase.

Extending it: keys this version does not know are ignored when loading, so a
later version may add optional information (replay marks, notes) without
breaking older readers. A change older readers would misread bumps
`SAVE_FORMAT` and registers a function in `MIGRATIONS` that upgrades the
previous format, so older saves keep loading.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from engine.core import paths
from engine.core.errors import IllegalOrder, ScenarioError
from engine.core.state import MAX_ITEMS, STATE_FORMAT, ControlStep, GameState, TurnOrders
from engine.persistence import files
from engine.persistence.replay import ReplayResult, replay
from engine.rules import control
from engine.rules.game import Game
from engine.rules.invariants import broken_invariants
from engine.rules.turn import Rules, legacy_scenario_digest, scenario_digest, working_copy
from engine.scenario.load import load_any
from engine.scenario.model import Scenario

#: the format this version writes (and the newest it reads)
SAVE_FORMAT = 3
#: marks a JSON file as a save, so a scenario export or a settings file is not mistaken for one
SAVE_KIND = "wargame-save"
#: the largest save we read; checked before reading, so a huge or endless file cannot exhaust memory
MAX_SAVE_BYTES = 50 * 1024 * 1024
#: the most JSON objects and lists a save may hold: a 16-turn game of the default scenario has one per 66 bytes
#: (5,565 in 369 KB), so a save of the largest size holds under a million; a file of empty objects reaches
#: this bound in 6 MB, and is refused before parsing builds them
MAX_SAVE_CONTAINERS = 2_000_000
#: the deepest a save's JSON may nest: a save written by the engine nests 9 levels (state, log, turn, order,
#: effects, effect, ...); far deeper files would fail later, in the engine's own serialiser
MAX_SAVE_DEPTH = 32


def _roots(root: Path | None) -> list[Path]:
    """The folders a save's scenario path is relative to and must stay inside: `root` if given, else the project's."""
    return [root.resolve()] if root is not None else paths.project_roots()



def _from_format_1(doc: dict[str, Any]) -> dict[str, Any]:
    """Format 1 kept every turn's whole state; format 2 keeps the order log and replays it.

    The orders come from the current state's log (each resolution names its
    order, in resolution order, which re-sorts to the same sequence), the
    overrides from resolutions decided by one, and each turn's digest from the
    stored history (whose entries could hold the next turn's orders: they are
    cleared, as format 2 keeps planning-start states).
    """
    state = doc["state"]
    history = doc.get("history", [])
    turns = []
    for i, rec in enumerate(state["log"]):
        orders: dict[str, list[Any]] = {}
        overrides: dict[str, str] = {}
        for j, res in enumerate(rec["resolutions"]):
            orders.setdefault(res["order"]["actor"], []).append(res["order"])
            if res.get("decided_by") == "override" and res.get("outcome") in ("success", "failure"):
                overrides[str(j)] = res["outcome"]
        digest = ""
        if i + 1 < len(history) and isinstance(history[i + 1], dict):
            after = GameState.model_validate({**history[i + 1], "pending": {}, "committed": []})
            digest = after.digest()
        turns.append({"turn": rec["turn"], "orders": orders, "overrides": overrides, "digest": digest})
    out = {k: v for k, v in doc.items() if k != "history"}
    out["turns"] = turns
    return out


#: paths `fresh_path` has handed out in this process (two games started in the same second must not share one)
_HANDED_OUT: set[Path] = set()


def fresh_path(folder: Path, stem: str, suffix: str = "") -> Path:
    """`folder/stem+suffix`, or with -2, -3 ... added, whichever exists nowhere yet: nothing is replaced silently.

    Anything at a name counts, a dangling symbolic link or a pipe too, so a name handed out is one nothing has.
    """
    candidate, n = folder / f"{stem}{suffix}", 1
    while os.path.lexists(candidate) or candidate in _HANDED_OUT:
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    _HANDED_OUT.add(candidate)
    return candidate


#: names the autosave file ("off" turns autosaving off); tests point it at a temporary folder
AUTOSAVE_ENV = "WARGAME_AUTOSAVE"


def autosave_path(explicit: str | None = None, name: str = "game") -> Path | None:
    """Where the end-of-turn autosave goes: `explicit`, else $WARGAME_AUTOSAVE, else a file of this game's own.

    The default, saves/autosave-NAME-YYYYmmdd-HHMMSS.json (NAME: the scenario
    or exercise), is new for every game, so one game's autosave never replaces
    another's. None means autosaving is off ("off", "none" or an empty value).
    """
    value = explicit if explicit is not None else os.environ.get(AUTOSAVE_ENV)
    if value is None:
        return fresh_path(paths.written("saves"), f"autosave-{name}-{time.strftime('%Y%m%d-%H%M%S')}", ".json")
    if value.strip().lower() in ("", "off", "none"):
        return None
    return Path(value)


def autosave(game: Game, scenario_path: Path, path: Path | None, room: Room | None = None) -> str | None:
    """Save at the end of a turn; return why it failed (the caller shows it and the game goes on), else None."""
    if path is None:
        return None
    try:
        save_game(path, game, scenario_path, label=f"autosave after turn {len(game.turns)}", room=room)
    except SaveError as exc:
        return f"Autosave failed: {exc.reason} ({path}). The game goes on; save by hand elsewhere."
    return None


def _from_format_2(doc: dict[str, Any]) -> dict[str, Any]:
    """Format 3 states hold each side's key and who may read each reason and chance, so a format-2 state and
    its per-turn digests cannot be matched: the digests are dropped and `read_save` rebuilds the state."""
    out = dict(doc)
    out["turns"] = [{**t, "digest": ""} if isinstance(t, dict) else t for t in doc["turns"]]
    return out


#: MIGRATIONS[n] turns a format-n save (the parsed JSON object) into a format n+1 one
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_format_1, 2: _from_format_2}
#: saves older than this are rebuilt from their order log rather than checked against their saved state
_REBUILT_BEFORE = 3

#: how many problems to quote in one message before "and N more"
_SHOWN = 3


class SaveError(Exception):
    """A game could not be saved, or a file could not be loaded as a game.

    `reason` is a sentence meant to be shown to the player as is; `path` is the
    save file concerned, when there is one.
    """

    def __init__(self, reason: str, path: Path | str | None = None):
        self.reason = reason
        self.path = None if path is None else Path(path)
        super().__init__(f"{path}: {reason}" if path is not None else reason)


class Room(BaseModel):
    """Who plays each side at the table, so a loaded game resumes with the same teams and bots.

    Not game state (a replay never needs it), so it sits beside the state in
    the file, as optional information older readers ignore.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: the sides people play, in the order their teams take the screen
    teams: list[str] = []
    #: the bot level of each side a bot plays
    levels: dict[str, Literal["simple", "quick", "strong"]] = {}


@dataclass(frozen=True)
class LoadedSave:
    """Everything a save holds, for callers that want more than the game (its label, to list saves)."""

    game: Game
    scenario_path: Path
    label: str
    format: int  # the format of the file as it was read, before any migration
    #: who played what when it was saved (None: the save does not say)
    room: Room | None = None


@dataclass(frozen=True)
class SaveRecord:
    """A save read and checked field by field, but not yet replayed (what `replay` and loading start from)."""

    path: Path
    scenario: Scenario
    scenario_path: Path
    seed: int
    turns: list[TurnOrders]
    state: GameState
    label: str
    format: int
    #: the control cell's acts in the planning phase the game was saved in
    planning: list[ControlStep] = field(default_factory=list)
    room: Room | None = None


# ----------------------------------------------------------------------------- saving


#: a save larger than this is not even looked into to list it (a real one is a few hundred kB)
_PEEK_LIMIT = 20_000_000


def plays_under(path: Path, scenario_path: Path, root: Path | None = None) -> bool:
    """Whether the save at `path` names `scenario_path` (a scenario or exercise script), without replaying it.

    For lists of saves to choose from ("the saves of this exercise"); loading one still checks everything.
    """
    roots = _roots(root)
    try:
        if path.stat().st_size > _PEEK_LIMIT:
            return False
        doc = json.loads(path.read_text(encoding="utf-8"))
        named = doc.get("scenario") if isinstance(doc, dict) else None
        return isinstance(named, str) and any((r / named).resolve() == scenario_path.resolve() for r in roots)
    except (OSError, ValueError, RecursionError):
        return False


def save_game(path: Path, game: Game, scenario_path: Path, label: str = "", *, root: Path | None = None,
              room: Room | None = None) -> Path:
    """Write `game` to `path` atomically and return the resolved path written.

    `scenario_path` is the scenario file the game is played under; it must lie
    inside a project root (`root`, by default those of `engine.core.paths`)
    and hold the very rules the game uses, because a save that names the
    wrong file could never be loaded. Raises SaveError, leaving any earlier
    save at `path` untouched, if anything goes wrong.
    """
    path = Path(path)
    if not isinstance(label, str):
        raise SaveError(f"the label must be text, not {type(label).__name__}", path)
    relative = _scenario_relative(Path(scenario_path), _roots(root), path)
    _check_scenario_file(Path(scenario_path), game.rules, path)
    _check_game(game, path)
    doc = {
        "format": SAVE_FORMAT,
        "kind": SAVE_KIND,
        "scenario": relative,
        "scenario_digest": game.rules.digest,
        "seed": game.state.seed,
        "turns": _turn_log(game),
        "planning": [step.model_dump(mode="json") for step in game.planning_steps],
        "state": game.state.model_dump(mode="json"),
        "label": label,
    }
    if room is not None:
        doc["room"] = room.model_dump(mode="json")
    try:
        data = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except ValueError:
        raise SaveError("the game holds a number that is not finite (NaN or infinity) and cannot be saved",
                        path) from None
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(f"this save would take {len(data):,} bytes, more than the "
                        f"{_size(MAX_SAVE_BYTES)} a save may hold", path)
    return _write_atomically(path, data)


def _scenario_relative(scenario_path: Path, roots: list[Path], save_path: Path) -> str:
    """The scenario's path relative to the first root holding it, with forward slashes, so saves move."""
    try:
        resolved = scenario_path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, on Python 3.11
        raise SaveError(f"cannot resolve the scenario path {str(scenario_path)!r}: {exc}", save_path) from None
    for root in roots:
        if resolved.is_relative_to(root):
            return resolved.relative_to(root).as_posix()
    where = " or ".join(str(r) for r in roots)
    raise SaveError(f"the scenario file {str(scenario_path)!r} is outside the project folder ({where}); "
                    "a save can only name a scenario inside it", save_path)


def _check_scenario_file(scenario_path: Path, rules: Rules, save_path: Path) -> None:
    """Refuse to write a save naming a scenario file whose rules are not the game's (it could not be loaded)."""
    try:
        st = scenario_path.stat()
        digest = _file_digest(str(scenario_path.resolve()), st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError as exc:
        raise SaveError(f"cannot read the scenario file {str(scenario_path)!r}: {exc.strerror or exc}",
                        save_path) from None
    except ScenarioError as exc:
        raise SaveError(f"the scenario file {str(scenario_path)!r} is invalid: {_problems(exc)}", save_path) from None
    if digest != rules.digest:
        raise SaveError(f"the scenario file {str(scenario_path)!r} is not the one this game is played under "
                        "(its rules differ); pass the file the game was started from", save_path)


@functools.lru_cache(maxsize=8)
def _file_digest(resolved: str, mtime_ns: int, size: int, inode: int) -> str:
    """The digest of a scenario file, cached on its identity so autosaving does not re-parse it every time."""
    del mtime_ns, size, inode  # only part of the cache key
    return scenario_digest(load_any(resolved))


def _turn_log(game: Game) -> list[dict[str, Any]]:
    """Each adjudicated turn's orders and overrides, with the digest of the state it led to."""
    out = []
    for t, after in zip(game.turns, game.history[1:], strict=True):
        entry = t.model_copy(update={"digest": after.digest()})
        out.append(entry.model_dump(mode="json"))
    return out


def _check_game(game: Game, save_path: Path) -> None:
    """Refuse to write a game this module would refuse to load: better an error now than a lost game later."""
    problems = _state_problems(game.rules, game.state, game.scenario.meta.id)
    if problems:
        raise SaveError(f"the current state cannot be saved: {_first(problems)}", save_path)
    if len(game.turns) != len(game.history) - 1:
        raise SaveError(f"the game's order log ({len(game.turns)} turns) does not match its history "
                        f"({len(game.history)} states), so it could not be replayed", save_path)


def _write_atomically(path: Path, data: bytes) -> Path:
    """Write the save by the engine's one rule for files (engine/persistence/files.py) and return the path written.

    Atomic (a new temporary file beside the target, fsynced, then renamed over
    it), so readers see the old save or the new one, never half of one, and a
    failure leaves the old one as it was; only onto a regular file (a pipe, a
    device or a folder is refused, not replaced), never through a symbolic link
    at the save's name, and never over a file that is not a save.
    """
    _check_replaceable(path)
    try:
        files.write_file(path, data)
    except files.WriteError as exc:
        raise SaveError(_write_words(exc, path), path) from None
    try:
        return path.parent.resolve() / path.name
    except (OSError, RuntimeError):
        return path


def check_save_target(path: Path) -> None:
    """Refuse, before a game is played, a save path that could never be written (SaveError with the reason).

    The same checks as saving (a regular file or nothing, no link, a save if
    anything), and the nearest existing folder writable; nothing is written.
    """
    path = Path(path)
    try:
        files.check_writable(path)
    except files.WriteError as exc:
        raise SaveError(_write_words(exc, path), path) from None
    _check_replaceable(path)


def _write_words(exc: files.WriteError, path: Path) -> str:
    """A refused or failed write in the words of saving."""
    if exc.kind == "folder":
        return "there is a folder by that name; choose a file name for the save"
    if exc.kind == "link":
        return ("this is a symbolic link, and a save is never written through a link; name the file it points to, "
                "or remove the link")
    if exc.kind == "special":
        return f"this is {exc.cause}, not a regular file, so no save is written there; choose another name"
    if exc.kind == "no-folder" and exc.path != path:
        return f"cannot create the folder {str(exc.path)!r}: {exc.cause or exc.reason}"
    if exc.kind == "no-folder":
        return f"the save cannot be written there ({exc.cause or exc.reason})"
    return f"could not write the save ({exc.cause or exc.reason}); any earlier save there is unchanged"


#: how much of an existing file is read to tell whether it is a save (ours begin with the format and the kind)
_SAVE_HEAD = 4096


def _check_replaceable(path: Path) -> None:
    """Refuse to replace an existing file that is not a save: saving replaces an earlier save, nothing else."""
    try:
        st = os.lstat(path)
    except OSError:
        return  # absent, or a problem the write itself reports
    if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
        return  # a pipe, a link or a folder is refused by the write; an empty file holds nothing to lose
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            head = os.read(fd, _SAVE_HEAD)
        finally:
            os.close(fd)
    except OSError:
        return
    if not (head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and f'"{SAVE_KIND}"'.encode() in head):
        raise SaveError("there is a file by that name that is not a save, and saving never replaces another kind "
                        "of file; choose another name", path)


#: a temporary file this old beside a save was left by a process killed mid-save (no save takes this long)
STALE_TEMP_SECONDS = files.STALE_TEMP_SECONDS


def _os_reason(exc: OSError) -> str:
    return files.os_reason(exc)


# ----------------------------------------------------------------------------- loading


def load_game(path: Path, *, root: Path | None = None) -> tuple[Game, Path]:
    """Load a save: the game (current state and history restored) and the resolved scenario path.

    Raises SaveError, with a sentence saying what is wrong, for any file that
    is not a save this version can faithfully restore.
    """
    loaded = read_save(path, root=root)
    return loaded.game, loaded.scenario_path


def read_save(path: Path, *, root: Path | None = None) -> LoadedSave:
    """Load a save with everything it holds (see `load_game`): read it, replay its log, check every turn."""
    record = read_record(path, root=root)
    game = Game(record.scenario, record.seed, state=record.state)
    result = _guarded(lambda: replay(game.rules, record.seed, record.turns, final=_final(record),
                                     planning=record.planning), record.path)
    if result.mismatch is not None:
        raise SaveError(f"the game does not replay as it was saved ({result.mismatch}); the file has been "
                        "altered or damaged", record.path)
    if record.format < _REBUILT_BEFORE:
        game.state = _guarded(lambda: _rebuilt(game.rules, record, result.history[-1]), record.path)
    game.history = result.history
    game.planning_steps = list(record.planning)
    game.turns = [t.model_copy(update={"digest": h.digest()}) for t, h in zip(record.turns, result.history[1:],
                                                                               strict=True)]
    return LoadedSave(game=game, scenario_path=record.scenario_path, label=record.label, format=record.format,
                      room=record.room)


def replay_save(path: Path, *, root: Path | None = None) -> tuple[SaveRecord, ReplayResult]:
    """Read a save and replay it without refusing a mismatch: for `main.py replay`, which reports it.

    Raises SaveError only for a file that is not a readable save at all.
    """
    record = read_record(path, root=root)
    rules = Rules(record.scenario)
    return record, _guarded(lambda: replay(rules, record.seed, record.turns, final=_final(record),
                                           planning=record.planning), record.path)


def _final(record: SaveRecord) -> GameState | None:
    """The saved state the replay must reach (None for an older format whose state is rebuilt instead)."""
    return record.state if record.format >= _REBUILT_BEFORE else None


def _rebuilt(rules: Rules, record: SaveRecord, start: GameState) -> GameState:
    """An older save's live state: where its order log leads, with the saved planning phase's acts and orders."""
    live = working_copy(start)
    for step in record.planning:
        control.apply_step(rules, live, step)
    if live.phase == "planning":
        for side in record.state.committed:
            try:
                rules.submit(live, side, list(record.state.pending.get(side, [])))
            except IllegalOrder as exc:
                raise SaveError(f"the orders {side} had committed cannot be given again: {exc}", record.path) from None
    return live


def read_record(path: Path, *, root: Path | None = None) -> SaveRecord:
    """Read and check a save's fields (envelope, scenario, types, the current state), without replaying it."""
    path = Path(path)
    roots = _roots(root)
    return _guarded(lambda: _read_record(path, roots), path)


def _guarded(fn: Callable[[], Any], path: Path) -> Any:
    """Run `fn`, turning anything a damaged file could provoke into a SaveError (never a traceback)."""
    try:
        return fn()
    except SaveError:
        raise
    except RecursionError:
        raise SaveError("the file is nested too deeply to be a save", path) from None
    except MemoryError:
        raise SaveError("the file is too large to load", path) from None
    except Exception as exc:  # a safety net: a damaged file must never end the program with a traceback
        raise SaveError(f"the save could not be read ({type(exc).__name__}: {_clip(str(exc), 200)})", path) from exc


def _read_record(path: Path, roots: list[Path]) -> SaveRecord:
    doc = _parse(_read_bytes(path), path)
    fmt = _check_envelope(doc, path)
    doc = _migrate(doc, fmt, path)

    rel = _field(doc, "scenario", str, path)
    saved_digest = _field(doc, "scenario_digest", str, path)
    seed = _field(doc, "seed", int, path)
    raw_state = _field(doc, "state", dict, path)
    raw_turns = _field(doc, "turns", list, path)
    label = doc.get("label", "")
    if not isinstance(label, str):
        raise SaveError(f"'label' must be text, not {_json_type(label)}", path)

    scenario_path = _resolve_scenario(rel, roots, path)
    try:
        scenario = load_any(scenario_path)
    except ScenarioError as exc:
        raise SaveError(f"the scenario file {rel!r} named by this save is invalid: {_problems(exc)}", path) from None
    except OSError as exc:
        raise SaveError(f"cannot read the scenario file {rel!r}: {exc.strerror or exc}", path) from None
    if scenario_digest(scenario) != saved_digest and not (
            fmt < _REBUILT_BEFORE and legacy_scenario_digest(scenario) == saved_digest):
        raise SaveError(f"the scenario file {rel!r} has changed since this game was saved, so the game cannot "
                        "continue under the same rules; restore the scenario as it was to load this save", path)

    if len(raw_turns) > scenario.meta.turns:
        raise SaveError(f"the order log holds {len(raw_turns):,} turns, but a game of this scenario has at most "
                        f"{scenario.meta.turns}", path)
    log = raw_state.get("log")
    if isinstance(log, list) and len(log) > scenario.meta.turns:
        raise SaveError(f"the state's log holds {len(log):,} turns, but a game of this scenario has at most "
                        f"{scenario.meta.turns}", path)
    state = _validate_state(raw_state, "state", path)
    if state.seed != seed:
        raise SaveError(f"the save says seed {seed} but its state was played with seed {state.seed}", path)
    turns = []
    for i, raw in enumerate(raw_turns):
        if not isinstance(raw, dict):
            raise SaveError(f"turns[{i}] must be one turn's orders (a JSON object), not {_json_type(raw)}", path)
        try:
            turns.append(TurnOrders.model_validate(raw))
        except ValidationError as exc:
            raise SaveError(f"the order log is invalid: {_validation_words(exc, f'turns[{i}]')}", path) from None
    if fmt < 2:  # format 1's log names only the sides that gave orders; the others committed none
        for t in turns:
            for side in scenario.playable_ids:
                t.orders.setdefault(side, [])
    raw_planning = doc.get("planning", [])
    if not isinstance(raw_planning, list):
        raise SaveError(f"'planning' must be a list of the control cell's acts, not {_json_type(raw_planning)}", path)
    if len(raw_planning) > MAX_ITEMS:
        raise SaveError(f"'planning' holds {len(raw_planning):,} acts of the control cell; at most {MAX_ITEMS:,} "
                        "fit in one turn", path)
    try:
        planning = [ControlStep.model_validate(raw) for raw in raw_planning]
    except ValidationError as exc:
        raise SaveError(f"the control log is invalid: {_validation_words(exc, 'planning')}", path) from None
    rules = Rules(scenario)
    if fmt < _REBUILT_BEFORE and state.scenario_digest == legacy_scenario_digest(scenario):
        state = state.model_copy(update={"scenario_digest": rules.digest})
    problems = _state_problems(rules, state, scenario.meta.id)
    if problems:
        raise SaveError(f"the saved state does not fit the scenario {rel!r}: {_first(problems)}", path)
    room = None
    if doc.get("room") is not None:
        try:
            room = Room.model_validate(doc["room"])
        except ValidationError as exc:
            raise SaveError(f"who plays what is invalid: {_validation_words(exc, 'room')}", path) from None
        strangers = sorted({*room.teams, *room.levels} - set(scenario.playable_ids))
        if strangers:
            raise SaveError(f"'room' names {', '.join(map(repr, strangers))}, not a playable side of this scenario",
                            path)
    return SaveRecord(path=path, scenario=scenario, scenario_path=scenario_path, seed=seed, turns=turns,
                      state=state, label=label, format=fmt, planning=planning, room=room)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, after checking it is a regular file no larger than the limit (before reading it)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SaveError("no such save file", path) from None
    except OSError as exc:
        raise SaveError(f"cannot open the save file: {_os_reason(exc)}", path) from None
    if stat.S_ISDIR(st.st_mode):
        raise SaveError("this is a folder, not a save file", path)
    if not stat.S_ISREG(st.st_mode):
        raise SaveError("this is not a regular file (a device or pipe?), so it cannot be a save", path)
    if st.st_size > MAX_SAVE_BYTES:
        raise SaveError(f"the file is {st.st_size:,} bytes; a save may be at most {_size(MAX_SAVE_BYTES)}", path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_SAVE_BYTES + 1)
    except OSError as exc:
        raise SaveError(f"cannot read the save file: {_os_reason(exc)}", path) from None
    if len(data) > MAX_SAVE_BYTES:  # it grew after we looked
        raise SaveError(f"the file is larger than the {_size(MAX_SAVE_BYTES)} a save may hold", path)
    return data


class _NonFinite(ValueError):
    """Raised from the JSON parser on NaN or Infinity, which no save written by us contains."""


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


def _parse(data: bytes, path: Path) -> dict[str, Any]:
    """Bytes to the top-level JSON object, or a SaveError saying where the text stops being a save."""
    if not data.strip():
        raise SaveError("the file is empty", path)
    try:
        text = data.decode("utf-8-sig")  # tolerate a byte-order mark left by an editor
    except UnicodeDecodeError as exc:
        raise SaveError(f"this is not a save: it is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                        f"{exc.start} cannot be decoded)", path) from None
    containers = text.count("{") + text.count("[")  # an upper bound on the objects and lists parsing would build
    if containers > MAX_SAVE_CONTAINERS:
        raise SaveError(f"the file holds up to {containers:,} objects and lists; a save holds at most "
                        f"{MAX_SAVE_CONTAINERS:,}", path)
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise SaveError(f"this is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}); "
                        "the file may be cut short or damaged", path) from None
    except _NonFinite as exc:
        raise SaveError(f"the file contains {exc}, which is not a number a save can hold", path) from None
    except RecursionError:
        raise SaveError("this is not a save: its JSON is nested too deeply", path) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        raise SaveError(f"this is not valid JSON: {_clip(str(exc), 160)}", path) from None
    if not isinstance(doc, dict):
        raise SaveError(f"this is not a save: the file holds {_json_type(doc)}, "
                        "but a save is a JSON object", path)
    depth = _depth(doc)
    if depth > MAX_SAVE_DEPTH:
        raise SaveError(f"this is not a save: its JSON is nested {depth} levels deep (a save is at most "
                        f"{MAX_SAVE_DEPTH})", path)
    return doc


def _depth(doc: Any) -> int:
    """How deeply `doc`'s objects and lists nest (iteratively: a deep file must not exhaust the stack), stopping
    as soon as the bound is passed."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > MAX_SAVE_DEPTH:
            return deepest
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, d + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _check_envelope(doc: dict[str, Any], path: Path) -> int:
    """Check the file says it is a save, in a format this version can read; return that format."""
    kind = doc.get("kind")
    if kind != SAVE_KIND:
        what = "has no 'kind'" if "kind" not in doc else f"has kind {_clip(repr(kind), 60)}"
        if "kind" not in doc and {"scenario_id", "rng"} <= doc.keys():
            what += ", and looks like a bare game state"
        raise SaveError(f"this is not a wargame save: it {what} (a save has kind {SAVE_KIND!r})", path)
    if "format" not in doc:
        raise SaveError("the save has no format version ('format' is missing)", path)
    fmt = doc["format"]
    if isinstance(fmt, bool) or not isinstance(fmt, int):
        shown = "" if fmt is None else f" {_clip(json.dumps(fmt), 40)}"
        raise SaveError(f"the save's format version must be a whole number, not {_json_type(fmt)}{shown}", path)
    if fmt > SAVE_FORMAT:
        raise SaveError(f"this save was made by a newer version of the engine (save format {fmt}; this version "
                        f"reads format {SAVE_FORMAT} and older); update the engine to load it", path)
    return fmt


def _migrate(doc: dict[str, Any], fmt: int, path: Path) -> dict[str, Any]:
    """Upgrade an older save one format at a time through MIGRATIONS."""
    while fmt < SAVE_FORMAT:
        step = MIGRATIONS.get(fmt)
        if step is None:
            oldest = min([SAVE_FORMAT, *MIGRATIONS])
            reads = f"format {oldest} to {SAVE_FORMAT}" if oldest < SAVE_FORMAT else f"only format {SAVE_FORMAT}"
            raise SaveError(f"save format {fmt} is older than this version can read (it reads {reads})", path)
        try:
            doc = step(doc)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise SaveError(f"this format-{fmt} save could not be upgraded: {_clip(str(exc), 160)}", path) from None
        fmt += 1
    return doc


def _field(doc: dict[str, Any], key: str, kind: type, path: Path) -> Any:
    if key not in doc:
        raise SaveError(f"the save has no {key!r}", path)
    value = doc[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        want = {str: "text", int: "a whole number", dict: "a JSON object", list: "a JSON array"}[kind]
        raise SaveError(f"{key!r} must be {want}, not {_json_type(value)}", path)
    return value


def _resolve_scenario(rel: str, roots: list[Path], path: Path) -> Path:
    """The scenario file a save names, refused unless it stays inside the project (also through symlinks)."""
    shown = _clip(repr(rel), 120)
    if not rel.strip() or "\x00" in rel:
        raise SaveError(f"the scenario path {shown} is not a file name", path)
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).is_absolute() or PureWindowsPath(rel).drive:
        raise SaveError(f"the scenario path {shown} is absolute; a save names its scenario relative to the "
                        "project folder", path)
    if "\\" in rel:
        raise SaveError(f"the scenario path {shown} uses backslashes; a save writes paths with forward slashes",
                        path)
    found: Path | None = None
    for root in roots:
        try:
            resolved = (root / rel).resolve()
        except (OSError, RuntimeError):
            raise SaveError(f"the scenario path {shown} cannot be resolved", path) from None
        if not resolved.is_relative_to(root):
            raise SaveError(f"the scenario path {shown} points outside the project folder; a save may only name "
                            "a scenario inside it", path)
        if found is None and resolved.is_file():
            found = resolved
    if found is None:
        raise SaveError(f"the scenario file {shown} named by this save does not exist", path)
    return found


def _validate_state(raw: dict[str, Any], where: str, path: Path) -> GameState:
    try:
        state = GameState.model_validate(raw)
    except ValidationError as exc:
        raise SaveError(f"the saved game state is invalid: {_validation_words(exc, where)}", path) from None
    if state.format > STATE_FORMAT:
        raise SaveError(f"{where} was made by a newer version of the engine (state format {state.format}; "
                        f"this version reads {STATE_FORMAT})", path)
    return state


def _state_problems(rules: Rules, state: GameState, scenario_id: str) -> list[str]:
    """Why a well-typed state still cannot be played under these rules (empty when it can).

    Type checks alone would let a hand-edited save through that crashes the
    game turns later (an unknown actor, a rung off the ladder, an order for a
    card that does not exist); the engine's invariants and the order checks
    catch those now, at load time.
    """
    if state.scenario_id != scenario_id:
        return [f"it is a game of scenario {state.scenario_id!r}, but the file is scenario {scenario_id!r}"]
    if state.scenario_digest != rules.digest:
        return ["it was played under different rules (its scenario digest differs)"]
    try:
        problems = broken_invariants(rules, state)
        unknown = sorted(set(state.vars) - set(rules.t.all_actors))
        if unknown:
            problems.append(f"it has variables for actors the scenario does not have: {', '.join(unknown)}")
        if state.phase == "planning":
            for actor, orders in state.pending.items():
                why = rules.check_orders(state, actor, orders)
                if why:
                    problems.append(f"{actor}'s committed orders are not legal: {why}")
            for actor in state.committed:
                if actor not in rules.sc.playable_ids:
                    problems.append(f"{actor!r} has committed but is not a playable side")
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        problems = [f"it refers to something the scenario does not have ({type(exc).__name__}: "
                    f"{_clip(str(exc), 80)})"]
    return problems


# ----------------------------------------------------------------------------- wording


def _validation_words(exc: ValidationError, prefix: str) -> str:
    """The first few pydantic errors as `state.log[2].turn: should be …`, then how many more."""
    errors = exc.errors(include_url=False)
    parts = []
    for err in errors[:_SHOWN]:
        where = prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.get("loc", ()))
        kind = err.get("type", "")
        if kind == "missing":
            parts.append(f"{where} is missing")
        elif kind == "extra_forbidden":
            parts.append(f"{where} is not a field the game state has")
        else:
            text = f"{where}: {err.get('msg', 'invalid value').removeprefix('Value error, ')}"
            value = err.get("input")
            if value is None or isinstance(value, (str, int, float)):
                text += f" (got {_clip(repr(value), 40)})"
            parts.append(text)
    more = len(errors) - _SHOWN
    return "; ".join(parts) + (f"; and {more} more problem(s)" if more > 0 else "")


def _problems(exc: ScenarioError) -> str:
    return _first([str(p) for p in exc.problems])


def _first(items: list[str]) -> str:
    more = len(items) - _SHOWN
    return "; ".join(_clip(s, 200) for s in items[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {str: "a string", int: "a number", float: "a number", list: "an array", dict: "an object"}.get(
        type(value), type(value).__name__)


def _size(n: int) -> str:
    return f"{n / (1 << 20):g} MB ({n:,} bytes)"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
