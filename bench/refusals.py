"""How fast, and in how much memory, hostile-but-well-formed input is refused.

Each attack is built in a scratch folder and refused in a fresh process (so
its peak memory is its own); prints one line per attack with the time to
the refusal, the process's peak memory and the first words of the reason,
and as the last line `slowest_ms=X peak_mb=Y` over all of them.

The attacks: saves holding a million empty records in different places
(the state's log, the control log, a side's figures, the order log) or two
million empty lists; a scenario whose card has C(39, 5) = 575,757 aims; a
sweep of 101 x 101 points.
Usage: python bench/refusals.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MINI = ROOT / "tests" / "fixtures" / "mini.yaml"

#: run in the child: refuse one input, print "ms peak_kb reason" (VmHWM: this process's own peak, which exec
#: resets, where ru_maxrss would carry over the parent's)
CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
kind, path = sys.argv[2], sys.argv[3]
start = time.perf_counter()
try:
    if kind == "save":
        from engine.persistence.saves import read_save
        read_save(__import__("pathlib").Path(path), root=__import__("pathlib").Path(sys.argv[1]))
        reason = "ACCEPTED"
    elif kind == "scenario":
        from engine.scenario.load import load_scenario
        load_scenario(path)
        reason = "ACCEPTED"
    else:
        from engine.analysis.sweep import grid, parse_sweep
        values = ",".join(str(i / 100) for i in range(101))
        grid([parse_sweep(f"a={values}"), parse_sweep(f"b={values}")])
        reason = "ACCEPTED"
except Exception as exc:
    reason = str(exc).replace("\n", " ")
ms = (time.perf_counter() - start) * 1000
hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(f"{ms:.0f} {hwm} {reason}")
"""


def _save_bombs(folder: Path) -> dict[str, Path]:
    from engine.persistence.saves import save_game
    from engine.rules.game import Game
    from engine.scenario.load import load_scenario

    game = Game(load_scenario(MINI), seed=5)
    base = json.loads(save_game(folder / "base.json", game, MINI, label="base", root=ROOT).read_text())
    attacks = {
        "save: a million empty turns in the state's log": lambda d: d["state"].__setitem__("log", [{}] * 10**6),
        "save: a million empty control records": lambda d: d["state"].__setitem__("control", [{}] * 10**6),
        "save: a million bad figures for one side": lambda d: d["state"]["vars"].__setitem__(
            "alpha", {f"v{i}": "x" for i in range(10**6)}),
        "save: a million empty turns in the order log": lambda d: d.__setitem__("turns", [{}] * 10**6),
        "save: two million empty lists": lambda d: d.__setitem__("padding", [[]] * (2 * 10**6 + 1)),
    }
    out = {}
    for i, (name, attack) in enumerate(attacks.items()):
        doc = json.loads(json.dumps(base))
        attack(doc)
        path = folder / f"bomb{i}.json"
        path.write_text(json.dumps(doc))
        out[name] = path
    return out


def _crowded(folder: Path) -> Path:
    import yaml

    doc = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    doc["actors"] += [{"id": f"extra_{i}", "name": f"Extra {i}", "kind": "state", "variables": {"gdp": 1}}
                      for i in range(37)]
    doc["cards"].append({"id": "summit", "name": "Summit", "family": "agreement",
                         "target": {"kind": "actor", "count": 5}, "effects": [{"escalate": 1}]})
    path = folder / "crowded.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        cases = [("save", name, path) for name, path in _save_bombs(folder).items()]
        cases.append(("scenario", "scenario: a card with 575,757 aims", _crowded(folder)))
        cases.append(("sweep", "sweep: 101 x 101 points", folder))
        slowest, peak = 0.0, 0.0
        for kind, name, path in cases:
            size = f"{path.stat().st_size / 1e6:.1f} MB" if path.is_file() else ""
            out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), kind, str(path)], capture_output=True,
                                 text=True, timeout=600)
            ms, kb, reason = out.stdout.strip().split(" ", 2)
            slowest, peak = max(slowest, float(ms)), max(peak, int(kb) / 1024)
            print(f"{name:<50} {size:>8} refused in {ms:>5} ms, peak {int(kb) / 1024:6.0f} MB: {reason[:90]}")
        print(f"slowest_ms={slowest:.0f} peak_mb={peak:.0f}")


if __name__ == "__main__":
    main()
