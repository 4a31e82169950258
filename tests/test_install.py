"""A normal install: the wheel holds only `engine`, and its `wargame` command plays from any folder.

The wheel is built from the checkout and installed into a folder of its own
(`pip install --target`), then run with that folder first on the path, from a
working directory outside the checkout, with the per-user data directory
pointed at a temporary folder: so it is the installed copy that runs, reading
its scenarios from package data and writing its saves and reports where an
installed program should, never into the checkout or site-packages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("install")
    wheels, target = base / "wheels", base / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT),
                    "-w", str(wheels)], check=True, capture_output=True, timeout=300, cwd=base)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300, cwd=base)
    work = base / "elsewhere"
    work.mkdir()
    return {"wheel": wheel, "site": target, "work": work, "data": base / "data"}


def _run(installed: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed["site"]), "XDG_DATA_HOME": str(installed["data"]),
           "SDL_VIDEODRIVER": "dummy"}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("WARGAME_AUTOSAVE", None)  # the suite turns autosaving off; this test is of the default
    script = installed["site"] / "bin" / "wargame"
    return subprocess.run([sys.executable, str(script), *args], cwd=installed["work"], env=env, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)


def test_the_wheel_installs_only_engine_at_top_level_with_its_data(installed: dict[str, Path]) -> None:
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"engine"}
    for shipped in ("engine/_data/scenarios/post_nato_2024.yaml", "engine/_data/scenarios/baltic_2027.yaml",
                    "engine/_data/scenarios/exercises/us_withdrawal.yaml", "engine/_data/assets/europe.json",
                    "engine/_data/docs/scenario.schema.json", "engine/cli/main.py", "engine/ui/app.py"):
        assert shipped in names
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert "wargame = engine.cli.main:main" in zipfile.ZipFile(installed["wheel"]).read(entry[0]).decode()


def test_the_package_list_names_every_package_in_the_tree() -> None:
    """pyproject lists packages by hand (package data is mapped in); a new package must not be left out."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    tree = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "engine").rglob("__init__.py")}
    assert tree <= listed, sorted(tree - listed)


def test_the_installed_command_plays_saves_and_reports_outside_the_checkout(installed: dict[str, Path]) -> None:
    help_run = _run(installed, "--help")
    assert help_run.returncode == 0 and help_run.stdout.startswith("usage: wargame")
    for command in ("validate", "check", "new-scenario", "play", "run-exercise", "replay", "report", "simulate"):
        assert command in help_run.stdout

    played = _run(installed, "play", "--headless", "--seed", "3")
    assert played.returncode == 0, played.stderr[-2000:]
    assert "═══ End of game" in played.stdout and "Final escalation:" in played.stdout
    saves = sorted((installed["data"] / "wargame-engine" / "saves").glob("autosave-post_nato_2024-*.json"))
    assert len(saves) == 1
    assert list(installed["work"].iterdir()) == []  # nothing written into the working directory
    assert not (installed["site"] / "engine" / "_data" / "saves").exists()

    replayed = _run(installed, "replay", str(saves[0]))
    assert replayed.returncode == 0, replayed.stderr[-2000:]
    reported = _run(installed, "report", str(saves[0]))
    assert reported.returncode == 0, reported.stderr[-2000:]
    reports = list((installed["data"] / "wargame-engine" / "reports").glob("*/report.html"))
    assert len(reports) == 1

    made = _run(installed, "new-scenario", "Test Crisis")  # a user's own scenario, in the working directory
    assert made.returncode == 0 and "next: wargame validate test_crisis.yaml" in made.stdout, made.stderr
    assert "#   wargame validate THIS_FILE" in (installed["work"] / "test_crisis.yaml").read_text(encoding="utf-8")
    own = _run(installed, "play", "--headless", "--scenario", "test_crisis.yaml", "--seed", "2")
    assert own.returncode == 0, own.stderr[-2000:]
    own_saves = sorted((installed["data"] / "wargame-engine" / "saves").glob("autosave-test_crisis-*.json"))
    assert len(own_saves) == 1 and _run(installed, "replay", str(own_saves[0])).returncode == 0


def test_the_installed_copy_reads_its_scenarios_from_package_data(installed: dict[str, Path]) -> None:
    probe = ("import engine, engine.core.paths as p; "
             "print(engine.__file__); print(p.checkout()); print(p.default_scenario())")
    env = {**os.environ, "PYTHONPATH": str(installed["site"])}
    out = subprocess.run([sys.executable, "-c", probe], cwd=installed["work"], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.splitlines()
    assert out[0].startswith(str(installed["site"]))
    assert out[1] == "None"
    assert out[2] == str(installed["site"] / "engine" / "_data" / "scenarios" / "post_nato_2024.yaml")
