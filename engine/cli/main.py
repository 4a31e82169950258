"""`python main.py ...`: validate scenarios and play them in the terminal."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from engine.analysis.check import DEFAULT_QUICK_RUNS, DEFAULT_RUNS, check_scenario
from engine.analysis.exercise_check import CHECK_LEVELS, script_findings, script_warnings
from engine.bots.controllers import LEVELS, bot_orders
from engine.cli.common import EXIT_BAD_INPUT, command, positive, workers
from engine.cli.common import load_or_refuse as _load
from engine.cli.common import refuse as _refuse
from engine.cli.new_scenario import scenario_id, write_new
from engine.cli.simulate import add_parser as add_simulate
from engine.cli.terminal import TerminalPlayer
from engine.core import dice, paths
from engine.core.clock import TimerSetting, parse_minutes
from engine.core.commands import Resume
from engine.core.errors import ScenarioError
from engine.core.state import Order
from engine.exercise.debrief import exercise_review
from engine.exercise.script import Exercise, ExerciseRun, ExerciseScript, is_exercise_file, load_exercise
from engine.persistence.saves import (
    LoadedSave,
    Room,
    SaveError,
    autosave,
    autosave_path,
    check_save_target,
    fresh_path,
    read_save,
    replay_save,
    save_game,
)
from engine.present.changes import turn_changes
from engine.present.render import Renderer, clean
from engine.present.report import label, write_report
from engine.rules.game import Game
from engine.rules.views import FACILITATOR, ROOM
from engine.scenario import limits
from engine.scenario.load import _display
from engine.scenario.model import Deck, Scenario

DEFAULT_SCENARIO = paths.default_scenario()
def _validate_exercise(path: str) -> int:
    """An exercise script: every problem located in the script (or its scenario), then what it holds."""
    ex = _load_exercise(path)
    s, sc = ex.script, ex.scenario
    print(clean(f"{path}: valid exercise script"))
    print(clean(f"  {s.exercise.title} (scenario {s.exercise.scenario}: {sc.meta.title})"))
    print(f"  adjudication {s.exercise.adjudication}; bots play the other sides at level {s.exercise.bot_level}")
    print(f"  learning objectives: {len(s.exercise.objectives)}")
    print(clean("  teams: " + "; ".join(f"{t.name} ({', '.join(sc.actor(a).name for a in t.actors)})"
                                        for t in s.teams)))
    print(f"  injects: {len(s.injects)}; scripted moves: {len(s.moves)}; forced outcomes: {len(s.forced)}; "
          f"discussion pauses: {len(s.pauses)}; holds on bots: {len(s.holds)}")
    for f in script_warnings(ex):
        print(clean(f"warning: {f.message}"))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    if is_exercise_file(args.scenario):
        return _validate_exercise(args.scenario)
    sc = _load(args.scenario)
    fam: dict[str, int] = {}
    for c in sc.cards:
        fam[c.family] = fam.get(c.family, 0) + 1
    print(clean(f"{args.scenario}: valid"))
    print(clean(f"  {sc.meta.title}"))
    print(f"  {sc.meta.turns} turns of {sc.meta.turn_months} month(s) from {sc.meta.start_date:%B %Y}, "
          f"{sc.meta.orders_per_turn} orders a turn")
    playable = [a.name for a in sc.actors if a.playable]
    print(clean(f"  actors: {len(sc.actors)} ({len(playable)} playable: {', '.join(playable)})"))
    print(f"  cards: {len(sc.cards)} (" + ", ".join(f"{k} {v}" for k, v in sorted(fam.items())) + ")")
    print(f"  events and injects: {len(sc.events)}; objectives: {len(sc.objectives)}; "
          f"ladder rungs: {len(sc.ladder.rungs)}; agreements at start: {len(sc.agreements)}")
    work = limits.workload(sc)
    side, orders = work.heaviest
    print(clean(f"  choices: {work.per_turn:,} single orders a turn for all sides (up to {orders:,} for {side})"))
    for warning in limits.warnings(sc):
        print(clean(f"warning: {warning}"))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    if args.deck:
        schema = Deck.model_json_schema(by_alias=True)
        schema["title"] = "Wargame engine card deck"
    elif getattr(args, "exercise", False):
        schema = ExerciseScript.model_json_schema(by_alias=True)
        schema["title"] = "Wargame engine exercise script"
    else:
        schema = Scenario.model_json_schema(by_alias=True)
        schema["title"] = "Wargame engine scenario"
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0


def _check_exercise(args: argparse.Namespace) -> int:
    """An exercise script's findings, from whole exercises played with bots in every team's place.

    The scenario's own design findings belong to `check SCENARIO` (an exercise ends early by design, so the
    scenario's later events and objectives would only be noise here).
    """
    ex = _load_exercise(args.scenario)
    seeds = range(1, min(args.runs, 20) + 1)
    print(clean(f"{args.scenario}: playing {len(seeds)} whole exercises at each bot level "
                f"({', '.join(CHECK_LEVELS)}), bots in the teams' places (seeds from 1) ..."), flush=True)
    findings = script_warnings(ex) + (script_findings(ex, CHECK_LEVELS, seeds) if seeds else [])
    for f in findings:
        print(clean(f"warning: {f.message}"))
    k = len(findings)
    print(f"{k} warning{'s' if k != 1 else ''}." if k else "No warnings: every scripted step took effect.")
    print(clean(f"(the scenario's own design: {command()} check {_display(ex.scenario_path)})"))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    if is_exercise_file(args.scenario):
        return _check_exercise(args)
    sc = _load(args.scenario)
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    print(clean(f"{args.scenario}: playing {args.runs} games with simple bots and {args.quick_runs} with quick "
                f"bots (seeds from 1) ..."), flush=True)
    report = check_scenario(sc, runs=args.runs, quick_runs=args.quick_runs, jobs=jobs)
    if report.one_at_a_time:  # said, never silent: the quick games took the slow path
        print(clean(f"note: the batch engine cannot play this scenario ({report.one_at_a_time}); its quick-bot "
                    "games were played one at a time, many times slower"), file=sys.stderr)
    n = report.total_games
    if n:
        print(f"  {n} games, {report.mean_turns:.1f} turns on average, {report.ended_early} ended before turn "
              f"{sc.meta.turns}")
        shares = sorted(report.objective_share.items(), key=lambda kv: kv[1])
        if shares:
            print(clean(f"  objectives met in {100 * shares[0][1]:.0f}% ({shares[0][0]}) to "
                        f"{100 * shares[-1][1]:.0f}% ({shares[-1][0]}) of games"))
    for f in report.findings:
        print(clean(f"warning: {f.message}"))
    k = len(report.findings)
    print(f"{k} warning{'s' if k != 1 else ''}." if k else "No warnings.")
    return 0


def cmd_new_scenario(args: argparse.Namespace) -> int:
    try:
        out = Path(args.out) if args.out else Path(scenario_id(args.name) + ".yaml")
        write_new(args.name, out, force=args.force)
    except (ValueError, OSError) as exc:
        print(clean(f"new-scenario: {exc}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(clean(f"wrote {out}; next: {command()} validate {out} && {command()} check {out}"))
    return 0


DEFAULT_LEVEL = "quick"


def parse_levels(text: str, sides: list[str]) -> dict[str, str]:
    """`strong` for every bot, or `red=strong,blue=quick` (others keep the default)."""
    levels = dict.fromkeys(sides, DEFAULT_LEVEL)
    for part in filter(None, (p.strip() for p in text.split(","))):
        side, _, level = part.rpartition("=")
        if level not in LEVELS:
            raise ValueError(f"unknown bot level {level!r}; choose one of {', '.join(LEVELS)}")
        if side:
            if side not in levels:
                raise ValueError(f"unknown side {side!r} in --bot-level; choose one of {', '.join(sides)}")
            levels[side] = level
        else:
            levels = dict.fromkeys(sides, level)
    return levels


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin")


def cmd_ui(args: argparse.Namespace) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from engine.ui.app import run_ui

    w, h = (int(x) for x in args.size.lower().split("x"))
    sc = _load(args.scenario)
    loaded = None
    if getattr(args, "load", None):
        loaded = _read_save(args.load)
    team = getattr(args, "as_side", None)
    if team is not None and team not in sc.playable_ids:
        print(f"unknown side {team!r}; choose one of: {', '.join(sc.playable_ids)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        levels = parse_levels(getattr(args, "bot_level", None) or DEFAULT_LEVEL, sc.playable_ids)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    seat = None
    if team is not None and loaded is None:  # `--as SIDE` on the map: that side a team, the others bots, no start screen
        seat = (Game(sc, seed=_seed(getattr(args, "seed", None))), Room(teams=[team], levels=levels))
    return run_ui(Path(args.scenario), size=(w, h), scale=args.ui_scale, loaded=loaded, seat=seat,
                  save_to=Path(args.save) if getattr(args, "save", None) else None,
                  autosave=getattr(args, "autosave", None), turn_timer=_turn_timer(args))


def _minutes(text: str) -> float:
    try:
        return parse_minutes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None




def _window_size(text: str) -> str:
    """--size: WIDTHxHEIGHT in pixels, each from 1 to 16384 (returned as typed, normalised: 1920x1080)."""
    width, sep, height = text.strip().lower().partition("x")
    try:
        w, h = int(width), int(height)
    except ValueError:
        w = h = 0
    if not sep or not (0 < w <= 16384 and 0 < h <= 16384):
        raise argparse.ArgumentTypeError(f"must be WIDTHxHEIGHT in pixels, e.g. 1920x1080, not {text!r}")
    return f"{w}x{h}"


#: the text and panel scales the map offers (its + and - keys stay within them too)
UI_SCALES = (0.75, 2.5)


def _ui_scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    low, high = UI_SCALES
    if not low <= value <= high:  # also refuses nan and infinity
        raise argparse.ArgumentTypeError(f"must be a number from {low} to {high}, e.g. 1.5, not {text!r}")
    return value


def _check_save_paths(args: argparse.Namespace) -> None:
    """--save and --autosave name files a save can be written to, or exit 2 before a single turn is played.

    The rule is engine/persistence/files.py's: a regular file or nothing (never a pipe, a device or a folder), no symbolic
    link at the name, and a save if anything is there; a game is not played to the end to find that out.
    """
    for option in ("--save", "--autosave"):
        value = getattr(args, option[2:], None)
        if value is None or (option == "--autosave" and autosave_path(value) is None):  # none, or "off"
            continue
        try:
            check_save_target(Path(value))
        except SaveError as exc:
            print(clean(f"{option} {value}: {exc.reason}"), file=sys.stderr)
            raise SystemExit(EXIT_BAD_INPUT) from None


def _turn_timer(args: argparse.Namespace) -> TimerSetting | None:
    """The facilitator's turn timer from the command line (None: none); a warning not before the end exits 2."""
    if getattr(args, "turn_timer", None) is None:
        return None
    try:
        return TimerSetting(args.turn_timer, args.timer_warning, args.auto_commit)
    except ValueError as exc:
        print(f"--turn-timer: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def _read_save(path: str) -> LoadedSave:
    """A save's game and who played what, or exit 2 with the reason (a broken or hostile file is refused, never run)."""
    try:
        return read_save(Path(path))
    except SaveError as exc:
        print(clean(f"Cannot load the save: {exc}"), file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def _seed(given: int | None) -> int:
    """The seed asked for, or a fresh random one (see `dice.fresh_seed`)."""
    return dice.fresh_seed() if given is None else given


def cmd_play(args: argparse.Namespace) -> int:
    _turn_timer(args)  # a timer that cannot work is refused before anything starts
    _check_save_paths(args)  # and so is a file to save into that could never be written
    if args.load:
        named = _read_save(args.load).scenario_path
        if is_exercise_file(named):  # an exercise goes on under its script, never as a plain game
            print(clean(f"{args.load} is a save of the exercise {_display(named)}: it goes on under its script "
                        f"(as run-exercise {_display(named)} --load {args.load}).") + "\n")
            exercise_args = argparse.Namespace(
                script=str(named), load=args.load, headless=args.headless, seed=None, save=args.save,
                autosave=args.autosave, size=args.size, ui_scale=args.ui_scale, turn_timer=args.turn_timer,
                timer_warning=args.timer_warning, auto_commit=args.auto_commit, detail=False,
                bot_level=args.bot_level if args.bot_level in LEVELS else None)
            return cmd_run_exercise(exercise_args)
    if not args.headless:
        if _has_display():
            return cmd_ui(args)
        print("No display found: playing headless in the terminal.\n")
    room = None
    if args.load:
        loaded = _read_save(args.load)
        game, scenario_path, room = loaded.game, loaded.scenario_path, loaded.room
        sc = game.scenario
    else:
        sc = _load(args.scenario)
        game = Game(sc, seed=_seed(args.seed))
        scenario_path = Path(args.scenario)
    autosave_to = autosave_path(args.autosave, sc.meta.id)
    r = Renderer(sc)
    human = args.as_side
    if human is None and room is not None and room.teams and args.bots != "all":
        human = room.teams[0]  # the save's team plays on (a terminal seats one team: the others become bots)
        if len(room.teams) > 1:
            print(clean(f"This save was played by {len(room.teams)} teams at the map; the terminal seats one: "
                        f"{human} (choose with --as). Load it on the map to seat them all."))
    if human and human not in sc.playable_ids:
        print(f"unknown side {human!r}; choose one of: {', '.join(sc.playable_ids)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if human and args.bots == "all":
        print("--as and --bots all contradict each other: with --bots all every side is a bot", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        levels = parse_levels(args.bot_level or DEFAULT_LEVEL, sc.playable_ids)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.bot_level is None and room is not None:
        levels.update(room.levels)  # the save's bots play on as they were
    seated = Room(teams=[human] if human else [], levels={a: lv for a, lv in levels.items() if a != human})

    def bot_for(level: str) -> Callable[[Game, str], list[Order]]:
        return lambda g, side: bot_orders(level, g.rules, g.state, side)
    controllers: dict[str, Callable[[Game, str], list[Order]]] = {a: bot_for(levels[a]) for a in sc.playable_ids}
    if human:
        player = TerminalPlayer(r, sys.stdin, sys.stdout)
        player.fallback = controllers[human]
        controllers[human] = player
    # What this terminal shows is one observer's view: the side played here, or (all bots) the facilitator's.
    audience: str | None = human or None
    if human:
        print(clean(sc.meta.title))
        print(f"{r.name(human)}'s view: only what {r.name(human)} may see "
              "(other sides' private figures and injects stay hidden)")
    else:
        print(f"{clean(sc.meta.title)} — seed {game.state.seed}")
        print("Facilitator's view: every side's figures, private ones included")
    if args.load:
        print(clean(f"Loaded {args.load}: {len(game.turns)} turn(s) played, "
                    + ("the game is over." if game.over else f"continuing with turn {game.state.turn}.")))
    print(clean(sc.meta.summary.strip()))
    print(clean("Sides: " + ", ".join(f"{r.name(a)} ({'you' if a == human else levels[a] + ' bot'})"
                                      for a in sc.playable_ids)))
    print()
    print("\n".join(map(clean, r.situation(game.view(audience)))))
    while not game.over:
        before = game.view(audience, recent=1)
        game.play_turn(controllers)
        view = game.view(audience, recent=1)
        print()
        print("\n".join(map(clean, r.summary(turn_changes(sc, before, view), view, audience))))
        failed = autosave(game, scenario_path, autosave_to, seated)
        if failed:
            print(clean(failed), file=sys.stderr)
    print()
    print("\n".join(map(clean, r.results(game.view(audience)))))
    if args.save:
        try:
            written = save_game(Path(args.save), game, scenario_path, label="finished game", room=seated)
        except SaveError as exc:
            print(clean(f"Not saved: {exc}"), file=sys.stderr)
            return 1
        print(f"\nSaved to {clean(written)}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Re-run a save from its scenario, seed and order log: exit 0 if every turn matches, 1 if not, 2 if broken."""
    try:
        record, result = replay_save(Path(args.save))
    except SaveError as exc:
        print(clean(f"Cannot replay: {exc}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    sc = record.scenario
    print(clean(f"Replaying {args.save}: {sc.meta.title}, seed {record.seed}, {len(record.turns)} turn(s) in the log"))
    for t, state in zip(record.turns[: result.checked], result.history[1:], strict=False):
        mark = f"matches (digest {state.digest()[:12]})" if t.digest else "replayed (no digest recorded)"
        print(f"  turn {t.turn:>2} ({sc.turn_date(t.turn):%b %Y}): {mark}")
    if result.mismatch is not None:
        print(clean(f"{args.save}: MISMATCH at {result.mismatch}"), file=sys.stderr)
        print(f"The replay differs from the record at turn {result.mismatch.turn}.")
        return 1
    print(f"The replay matches the record: {result.checked} turn(s) checked, and the saved current state.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the after-action review of a save (HTML, Markdown, charts, CSV and JSON log).

    The room's version by default (no side's private information); the
    facilitator's full version with --facilitator; one side's with --side.
    """
    loaded = _read_save(args.save)
    game = loaded.game
    # a save of an exercise names its script: the report then reviews it by learning objective
    exercise = _load_exercise(str(loaded.scenario_path)) if is_exercise_file(loaded.scenario_path) else None
    audience: str | None = ROOM
    suffix = ""
    if args.facilitator:
        audience, suffix = FACILITATOR, "-facilitator"
    elif args.side is not None:
        if args.side not in game.scenario.playable_ids:
            print(f"unknown side {args.side!r}; choose one of: {', '.join(game.scenario.playable_ids)}",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
        audience, suffix = args.side, f"-{args.side}"
    out = Path(args.out) if args.out else fresh_path(paths.written("reports"), Path(args.save).stem + suffix)  # never over another
    try:
        path = write_report(game, out, audience=audience, exercise=exercise, named=bool(args.out))
    except OSError as exc:
        print(clean(f"Cannot write the report into {out}: {exc.strerror or exc}"), file=sys.stderr)
        return 1
    print(clean(f"{label(game.scenario, audience)}."))
    print(clean(f"Report written: {path}"))
    print(clean(f"  also {out / 'report.md'}, the charts as PNG, {out / 'log.csv'} and {out / 'log.json'}"))
    return 0


def _load_exercise(path: str) -> Exercise:
    try:
        return load_exercise(path)
    except ScenarioError as exc:
        _refuse(exc, "exercise")


def cmd_run_exercise(args: argparse.Namespace) -> int:
    """Run a facilitator-scripted exercise: on the map with a facilitator, or headless with bots in the teams' places."""
    _turn_timer(args)
    _check_save_paths(args)
    ex = _load_exercise(args.script)
    loaded = None
    if args.load:
        loaded = _read_save(args.load)
        if loaded.scenario_path.resolve() != Path(args.script).resolve():
            print(clean(f"Cannot load the save: {args.load} is a game of {loaded.scenario_path.name}, not of this "
                        f"exercise ({Path(args.script).name})"), file=sys.stderr)
            return EXIT_BAD_INPUT
    if not args.headless:
        if _has_display():
            return cmd_exercise_ui(args, ex, loaded)
        print("No display found: running the exercise headless in the terminal.\n")
    sc = ex.scenario
    r = Renderer(sc)
    run = ExerciseRun(ex, seed=_seed(args.seed), bot_level=args.bot_level,
                      game=loaded.game if loaded is not None else None)
    game = run.game
    meta = ex.script.exercise
    print(clean(f"EXERCISE: {meta.title} — {sc.meta.title}, seed {run.game.state.seed}"))
    if loaded is not None:
        print(clean(f"Loaded {args.load}: {len(game.turns)} turn(s) played under the script, "
                    + ("the exercise is over." if game.over else f"continuing with turn {game.state.turn}.")))
    print("Facilitator's view: every side's figures, private ones included")
    print(clean(meta.summary.strip()))
    print(f"Adjudication: {clean(meta.adjudication.replace('_', '-'))}"
          + (" (headless: with nobody at the control desk, the rules' outcomes stand)"
             if meta.adjudication != "rigid" else ""))
    print("Learning objectives:")
    for o in meta.objectives:
        print(f"  · {clean(o.text)}")
    print(clean("Teams (played here by bots of level " + (args.bot_level or meta.bot_level) + "):"))
    for t in ex.script.teams:
        print(clean(f"  {t.name}: {', '.join(r.name(a) for a in t.actors)}"))
        if t.briefing:
            print(f"    briefing (to {clean(t.name)} only): {clean(t.briefing.strip())}")
    print(clean("Played by the script and bots: " + ", ".join(r.name(a) for a in ex.unplayed_sides)))
    print()
    print("\n".join(map(clean, r.situation(game.view(None)))))
    autosave_to = autosave_path(args.autosave, ex.script.exercise.id)
    if game.state.phase == "paused":  # saved during a discussion pause: with nobody at the desk it resumes
        print(clean(f"  (saved during the pause '{game.state.pause_note}': the exercise resumes)"))
        game.control(Resume(by="script"))
    inbox = game.view(None).get("inbox") or []
    if inbox and not args.detail:  # later turns' injects are news in the turn before (the full log repeats them)
        print(f"\nInjects for turn {game.state.turn}'s planning:")
        for ev in inbox:
            print("\n".join(map(clean, r.inject(ev, game.view(None)["agreements"]))))
    while not game.over:
        before = game.view(None, recent=1)
        rec = run.play_turn()
        view = game.view(None, recent=1)
        print()
        # what changed and why, one line of orders per side; --detail: every order's reasons and effects
        turn = r.turn(view["log"][-1], view) if args.detail else r.summary(turn_changes(sc, before, view), view, None)
        print("\n".join(map(clean, turn)))
        if game.state.phase == "paused":
            pause = ex.pause_after(rec.turn)
            print()
            print(f"⏸ DISCUSSION PAUSE — {clean(game.state.pause_note)}")
            for prompt in pause.prompts if pause else []:
                print(f"    ? {clean(prompt)}")
            print("  (nobody at the control desk: the exercise resumes)")
            game.control(Resume(by="script"))
        failed = autosave(game, Path(args.script), autosave_to)
        if failed:
            print(clean(failed), file=sys.stderr)
    print()
    print("\n".join(map(clean, r.results(game.view(None)))))
    print()
    print("DEBRIEF")
    print("Learning objectives, to discuss in the hot wash (the injects that served each, what control expected):")
    for lo in exercise_review(ex, game).objectives:
        print(f"  · {clean(lo.text)}")
        for inj in lo.injects:
            when = f"turn {inj.turn}" if inj.turn is not None else "never delivered"
            print(f"      {clean(inj.title)} ({when}, to {clean(inj.to)})"
                  + (f": expected: {clean(inj.expected_action)}" if inj.expected_action else ""))
    print("Control log (who decided what):")
    lines: list[tuple[int, str]] = []
    for c in game.state.control:
        why = f" — {c.reason}" if c.reason else ""
        lines.append((c.turn, clean(f"{c.by} {c.action.replace('_', ' ')}: {c.detail}{why}")))
    for rec in game.state.log:
        for res in rec.resolutions:
            if res.decided_by != "rules":
                lines.append((rec.turn, clean(f"{res.decided_by} set {r.name(res.order.actor)}'s "
                                              f"{sc.card(res.order.card).name} to {res.outcome}: "
                                              f"{res.decided_because}")))
    for turn_no, line in sorted(lines, key=lambda x: x[0]):
        print(f"  turn {turn_no}: {line}")
    if not lines:
        print("  (nothing: the dice and the rules decided everything)")
    if args.save:
        try:
            written = save_game(Path(args.save), game, Path(args.script), label=f"exercise: {meta.title}")
        except SaveError as exc:
            print(clean(f"Not saved: {exc}"), file=sys.stderr)
            return 1
        print(f"\nSaved to {clean(written)}")
    return 0


def cmd_exercise_ui(args: argparse.Namespace, ex: Exercise, loaded: LoadedSave | None = None) -> int:
    """The exercise on the map: its start screen, resuming `loaded` when given (the facilitator sets a passphrase)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from engine.ui.app import run_exercise_ui

    w, h = (int(x) for x in args.size.lower().split("x"))
    return run_exercise_ui(ex, seed=args.seed, size=(w, h), scale=args.ui_scale,
                           autosave=getattr(args, "autosave", None), loaded=loaded,
                           loaded_from=Path(args.load).name if loaded is not None else "", turn_timer=_turn_timer(args))


def build_parser() -> argparse.ArgumentParser:
    prog = command().removeprefix("python ")
    p = argparse.ArgumentParser(prog=prog, description="Wargame and tabletop-exercise engine.")
    p.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario file (default: the shipped one)")
    sub = p.add_subparsers(dest="command")
    v = sub.add_parser("validate", help="check a scenario file and summarise it")
    v.add_argument("scenario")
    v.set_defaults(func=cmd_validate)
    sc = sub.add_parser("schema", help="print the JSON Schema of the scenario format (for editors)")
    sc.add_argument("--deck", action="store_true", help="the schema of a card deck file (cards:, events:) instead")
    sc.add_argument("--exercise", action="store_true", help="the schema of an exercise script instead")
    sc.set_defaults(func=cmd_schema)
    ck = sub.add_parser("check", help="play many quick bot games and warn about cards, objectives and endings")
    ck.add_argument("scenario")
    ck.add_argument("--runs", type=positive, default=DEFAULT_RUNS, help=f"games with simple bots (default {DEFAULT_RUNS})")
    ck.add_argument("--quick-runs", type=positive, default=DEFAULT_QUICK_RUNS,
                    help=f"games with quick doctrine bots (default {DEFAULT_QUICK_RUNS})")
    ck.add_argument("--jobs", type=workers, default=None, help="worker processes (default: one per core)")
    ck.set_defaults(func=cmd_check)
    ns = sub.add_parser("new-scenario", help="write a small, valid, commented scenario to start from")
    ns.add_argument("name", help="the scenario's title; its id is made from it")
    ns.add_argument("--out", default=None, help="file to write (default: ID.yaml in the current folder)")
    ns.add_argument("--force", action="store_true", help="replace the file if it exists")
    ns.set_defaults(func=cmd_new_scenario)
    pl = sub.add_parser("play", help="play a game")
    pl.add_argument("--scenario", default=None, help="scenario file")
    pl.add_argument("--seed", type=int, default=None,
                    help="the game's seed (default: a random one, which the teams cannot guess)")
    pl.add_argument("--headless", action="store_true", help="play in the terminal, without the map")
    pl.add_argument("--as", dest="as_side", default=None, help="the side you play (the others are bots)")
    pl.add_argument("--bots", choices=["all"], default=None,
                    help="all: every side is a bot (what happens anyway without --as)")
    pl.add_argument("--bot-level", default=None,
                    help=f"{'|'.join(LEVELS)} for every bot, or per side: SIDE=LEVEL,... (e.g. red=strong,blue=quick)")
    pl.add_argument("--load", default=None, metavar="PATH", help="continue a saved game (saves/NAME.json)")
    pl.add_argument("--save", default=None, metavar="PATH", help="save the finished game to PATH")
    pl.add_argument("--autosave", default=None, metavar="PATH",
                    help="where to autosave after every turn (default saves/autosave.json, or $WARGAME_AUTOSAVE; "
                         "'off' to turn it off)")
    pl.set_defaults(func=cmd_play)
    ex = sub.add_parser("run-exercise", help="run a facilitator-scripted exercise (scenarios/exercises/)")
    ex.add_argument("script", help="an exercise script")
    ex.add_argument("--seed", type=int, default=None, help="the exercise's seed (default: a random one)")
    ex.add_argument("--headless", action="store_true", help="run in the terminal, with bots in the teams' places")
    ex.add_argument("--bot-level", default=None, choices=list(LEVELS),
                    help="level of the bots (default: the script's)")
    ex.add_argument("--save", default=None, metavar="PATH", help="save the finished exercise to PATH")
    ex.add_argument("--load", default=None, metavar="PATH",
                    help="continue a saved exercise (an autosave, say) under its script: its timeline of injects, "
                         "scripted moves, forced outcomes and pauses go on from where it was")
    ex.add_argument("--detail", action="store_true",
                    help="headless: print each turn in full (every order's reasons and effects, the dice, upkeep) "
                         "instead of what changed and why")
    ex.add_argument("--autosave", default=None, metavar="PATH",
                    help="autosave after every turn here (default saves/autosave.json; 'off' to disable)")
    ex.set_defaults(func=cmd_run_exercise)
    rp = sub.add_parser("replay", help="re-run a saved game from its seed and orders and check every turn")
    rp.add_argument("save", help="a save file")
    rp.set_defaults(func=cmd_replay)
    rep = sub.add_parser("report", help="write the after-action review of a saved game")
    rep.add_argument("save", help="a save file")
    rep.add_argument("--out", default=None, metavar="DIR",
                     help="folder for report.html (default reports/NAME/, reports/NAME-facilitator/ or "
                          "reports/NAME-SIDE/)")
    who = rep.add_mutually_exclusive_group()
    who.add_argument("--facilitator", action="store_true",
                     help="the facilitator's full version, with every side's private information (not for teams); "
                          "the default is the room's version, with none")
    who.add_argument("--side", default=None, metavar="SIDE",
                     help="one side's own version: what that side saw, its private information included")
    rep.set_defaults(func=cmd_report)

    add_simulate(sub, str(DEFAULT_SCENARIO))
    for parser in (p, pl, ex):
        parser.add_argument("--size", type=_window_size, default="1280x800", help="window size for the map, e.g. 1920x1080")
        parser.add_argument("--ui-scale", type=_ui_scale, default=None,
                            help=f"text and panel scale from {UI_SCALES[0]} to {UI_SCALES[1]} (projectors: 1.5)")
        parser.add_argument("--turn-timer", type=_minutes, default=None, metavar="MINUTES",
                            help="on the map: minutes each team has to plan (e.g. 10 or 7:30), shown to the room")
        parser.add_argument("--timer-warning", type=_minutes, default=1.0, metavar="MINUTES",
                            help="warn a team this long before its time is up (default 1)")
        parser.add_argument("--auto-commit", action="store_true",
                            help="at time-out, commit the team's entered orders as they stand")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "scenario", None) is None:
        args.scenario = parser.get_default("scenario")
    if args.command is None:
        if _has_display():
            return cmd_ui(args)
        print("No display found: playing the default scenario headless in the terminal.\n")
        args = parser.parse_args(["play", "--headless", "--scenario", args.scenario])
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `| head`: the reader has gone, which is not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
