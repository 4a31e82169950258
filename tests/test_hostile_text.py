"""Hostile but valid text in a scenario, an exercise script or a save is data everywhere it goes.

Every name, label, title and free text below carries terminal escape
sequences (clear the screen, write the clipboard), NUL, a C1 control, a bidi
override, mathtext (`$...$`), HTML and Markdown that would run or link, and
spreadsheet formulas. The real command line, the report, the Monte Carlo
files and the map must show it as text and nothing more: no control byte on
the terminal, no live HTML or Markdown link in report.md, no formula in a CSV
cell, every chart written, the start screen drawn, and no text measured one
character at a time.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

#: what a terminal would obey: C0 controls but tab and newline, DEL, C1 controls, and bidi controls
BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
#: the payload, as YAML double-quoted escapes: clear screen, OSC 52 (write the clipboard) ended by BEL, NUL,
#: a C1 CSI, a bidi override, mathtext (an unknown command: matplotlib raises), and HTML and Markdown that would run
PAYLOAD = (r"\e[2J\e]52;c;aGk=\a\0\x9b\u202e $x^2$ $\\frac{a}{b}$ $\\nosuchcommand{x}$ <script>alert(1)</script> "
           r"<img src=x onerror=alert(1)> <iframe src=x></iframe> [x](javascript:alert(1)) ![i](javascript:y)")
#: cells a spreadsheet would run as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def q(text: str) -> str:
    """A YAML double-quoted string (escapes interpreted by YAML)."""
    return '"' + text + '"'


def hostile(text: str, prefix: str = "") -> str:
    return q(prefix + text + " " + PAYLOAD)


SUBSTITUTIONS = {
    "title: Mini test scenario": "title: " + hostile("Mini"),
    "summary: Three actors, a short ladder, one of each kind of card.": "summary: " + hostile("Summary"),
    "{id: made_up, title: Invented for tests}": "{id: made_up, title: " + hostile("Source") + "}",
    "spending_target: {var: defence_pct, at_least: 2, label: The 2% line}":
        "spending_target: {var: defence_pct, at_least: 2, label: " + hostile("Line", "=1+") + "}",
    "{label: GDP,": "{label: " + hostile("GDP") + ",",
    "{label: Defence spending,": "{label: " + hostile("Defence", "@") + ",",
    "{label: Budget points,": "{label: " + hostile("Budget") + ",",
    "{label: Article 5 credibility,": "{label: " + hostile("Credibility") + ",",
    "{label: Trust,": "{label: " + hostile("Trust") + ",",
    "name: Alpha\n": "name: " + hostile("Alpha", '=HYPERLINK(\\"http://evil\\",\\"x\\")') + "\n",
    "name: Beta\n": "name: " + hostile("Beta", "+") + "\n",
    "name: Gamma\n": "name: " + hostile("Gamma", "-") + "\n",
    "name: The Pact": "name: " + hostile("Pact"),
    "{id: calm, name: Calm,": "{id: calm, name: " + hostile("Calm") + ",",
    "{id: tense, name: Tense,": "{id: tense, name: " + hostile("Tense") + ",",
    "{id: crisis, name: Crisis,": "{id: crisis, name: " + hostile("Crisis") + ",",
    "{id: war, name: War,": "{id: war, name: " + hostile("War") + ",",
    "name: Bilateral security agreement": "name: " + hostile("Bilateral"),
    "name: Alpha–Beta pact,": "name: " + hostile("Pact", "=") + ",",
    "name: Raise defence spending": "name: " + hostile("Raise", "=HYPERLINK(1)"),
    "name: Propose a bilateral": "name: " + hostile("Propose"),
    "name: Accept a proposal": "name: " + hostile("Accept"),
    "name: Threaten": "name: " + hostile("Threaten", "\\t"),
    "name: De-escalate": "name: " + hostile("Calm down"),
    "{note: The threat fell flat.}": "{note: " + hostile("Flat", "\\r=1+1") + "}",
    "name: Ally wobbles": "name: " + hostile("Wobble", "=HYPERLINK(\\\"http://evil\\\")"),
    "text: Alpha's commitment wavers.": "text: " + hostile("Wavers", "@SUM(1)"),
    "name: Private briefing": "name: " + hostile("Briefing", "-2+3"),
    "text: Only Alpha hears this.": "text: " + hostile("Only Alpha"),
    "description: Alpha reaches 2%": "description: " + hostile("Alpha 2%", "=1"),
    "description: No crisis": "description: " + hostile("No crisis", "+1"),
    "description: Crisis reached": "description: " + hostile("Crisis reached"),
}


def write_hostile(folder: Path, name: str = "hostile.yaml", subs: dict[str, str] | None = None) -> Path:
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    for old, new in (subs or SUBSTITUTIONS).items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def write_hostile_exercise(folder: Path, scenario: Path) -> Path:
    text = (FIXTURES / "exercise_mini.yaml").read_text(encoding="utf-8")
    subs = {
        "scenario: mini.yaml": f"scenario: {scenario.name}",
        "title: Mini drill": "title: " + hostile("Drill"),
        "summary: Two teams, a scripted third side, one public and one private inject, one discussion pause.":
            "summary: " + hostile("Drill summary"),
        "text: Read the other side's signals before acting.}": "text: " + hostile("Signals", "=") + "}",
        "name: Team North": "name: " + hostile("North", "+"),
        "name: Team South": "name: " + hostile("South"),
        "briefing: North briefing, for Team North only.": "briefing: " + hostile("North briefing"),
        "briefing: South briefing, for Team South only.": "briefing: " + hostile("South briefing"),
        "title: Public news flash": "title: " + hostile("Flash", "=HYPERLINK(2)"),
        "channel: news flash": "channel: " + hostile("News"),
        "text: Everyone in the room hears this.": "text: " + hostile("Everyone"),
        "title: Cable for North only": "title: " + hostile("Cable"),
        "text: Only Team North may read this cable.": "text: " + hostile("Cable text"),
        "expected_action: North tells South, or not.": "expected_action: " + hostile("Expected", "@"),
        "title: Hot seat after the threat": "title: " + hostile("Hot seat"),
        "- How did North read Gamma's threat?": "- " + hostile("Prompt"),
        "text: the drill's only module ended": "text: " + hostile("The end"),
    }
    for old, new in subs.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "hostile_drill.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "WARGAME_AUTOSAVE": os.environ["WARGAME_AUTOSAVE"],
           "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL, env=env)


def assert_harmless(res: subprocess.CompletedProcess[str], rc: int = 0) -> None:
    """Exit code as expected, no traceback, and nothing a terminal would obey on stdout or stderr."""
    assert res.returncode == rc, res.stderr[-3000:]
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    for name, stream in (("stdout", res.stdout), ("stderr", res.stderr)):
        bad = BAD.search(stream)
        assert bad is None, f"{name} holds {bad.group()!r}: ...{stream[max(0, bad.start() - 80):bad.end() + 40]!r}"


@pytest.fixture()
def inside() -> Iterator[Path]:
    """A scratch folder inside the project (a save may only name a scenario there; saves/ is not versioned)."""
    folder = ROOT / "saves" / f".hostile-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def scenario(inside: Path) -> Path:
    return write_hostile(inside)


@pytest.fixture()
def save(tmp_path: Path, scenario: Path) -> Path:
    path = tmp_path / "hostile-save.json"
    res = run("play", "--headless", "--scenario", str(scenario), "--seed", "3", "--autosave", "off",
              "--save", str(path))
    assert_harmless(res)
    return path


# ----------------------------------------------------------------------------- the terminal

def test_the_hostile_scenario_is_valid_and_validate_prints_it_harmlessly(scenario):
    res = run("validate", str(scenario))
    assert_harmless(res)
    assert "valid" in res.stdout and "Mini" in res.stdout and "\ufffd" in res.stdout  # shown, made harmless


def test_headless_play_prints_nothing_a_terminal_obeys(scenario, save):
    res = run("play", "--headless", "--scenario", str(scenario), "--seed", "3", "--autosave", "off")
    assert_harmless(res)
    assert "End of game" in res.stdout and "Wobble" in res.stdout and "Alpha" in res.stdout


def test_playing_a_side_with_help_and_the_log_prints_nothing_a_terminal_obeys(scenario):
    answers = "?\n? 1\n? 2\n? 99\n? x\x1b[2J\nlog\n99\n1\n" + "log\n1 2\n" * 8
    res = run("play", "--headless", "--as", "alpha", "--scenario", str(scenario), "--seed", "3",
              "--autosave", "off", stdin=answers)
    assert_harmless(res)
    assert "your orders for turn 1" in res.stdout and "End of game" in res.stdout


def test_a_loaded_save_and_its_replay_print_nothing_a_terminal_obeys(scenario, save):
    assert_harmless(run("play", "--headless", "--load", str(save), "--autosave", "off"))
    assert_harmless(run("play", "--headless", "--load", str(save), "--as", "beta", "--autosave", "off", stdin=""))
    res = run("replay", str(save))
    assert_harmless(res)
    assert "matches" in res.stdout


def test_check_prints_its_findings_harmlessly(scenario):
    res = run("check", str(scenario), "--runs", "3", "--quick-runs", "2", "--jobs", "1")
    assert_harmless(res)
    assert "warning" in res.stdout.lower()


def test_a_located_error_never_quotes_hostile_text_raw(tmp_path):
    bad = write_hostile(tmp_path, name="bad\x1b]0;owned\x07\u202e.yaml",
                        subs={**SUBSTITUTIONS, "turns: 6": 'turns: "six \\e[2J"', "kind: state\n": "kind: \"\\e[31m\"\n"})
    res = run("validate", str(bad))
    assert_harmless(res, rc=2)
    assert "problem" in res.stderr and "owned" in res.stderr


def test_an_exercise_validates_runs_and_is_reported_harmlessly(tmp_path, scenario):
    script = write_hostile_exercise(scenario.parent, scenario)
    res = run("validate", str(script))
    assert_harmless(res)
    assert "valid exercise script" in res.stdout
    saved = tmp_path / "drill-save.json"
    for detail in ([], ["--detail"]):
        res = run("run-exercise", str(script), "--headless", "--seed", "3", "--autosave", "off",
                  "--save", str(saved), *detail)
        assert_harmless(res)
        assert "DEBRIEF" in res.stdout and "Signals" in res.stdout
    assert_harmless(run("check", str(script), "--runs", "1"))
    out = tmp_path / "drill-report"
    res = run("report", str(saved), "--out", str(out), "--facilitator")
    assert_harmless(res)
    assert_markdown_inert((out / "report.md").read_text(encoding="utf-8"))
    assert_html_inert((out / "report.html").read_text(encoding="utf-8"))
    assert_csv_inert(out / "log.csv")


# ----------------------------------------------------------------------------- the report

def assert_markdown_inert(md: str) -> None:
    assert BAD.search(md) is None, BAD.search(md)
    for raw in ("<script", "<img", "<iframe", "](javascript:", "<b>", "onerror=alert(1)>"):
        assert raw not in md, raw
    # the text is still there, only escaped
    assert "&lt;script&gt;" in md and "javascript" in md


def assert_html_inert(page: str) -> None:
    assert "<script" not in page and "<iframe" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert BAD.search(page) is None, BAD.search(page)


def assert_csv_inert(path: Path, header_only: bool = False) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) > 1 or (header_only and rows)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START) or re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", cell), cell
            assert BAD.search(cell) is None, cell
    return rows


def test_report_escapes_markdown_and_html_neutralises_csv_and_draws_every_chart(tmp_path, save):
    for who in ([], ["--facilitator"], ["--side", "alpha"]):
        out = tmp_path / ("report" + "".join(who))
        res = run("report", str(save), "--out", str(out), *who)
        assert_harmless(res)
        pngs = {p.stem for p in out.glob("*.png")}
        assert {"escalation", "spending", "figures", "globals", "agreements"} <= pngs, (pngs, res.stderr)
        assert_markdown_inert((out / "report.md").read_text(encoding="utf-8"))
        assert_html_inert((out / "report.html").read_text(encoding="utf-8"))
        rows = assert_csv_inert(out / "log.csv")
        assert any(cell.startswith("'=HYPERLINK(") for row in rows for cell in row)


def test_markdown_escape_keeps_the_words():
    from engine.present.render import markdown_text

    out = markdown_text("a *b* _c_ [d](javascript:e) <f> `g` | h\n# i \x1b[2J")
    assert "<" not in out and "\x1b" not in out and "\n" not in out
    for raw in ("*b*", "_c_", "[d]", "](", "`g`", " | "):
        assert raw not in out, raw
    assert "javascript" in out and "&lt;f&gt;" in out


def test_csv_cells_are_neutralised_but_numbers_stay_numbers():
    from engine.present.render import csv_cell

    for bad in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "=HYPERLINK(\"x\")", "-", "\uff1d1+1"):
        assert csv_cell(bad) == "'" + bad
    for bad in ("\t=1", "\r=1", "\n@x", "\x1b[2J=1", "=a\x00b\u202e\nc"):
        cell = csv_cell(bad)
        assert not cell.startswith(FORMULA_START) and BAD.search(cell) is None and "\n" not in cell, cell
        assert "1" in cell or "x" in cell or "c" in cell
    for fine in ("Alpha", "", "1.5", 3, -2.5, "-2.5", "-3", "1e-05", None, "it's -2 now", "a = b"):
        assert csv_cell(fine) == fine


def test_chart_text_is_never_mathtext():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from engine.present.render import chart_text

    fig, ax = plt.subplots()
    ax.set_title(chart_text(r"$x^2$ \frac $\\frac{a}{b}$ $ $$ {a}^{b} \x00"))
    ax.text(0, 0, chart_text("$\\undefinedcommand$"))
    ax.plot([0, 1], [0, 1], label=chart_text("$_$"))
    ax.legend()
    fig.savefig(os.devnull, format="png")
    plt.close(fig)


# ----------------------------------------------------------------------------- the Monte Carlo files

def test_simulate_writes_its_charts_and_neutralised_csv(tmp_path, scenario):
    out = tmp_path / "sim"
    res = run("simulate", "--scenario", str(scenario), "--runs", "4", "--workers", "1", "--out", str(out))
    assert_harmless(res)
    assert {"peak_rung", "objectives", "agreements", "target"} <= {p.stem for p in out.glob("*.png")}, res.stderr
    assert_csv_inert(out / "outcomes.csv")
    assert_csv_inert(out / "agreements.csv", header_only=True)  # a few games may sign nothing
    res = run("simulate", "--scenario", str(scenario), "--runs", "2", "--workers", "1", "--out", str(out / "sweep"),
              "--sweep", "ladder.decay=1,3")
    assert_harmless(res)
    assert (out / "sweep" / "sweep.png").is_file()
    assert_csv_inert(out / "sweep" / "sweep.csv")


# ----------------------------------------------------------------------------- the map

def test_fonts_draw_any_string_and_measure_huge_ones_quickly():
    import pygame

    from engine.ui import fonts

    pygame.font.init()

    for s in ("a\x00b", "\x1b[2J\x07", "\ud800 lone surrogate", "\u202eevil", "", "\x00" * 50, "é\u0301" * 3,
              "tab\there", "line\nbreak", "\U0001f600 emoji", "x" * 50_000):
        fonts.text(s, 14)
        fonts.fit_text(s, 14, 200)
        fonts.wrap(s, 14, 300)
        fonts.font_for(s, 14)
    huge = "W" * 20_000
    start = time.perf_counter()
    short = fonts.fit_text(huge, 14, 300)
    assert time.perf_counter() - start < 0.5
    assert short.endswith("…") and fonts.font(14).size(short)[0] <= 300
    words = " ".join(["word"] * 20_000)
    start = time.perf_counter()
    lines = fonts.wrap(words, 14, 300)
    assert time.perf_counter() - start < 1.0
    assert lines and all(fonts.font(14).size(line)[0] <= 300 for line in lines)
    start = time.perf_counter()
    fonts.wrap(huge, 14, 300)  # one unbreakable word
    fonts.wrap("\x00" + "é" * 20_000, 14, 300)
    assert time.perf_counter() - start < 1.0
    assert "\x00" not in fonts.fit_text("a\x00b", 14, 300) and "\x1b" not in "".join(fonts.wrap("a\x1bb", 14, 300))


def test_the_start_screen_shows_a_hostile_scenario(tmp_path):
    from tests.ui_driver import Driver, drawn_texts

    long = "L" * 20_000
    subs = {**SUBSTITUTIONS, "name: Beta\n": "name: " + q(long + r"\0") + "\n",
            "summary: Three actors, a short ladder, one of each kind of card.": "summary: " + q(long + PAYLOAD)}
    path = write_hostile(tmp_path, subs=subs)
    start = time.perf_counter()
    d = Driver(scenario_path=path)
    texts = drawn_texts(d.frame)
    assert time.perf_counter() - start < 10
    assert d.screen.name == "start" and d.screen.scenario is not None
    assert d.app.error is None, d.app.error
    assert any("Mini" in t for t in texts)
    assert all("\x00" not in t for t in texts)
    d.click(d.screen.side_buttons["alpha"].rect.center)  # a side's button relabelled with its hostile name
    d.frame()
    assert d.app.error is None, d.app.error


def test_the_map_exits_on_sigterm_even_with_a_huge_name(tmp_path):
    long = "L" * 20_000
    subs = {**SUBSTITUTIONS, "title: Mini test scenario": "title: " + q(long + r"\0"),
            "name: Beta\n": "name: " + q(long) + "\n"}
    path = write_hostile(tmp_path, subs=subs)
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "DISPLAY": ":99",
           "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; from engine.ui.app import run_ui; "
            "print('up', flush=True); run_ui(Path(sys.argv[2]), size=(1024, 700))")
    for wait in (3.0, 0.3):  # idle at the start screen, and while (possibly) still drawing it
        proc = subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(path)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
            time.sleep(wait)
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                pytest.fail("the map ignored SIGTERM")
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")


def test_the_loop_ends_after_a_slow_frame_that_handled_quit():
    """SIGTERM arrives as QUIT (SDL queues one); a frame slower than SETTLE_S that handles it must end the loop,
    not put it back to sleep in an empty event queue (where it stayed: the map 'ignored' SIGTERM)."""
    import pygame

    from tests.ui_driver import Driver

    d = Driver()
    draw = d.screen.draw

    def slow(surf: pygame.Surface) -> None:
        time.sleep(0.5)
        draw(surf)
    d.screen.draw = slow  # type: ignore[method-assign]
    pygame.event.clear()
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    pygame.time.set_timer(pygame.USEREVENT, 4000, 1)  # wakes a loop that went back to sleep (and fails the test)
    d.app.running = True
    began = time.perf_counter()
    try:
        d.app.loop()
    finally:
        pygame.time.set_timer(pygame.USEREVENT, 0)
    assert time.perf_counter() - began < 3.0


def test_new_scenario_refuses_a_title_that_would_make_a_file_the_loader_refuses(tmp_path):
    """The title goes into the new file: a control character (or a lone surrogate from an undecodable
    argument) is refused with the reason, and a printable title of any script is written and validates."""
    out = tmp_path / "new.yaml"
    res = run("new-scenario", "Bad\x1b[2J title", "--out", str(out))
    assert_harmless(res, rc=2)
    assert "control character (U+001B)" in res.stderr and not out.exists()
    res = run("new-scenario", "Suwałki gap — Σ 2027 «Київ»", "--out", str(out))
    assert_harmless(res)
    res = run("validate", str(out))
    assert_harmless(res)
    assert "Suwałki gap — Σ 2027 «Київ»" in res.stdout


def test_the_exercise_start_screen_and_control_panel_show_hostile_names(tmp_path):
    """A NUL in a team's name or a figure's label used to make the widget library raise while building the
    exercise's start screen (outside the error banner) and the control panel's drop-downs."""
    import pygame

    from engine.exercise.script import load_exercise
    from engine.ui.exercise_start import ExerciseStartScreen
    from tests.test_ui_exercise import PASS, type_into, unlock
    from tests.ui_driver import Driver, drawn_texts

    subs = {**SUBSTITUTIONS, "{label: Budget points,": "{label: " + q(r"Budget\0 points") + ","}
    scenario = write_hostile(tmp_path, subs=subs)
    script = write_hostile_exercise(tmp_path, scenario)
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("name: " + hostile("North", "+"), "name: " + q(r"North\0 team")),
                      encoding="utf-8")
    d = Driver()
    d.app.show(ExerciseStartScreen(d.app, load_exercise(script), 3))
    texts = drawn_texts(d.frame)
    assert d.app.error is None, d.app.error
    assert all("\x00" not in t for t in texts)
    type_into(d, d.screen.passphrase, PASS)
    d.click(d.screen.start_button.rect.center)
    assert d.app.error is None, d.app.error
    d.key(pygame.K_F10)
    unlock(d)
    assert d.screen.name == "facilitator", d.screen.name
    d.click(next(b for b in d.screen.buttons if b.label.startswith("Adjust")).rect.center)
    d.frame()
    assert d.app.error is None, d.app.error
    assert all("\x00" not in t for t in drawn_texts(d.frame))


def test_a_csv_cell_never_outgrows_what_spreadsheets_and_csv_readers_take():
    """Found by the semantic fuzzer: an event fanning out to many effects with long names made a log.csv cell
    of over 131,072 characters, which Python's csv reader (and any spreadsheet) refuses."""
    import io

    from engine.present.render import CSV_CELL_MAX, csv_cell

    cell = csv_cell("=" + "x" * 500_000)
    assert len(cell) <= CSV_CELL_MAX + 1 and cell.startswith("'=") and cell.endswith("…")
    buf = io.StringIO()
    csv.writer(buf).writerow([cell])
    assert next(csv.reader(io.StringIO(buf.getvalue()))) == [cell]
