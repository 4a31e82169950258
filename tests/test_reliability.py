"""Nothing is lost: a full disk or a read-only saves/ folder is reported and the game goes on; kills lose at most
the turn in progress (a short run of bench/kill_play.py's check)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

import pytest

from engine.cli.main import main
from engine.persistence.saves import load_game
from tests.conftest import MINI, ROOT


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "No space left on device"),
                                             (errno.EROFS, "Read-only file system")])
def test_a_full_or_read_only_disk_is_reported_and_the_game_goes_on(tmp_path, monkeypatch, capsys, code, words):
    real_replace = os.replace

    def failing_replace(src, dst, *a, **k):  # the moment a save becomes visible is the one that fails
        if str(dst).endswith("auto.json"):
            raise OSError(code, words)
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", failing_replace)
    rc = main(["play", "--headless", "--bots", "all", "--scenario", str(MINI), "--seed", "3",
               "--autosave", str(tmp_path / "auto.json"), "--save", str(tmp_path / "final.json")])
    out = capsys.readouterr()
    assert rc == 0
    assert out.out.count("═══ Turn") >= 2 and "End of game" in out.out  # every turn was played
    failures = [line for line in out.err.splitlines() if line.startswith("Autosave failed")]
    assert failures and all("The game goes on" in line for line in failures)
    assert not (tmp_path / "auto.json").exists() and not list(tmp_path.glob(".auto.json.*"))
    assert load_game(tmp_path / "final.json")[0].over  # the explicit save elsewhere still worked


def test_killing_a_game_loses_at_most_the_turn_in_progress(tmp_path):
    auto = tmp_path / "auto.json"
    log = tmp_path / "out.txt"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for delay in (0.6, 1.1, 1.7):
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "main.py", "play", "--headless", "--bots", "all", "--seed", "2",
                                     "--bot-level", "simple", "--autosave", str(auto)],
                                    cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                    env=env)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        printed = log.read_text(encoding="utf-8").count("═══ Turn")
        if not auto.exists():
            assert printed <= 1
            continue
        game, _ = load_game(auto)  # the latest autosave always loads
        assert printed - 1 <= len(game.turns) <= printed
