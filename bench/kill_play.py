"""Kill the game at random moments, many times: the latest autosave must always load, losing at most the turn
in progress. Then fill the disk and make the saves folder read-only: the game must say so and play on.

Three campaigns, each printing one line:
- play: `main.py play --headless --bots all` killed with SIGKILL after a random delay, drawn over the time a
  whole game takes on this machine (measured first), so that kills land in every phase of play; the autosave
  is loaded and compared with the turns the game had printed (printed - 1 <= saved <= printed);
- save: a process rewriting a whole-game save in a loop, killed at random moments; the save must load;
- disk: a game autosaving into a 64 KiB filesystem (disk full) and a read-only one (needs permission to mount
  tmpfs; skipped with a note otherwise).

Usage: python bench/kill_play.py [--kills 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.persistence.saves import SaveError, load_game

SAVER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from engine.bots.controllers import controller
from engine.rules.game import Game
from engine.scenario.load import load_scenario
from engine.persistence.saves import save_game
sc = load_scenario({scenario!r})
g = Game(sc, seed=1)
g.play_out(dict.fromkeys(sc.playable_ids, controller("simple")))
save_game(Path({path!r}), g, Path({scenario!r}))
print("first save written", flush=True)
while True:
    save_game(Path({path!r}), g, Path({scenario!r}), label="again")
"""


def game_seconds(folder: Path) -> float:
    """How long one whole headless game takes here, start-up included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "main.py", "play", "--headless", "--bots", "all", "--seed", "1", "--autosave",
                    str(folder / "timing.json")], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def kill_play(rng: random.Random, kills: int, folder: Path) -> str:
    auto, log = folder / "auto.json", folder / "out.txt"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    loaded = lost_max = mid_game = 0
    failures = []
    whole = game_seconds(folder)
    for k in range(kills):
        auto.unlink(missing_ok=True)
        delay = rng.uniform(0.1, whole)
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "main.py", "play", "--headless", "--bots", "all", "--seed",
                                     str(rng.randrange(1000)), "--autosave", str(auto)], cwd=ROOT, stdout=out,
                                    stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        text = log.read_text(encoding="utf-8")
        printed = text.count("═══ Turn")
        mid_game += "End of game" not in text
        if not auto.exists():
            if printed > 1:
                failures.append(f"kill {k}: {printed} turns printed but no autosave")
            continue
        try:
            game, _ = load_game(auto)
        except SaveError as exc:
            failures.append(f"kill {k}: the autosave does not load: {exc}")
            continue
        loaded += 1
        saved = len(game.turns)
        if not printed - 1 <= saved <= printed:
            failures.append(f"kill {k}: {printed} turns printed, {saved} saved")
        lost_max = max(lost_max, printed - saved)
    for f in failures:
        print("FAILURE", f)
    return (f"campaign=play kills={kills} killed_mid_game={mid_game} autosaves_loaded={loaded} "
            f"max_turns_lost={lost_max} failures={len(failures)} (a whole game takes {whole:.1f} s here)")


def kill_save(rng: random.Random, kills: int, folder: Path) -> str:
    path = folder / "s.json"
    scenario = ROOT / "scenarios" / "post_nato_2024.yaml"
    script = SAVER.format(root=str(ROOT), scenario=str(scenario), path=str(path))
    failures = 0
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "first save written"
        time.sleep(rng.uniform(0, 0.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        try:
            load_game(path)
        except SaveError as exc:
            failures += 1
            print("FAILURE", exc)
    leftovers = len(list(folder.glob(".s.json.*.tmp")))
    return f"campaign=save kills={kills} saves_loaded={kills - failures} failures={failures} temp_files_left={leftovers}"


def disk(folder: Path) -> str:
    results = []
    for name, options in (("disk_full", "size=64k"), ("read_only", "ro,size=64k")):
        mnt = folder / name
        mnt.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mnt)],
                          capture_output=True).returncode != 0:
            return "campaign=disk skipped (no permission to mount a small filesystem here)"
        try:
            if name == "disk_full":  # leave a little room, less than one save
                (mnt / "filler").write_bytes(b"x" * 40_000)
            out = subprocess.run([sys.executable, "main.py", "play", "--headless", "--bots", "all", "--seed", "1",
                                  "--bot-level", "simple", "--autosave", str(mnt / "auto.json")], cwd=ROOT,
                                 capture_output=True, text=True, timeout=600)
            reported = sum(line.startswith("Autosave failed") for line in out.stderr.splitlines())
            finished = "End of game" in out.stdout
            results.append(f"{name}: exit={out.returncode} finished={finished} failures_reported={reported} "
                           f"traceback={'Traceback' in out.stderr}")
        finally:
            subprocess.run(["umount", str(mnt)], capture_output=True)
    return "campaign=disk " + "; ".join(results)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kills", type=int, default=40)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as d:
        print(kill_play(rng, args.kills, Path(d)), flush=True)
    with tempfile.TemporaryDirectory() as d:
        print(kill_save(rng, args.kills, Path(d)), flush=True)
    with tempfile.TemporaryDirectory() as d:
        print(disk(Path(d)), flush=True)


if __name__ == "__main__":
    main()
