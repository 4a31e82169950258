"""The terminal a student alone can decide from: `python main.py play --headless --as poland --seed 3`.

Driven as a user drives it (a subprocess with typed input): `?` explains the options and what they do, an
option keeps its number from turn to turn, a choice by number plays that order, and each turn's output
starts with the side's own figures and why they moved, a fraction of the length of the turn in full.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from engine.persistence.saves import read_save
from engine.present.describe import effect_text
from engine.scenario.load import load_scenario
from tests.conftest import DEFAULT, MINI, ROOT

OPTION = re.compile(r"^\s+(\d+)\. (.+?) \[", re.M)
NOT_NOW = re.compile(r"^\s+([\d, ]+)\. ✗ (.+?) — not now: ", re.M)


def play(stdin: str, *extra: str, side: str = "poland", seed: str = "3") -> str:
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "play", "--headless", "--as", side, "--seed", seed,
                          "--autosave", "off", *extra], cwd=ROOT, input=stdin, capture_output=True, text=True,
                         timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8",
                                           "WARGAME_AUTOSAVE": os.environ["WARGAME_AUTOSAVE"]})
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    return res.stdout


def prompts(out: str) -> list[str]:
    """The text printed for each of the side's turns: from its orders heading to the next turn's log."""
    parts = out.split("your orders for turn ")[1:]
    return [p.split("\n═══ Turn ")[0] for p in parts]


def options(block: str) -> dict[str, int]:
    """Option label (card and aim) → number, as listed for one turn."""
    listing = block.split("Choose up to")[0]
    return {label: int(n) for n, label in OPTION.findall(listing)}


@cache
def two_quiet_turns() -> str:
    """Poland plays option 1 (Raise defence spending) in turn 1 and gives no orders in turn 2."""
    return play("1\n\n")


def test_question_mark_gives_help_with_what_each_option_does() -> None:
    """`?` used to be refused ("Please type numbers between 1 and 18"); now it explains, with effects."""
    out = play("?\n")
    first = prompts(out)[0]
    after_question = first.split("Choose up to", 1)[1]
    assert "Please type numbers" not in after_question
    assert "How to give orders:" in after_question and "? N" in after_question
    sc = load_scenario(DEFAULT)
    card = sc.card("raise_defence_spending")
    for e in card.effects:
        assert effect_text(sc, e) in after_question  # its effects, in words
    n = options(first)["Raise defence spending"]
    assert re.search(rf"^\s+{n}\. Raise defence spending: .*2 Action points · certain$", after_question, re.M)
    # a card that cannot be played now says why, and an aimed one gives its chance per target as Poland knows it
    assert "✗ Push the defence budget to 2% of GDP" in after_question and "not now: requires" in after_question
    assert re.search(r"Call on an ally to pay its 2%: .* chance Italy 40%", after_question)


def test_question_mark_n_explains_one_option_in_full() -> None:
    first = prompts(play("\n"))[0]
    italy = options(first)["Call on an ally to pay its 2% → Italy"]
    push = int(NOT_NOW.findall(first)[0][0])  # Push the defence budget to 2%: not playable for Poland (4% already)
    out = prompts(play(f"? {italy}\n?{push}\n? 999\n"))[0].split("Choose up to", 1)[1]
    assert f"Option {italy}: Call on an ally to pay its 2% → Italy" in out
    assert "Cost: 1 Action points" in out and "Your chance now: 40%" in out and "Effect: " in out
    assert f"Can be given this turn: type {italy}." in out
    assert f"Option {push}: Push the defence budget to 2% of GDP" in out
    assert "Not this turn: requires own Defence spending < 2" in out
    assert "There is no option 999" in out


def test_the_same_card_and_aim_keep_their_number_from_turn_1_to_turn_2() -> None:
    """Before, options were counted afresh each turn: "Call on an ally to pay its 2% → Italy" was 14 in turn 1
    and 15 in turn 2, because "Reaffirm Article 5" became playable in between."""
    turn1, turn2 = prompts(two_quiet_turns())[:2]
    one, two = options(turn1), options(turn2)
    both = one.keys() & two.keys()
    assert len(both) >= 15
    assert {label: one[label] for label in both} == {label: two[label] for label in both}
    assert "Call on an ally to pay its 2% → Italy" in both
    # a card played in turn 1 is on cooldown in turn 2: it keeps its number and says why not
    cooling = dict((label, nums) for nums, label in NOT_NOW.findall(turn2))
    assert cooling["Raise defence spending"].strip() == str(one["Raise defence spending"])
    assert re.search(r"✗ Raise defence spending — not now: played on turn 1", turn2)
    # a number is never given twice
    numbers = [*two.values(), *(int(n) for nums, _ in NOT_NOW.findall(turn2) for n in nums.split(","))]
    assert len(numbers) == len(set(numbers))


def test_a_choice_by_number_plays_that_order(tmp_path: Path) -> None:
    first = prompts(play("\n"))[0]
    listed = options(first)
    italy, exercise = listed["Call on an ally to pay its 2% → Italy"], listed["Hold a large allied exercise"]
    save = tmp_path / "g.json"
    out = play(f"{italy} {exercise}\n", "--save", str(save))
    game = read_save(save).game
    given = game.turns[0].orders["poland"]
    assert [(o.card, o.targets) for o in given] == [("call_allies_to_pay", ("italy",)),
                                                    ("allied_exercise", ())]
    turn1 = out.split("═══ Turn 1 ")[1].split("═══ Turn 2 ")[0]
    assert re.search(r"^  You: Call on an ally to pay its 2% → Italy [✓✗] \(d100 \d+ vs 40%\) · "
                     r"Hold a large allied exercise ✓$", turn1, re.M)
    # a number of an option that cannot be given now is refused with the reason, and the turn asked again
    out = play("1\n1\n")  # turn 2: option 1 is on cooldown
    assert "Option 1 cannot be given this turn: played on turn 1; wait 1 turn(s) between plays" in out


def test_each_turn_starts_with_your_figures_and_is_much_shorter_than_the_turn_in_full() -> None:
    """The turn's output for Poland, and `log` (the turn in full, as every turn was printed before): in
    turn 1 of seed 3, with Poland raising its spending and investing in intelligence, 35 lines instead of
    184 (turn 2: 31 instead of about 180)."""
    out = play("1 9\nlog\n\n")
    summary = out.split("\n═══ Turn 1 ", 1)[1].split("\n─── Poland: your orders for turn 2")[0]
    lines = ("═══ Turn 1 " + summary).strip("\n").splitlines()
    assert lines[1] == "Your figures, and why they changed:"
    mine = lines[2:lines.index("Shared figures:")]
    assert any(re.fullmatch(r"  Defence spending 4\.12 → 4\.32 \(\+0\.2\): Raise defence spending \+0\.2", x)
               for x in mine), mine
    assert any(x.startswith("  Action points ") and "paid for Raise defence spending -2" in x for x in mine)
    assert "Escalation: falls from Traditional crisis to Subcrisis manoeuvring (score 60 → 49)" in lines
    assert any("Germany–Ukraine security agreement: negotiating → signed" in x for x in lines)
    orders = lines[lines.index("Orders (✓ succeeded, ✗ failed, – fizzled):") + 1:]
    assert len(orders) == 10 and orders[0] == "  You: Raise defence spending ✓ · Invest in intelligence collection ✓"
    # the turn in full, asked for with `log` at the next prompt, is what was printed each turn before
    full = out.split("\n═══ Turn 1 ", 2)[2].split("Choose up to")[0]
    full_lines = ("═══ Turn 1 " + full).strip("\n").splitlines()
    assert "Orders (in resolution order):" in full_lines and "End of turn:" in full_lines
    assert len(lines) <= 45 and len(full_lines) > 150 and len(lines) * 4 < len(full_lines)


def test_the_facilitators_turn_is_the_same_summary_for_every_side(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "play", "--headless", "--seed", "3", "--autosave",
                          "off"], cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr
    turn1 = res.stdout.split("\n═══ Turn 1 ", 1)[1].split("\n═══ Turn 2 ")[0].splitlines()
    assert turn1[1] == "Figures that changed:" and turn1[2].startswith("  United States: ")
    assert "Budgets:" in turn1 and "Orders (✓ succeeded, ✗ failed, – fizzled):" in turn1
    assert sum(1 for x in turn1 if x.startswith("Escalation:")) == 1
    assert len(turn1) < 80


def test_no_scenario_text_reaches_the_terminal_unescaped(tmp_path: Path) -> None:
    """A card name, an inject's text and an actor's name carrying terminal escapes and a bidi override are
    printed with U+FFFD in their place, in the options, the help, the turn's summary and the turn in full."""
    text = MINI.read_text(encoding="utf-8")
    hostile = {
        "name: Raise defence spending": 'name: "Raise \\e[2J\\e[31mdefence spending"',
        "text: Alpha's commitment wavers.": 'text: "Alpha\'s \\e]0;owned\\a commitment \\u202ewavers."',
        "name: Beta": 'name: "Be\\x9bta"',
    }
    for a, b in hostile.items():
        assert text.count(a) == 1
        text = text.replace(a, b)
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    out = play("?\n1\n? 1\nlog\n1\n", "--scenario", str(path), side="alpha", seed="1")
    assert "Raise \ufffd[2J\ufffd[31mdefence spending" in out and "\ufffd]0;owned\ufffd" in out
    assert "Be\ufffdta" in out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
