"""Robust under hostile but valid input: every file the engine writes is written by one rule (engine/persistence/files.py).

What a user relies on, shown here command by command through the real CLI:

* only regular files are written: a folder, named pipe (FIFO), device node or socket at the target is refused
  (with --force too), and left as it was;
* never through a symbolic link at the target: the link and what it points to are left as they were;
* atomically, through a new temporary file created exclusively beside the target: a user's own OUT.tmp is never
  read, replaced or deleted, and a failed write leaves no temporary file;
* never over an existing file without --force where the command has --force (new-scenario); a save replaces only
  an earlier save, never another kind of file;
* a destination that cannot work is refused before any game is played; a failure at the end is one sentence
  (exit 1, no traceback) and what could be written is kept (the summary is on the terminal).

The tests run as root, which ignores chmod: unwritable places are made with a file where a folder must be, a path
under /proc, or a failing os.replace in-process; what only chmod could show is skipped with the reason. No test
touches /dev/null or any real device (device nodes are made in tmp_path, and never opened).
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from engine.bots.policy import simple_orders
from engine.core import paths
from engine.rules.game import Game
from tests.conftest import MINI, ROOT

FEATURES = ROOT / "tests" / "fixtures" / "batch_features.yaml"
SMALL_SIM = ["simulate", "--scenario", str(FEATURES), "--runs", "6", "--workers", "1", "--seed", "3"]


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8",
               "WARGAME_AUTOSAVE": os.environ.get("WARGAME_AUTOSAVE", "off"), **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=environ)


def one_sentence(res: subprocess.CompletedProcess[str]) -> str:
    """The error output, checked to be one line without a traceback."""
    err = res.stderr.strip()
    assert "Traceback" not in res.stderr, res.stderr
    assert len(err.splitlines()) == 1, res.stderr
    return err


def argparse_refusal(res: subprocess.CompletedProcess[str], words: str) -> None:
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    assert words in res.stderr.strip().splitlines()[-1], res.stderr


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def is_fifo(path: Path) -> bool:
    return stat.S_ISFIFO(path.lstat().st_mode)


def no_temporaries(folder: Path) -> None:
    left = [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]
    assert left == [], left


def mini_game(turns: int = 1) -> Game:
    from engine.scenario.load import load_scenario

    sc = load_scenario(MINI)
    g = Game(sc, seed=4)
    ctl = dict.fromkeys(sc.playable_ids, lambda gm, side: simple_orders(gm.rules, gm.state, side))
    for _ in range(turns):
        g.play_turn(ctl)
    return g


@pytest.fixture(scope="module")
def save_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.persistence.saves import save_game

    return save_game(tmp_path_factory.mktemp("save") / "game.json", mini_game(2), MINI)


# ----------------------------------------------------------------------------- the one safe write


def test_the_safe_write_is_atomic_exclusive_and_leaves_a_users_tmp_alone(tmp_path):
    from engine.persistence.files import write_file

    target = tmp_path / "out.txt"
    users = tmp_path / "out.txt.tmp"
    users.write_text("the user's own notes\n")
    assert write_file(target, b"one\n") == target
    assert target.read_bytes() == b"one\n" and users.read_text() == "the user's own notes\n"
    write_file(target, "two\n")
    assert target.read_text() == "two\n"
    no_temporaries(tmp_path)


@pytest.mark.parametrize("where", ["replace", "fsync", "write"])
def test_a_failed_safe_write_removes_its_temporary_file_and_keeps_the_old_one(tmp_path, monkeypatch, where):
    from engine.persistence import files

    target = tmp_path / "out.txt"
    target.write_text("old\n")

    def boom(*args: Any, **kw: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "write":
        def produce(f: Any) -> None:
            f.write(b"half")
            boom()
        data: Any = produce
    else:
        monkeypatch.setattr(os, where, boom)
        data = b"new\n"
    with pytest.raises(files.WriteError, match="the disk is full") as caught:
        files.write_file(target, data)
    monkeypatch.undo()
    assert isinstance(caught.value, OSError)  # callers that catch OSError still catch it
    assert target.read_text() == "old\n"
    no_temporaries(tmp_path)


def test_the_safe_write_refuses_every_target_that_is_not_a_regular_file(tmp_path):
    from engine.persistence.files import WriteError, write_file

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    folder = tmp_path / "folder"
    folder.mkdir()
    pipe = fifo(tmp_path / "pipe")
    for target, words in [(link, "symbolic link"), (dangling, "symbolic link"), (folder, "folder"),
                          (pipe, "named pipe")]:
        for force in (True, False):
            with pytest.raises(WriteError, match=words):
                write_file(target, b"x", replace=force)
    assert victim.read_text() == "precious\n" and link.is_symlink() and dangling.is_symlink()
    assert not (tmp_path / "nowhere.txt").exists() and is_fifo(pipe) and folder.is_dir()
    with pytest.raises(WriteError, match="already exists"):
        write_file(victim, b"x", replace=False)
    assert victim.read_text() == "precious\n"
    no_temporaries(tmp_path)


def test_a_device_node_and_a_socket_are_refused(tmp_path):
    from engine.persistence.files import WriteError, write_file

    node = tmp_path / "null-like"
    try:  # a node of our own in tmp_path (never opened here); the real /dev/null is never touched
        os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc}); the FIFO tests show the class")
    with pytest.raises(WriteError, match="device"):
        write_file(node, b"x")
    assert stat.S_ISCHR(node.lstat().st_mode)
    short = Path(tempfile.mkdtemp(prefix="ws"))  # a socket's path must be short
    try:
        sock_path = short / "s"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.bind(str(sock_path))
            with pytest.raises(WriteError, match="socket"):
                write_file(sock_path, b"x")
            assert stat.S_ISSOCK(sock_path.lstat().st_mode)
    finally:
        for p in short.iterdir():
            p.unlink()
        short.rmdir()


# ----------------------------------------------------------------------------- simulate --out


def _refused_before_playing(res: subprocess.CompletedProcess[str], *words: str) -> None:
    assert res.returncode == 2, (res.stdout, res.stderr)
    err = one_sentence(res)
    assert " games in " not in res.stderr and res.stdout == "", (res.stdout, res.stderr)
    for w in words:
        assert w in err, err


def test_simulate_refuses_a_file_where_its_folder_must_be_before_playing(tmp_path):
    (tmp_path / "file").write_text("mine\n")
    _refused_before_playing(run(*SMALL_SIM, "--out", str(tmp_path / "file")), "file")
    _refused_before_playing(run(*SMALL_SIM, "--out", str(tmp_path / "file" / "sub")))
    _refused_before_playing(run(*SMALL_SIM, "--sweep", "doctrines.north.risk=0.2,0.9", "--out",
                                str(tmp_path / "file")))
    assert (tmp_path / "file").read_text() == "mine\n"


def test_simulate_refuses_a_folder_it_cannot_create_before_playing():
    _refused_before_playing(run(*SMALL_SIM, "--out", "/proc/wargame-no-such-folder/out"))


def test_simulate_refuses_a_pipe_or_a_link_among_its_files_before_playing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    pipe = fifo(out / "outcomes.csv")
    _refused_before_playing(run(*SMALL_SIM, "--out", str(out)), "outcomes.csv")
    assert is_fifo(pipe)
    pipe.unlink()
    victim = tmp_path / "victim.json"
    victim.write_text("precious\n")
    (out / "summary.json").symlink_to(victim)
    _refused_before_playing(run(*SMALL_SIM, "--out", str(out)), "summary.json", "symbolic link")
    assert victim.read_text() == "precious\n" and (out / "summary.json").is_symlink()
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]  # nothing else was written either


def test_simulate_that_cannot_write_at_the_end_says_so_and_keeps_the_rest(tmp_path, monkeypatch, capsys):
    from engine.cli.main import main

    real_replace = os.replace

    def full_for_summary(src: Any, dst: Any, *a: Any, **k: Any) -> None:
        if str(dst).endswith("summary.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", full_for_summary)
    rc = main([*SMALL_SIM, "--out", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert rc == 1
    assert "Peak of the escalation ladder" in out.out  # the summary is on the terminal
    errors = [line for line in out.err.splitlines() if "summary.json" in line]
    assert len(errors) == 1 and "the disk is full" in errors[0] and "outcomes.csv" in errors[0], out.err
    assert "Traceback" not in out.err
    assert len((tmp_path / "out" / "outcomes.csv").read_text().splitlines()) == 7  # the other files are written
    assert (tmp_path / "out" / "peak_rung.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "out" / "summary.json").exists()
    no_temporaries(tmp_path / "out")


def test_a_sweep_that_cannot_write_at_the_end_says_so(tmp_path, monkeypatch, capsys):
    from engine.cli.main import main

    real_replace = os.replace

    def full(src: Any, dst: Any, *a: Any, **k: Any) -> None:
        if str(dst).endswith("sweep.csv"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", full)
    rc = main([*SMALL_SIM, "--sweep", "doctrines.north.risk=0.2,0.9", "--out", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert rc == 1 and "Sweep" in out.out
    assert "sweep.csv" in out.err and "the disk is full" in out.err and "Traceback" not in out.err
    assert (tmp_path / "out" / "sweep.png").exists()


def test_simulate_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not stop writing (the /proc and file-in-the-way tests "
                        "show the early refusal, the failing os.replace test the late one)")
        _refused_before_playing(run(*SMALL_SIM, "--out", str(folder / "out")))
    finally:
        folder.chmod(0o700)


# ----------------------------------------------------------------------------- saves and autosaves


def test_save_game_refuses_a_pipe_a_link_and_a_file_that_is_not_a_save(tmp_path):
    from engine.persistence.saves import SaveError, load_game, save_game

    g = mini_game(1)
    pipe = fifo(tmp_path / "pipe.json")
    with pytest.raises(SaveError, match="not a regular file"):
        save_game(pipe, g, MINI)
    assert is_fifo(pipe)
    victim = tmp_path / "victim.json"
    first = save_game(victim, g, MINI)
    before = first.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    with pytest.raises(SaveError, match="symbolic link"):
        save_game(link, g, MINI)
    assert link.is_symlink() and victim.read_bytes() == before
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "notes"}\n')
    with pytest.raises(SaveError, match="not a save"):
        save_game(notes, g, MINI)
    assert notes.read_text() == '{"my": "notes"}\n'
    save_game(victim, mini_game(2), MINI)  # an earlier save is replaced, as saving does
    assert load_game(victim)[0].state.turn == 3
    no_temporaries(tmp_path)


def test_an_autosave_onto_a_pipe_is_a_message_and_the_pipe_stays(tmp_path):
    from engine.persistence.saves import autosave

    pipe = fifo(tmp_path / "auto.json")
    failed = autosave(mini_game(1), MINI, pipe)
    assert failed is not None and "not a regular file" in failed and "The game goes on" in failed
    assert is_fifo(pipe)


@pytest.mark.parametrize("option", ["--save", "--autosave"])
def test_play_refuses_a_pipe_to_save_into_before_playing(tmp_path, option):
    pipe = fifo(tmp_path / "p.json")
    res = run("play", "--headless", "--bots", "all", "--scenario", str(MINI), "--seed", "1", option, str(pipe))
    assert res.returncode == 2, (res.stdout, res.stderr)
    err = one_sentence(res)
    assert "not a regular file" in err and option in err and "═══ Turn" not in res.stdout
    assert is_fifo(pipe)


@pytest.mark.parametrize("option", ["--save", "--autosave"])
def test_run_exercise_refuses_a_pipe_to_save_into_before_playing(tmp_path, option):
    pipe = fifo(tmp_path / "p.json")
    res = run("run-exercise", "scenarios/exercises/us_withdrawal.yaml", "--headless", "--seed", "1", option,
              str(pipe))
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "not a regular file" in one_sentence(res)
    assert is_fifo(pipe)


@pytest.mark.parametrize("where", ["/proc/wargame-save.json", "FILE/sub/s.json"])
def test_play_refuses_a_place_no_save_can_be_written_before_playing(tmp_path, where):
    (tmp_path / "file").write_text("mine\n")
    target = where.replace("FILE", str(tmp_path / "file"))
    for option in ("--save", "--autosave"):
        res = run("play", "--headless", "--bots", "all", "--scenario", str(MINI), "--seed", "1", option, target)
        assert res.returncode == 2 and option in one_sentence(res) and "═══ Turn" not in res.stdout, res.stderr
    assert (tmp_path / "file").read_text() == "mine\n"


def test_play_refuses_to_save_through_a_link_or_over_a_scenario(tmp_path):
    victim = tmp_path / "victim.json"
    victim.write_text("precious\n")
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    res = run("play", "--headless", "--bots", "all", "--scenario", str(MINI), "--seed", "1", "--save", str(link))
    assert res.returncode == 2 and "symbolic link" in one_sentence(res)
    assert victim.read_text() == "precious\n" and link.is_symlink()
    yaml_copy = tmp_path / "mine.yaml"
    yaml_copy.write_bytes(MINI.read_bytes())
    res = run("play", "--headless", "--bots", "all", "--scenario", str(MINI), "--seed", "1", "--save", str(yaml_copy))
    assert res.returncode == 2 and "not a save" in one_sentence(res)
    assert yaml_copy.read_bytes() == MINI.read_bytes()


def test_autosave_off_and_the_default_paths(tmp_path, monkeypatch):
    from engine.persistence import saves

    for off in ("off", "OFF", "none", "", "  "):
        assert saves.autosave_path(off) is None
    monkeypatch.setenv(saves.AUTOSAVE_ENV, "off")
    assert saves.autosave_path() is None
    res = run("play", "--headless", "--bots", "all", "--scenario", str(MINI), "--seed", "1", "--autosave", "off",
              env={"WARGAME_AUTOSAVE": str(tmp_path / "env.json")})
    assert res.returncode == 0 and not (tmp_path / "env.json").exists()
    # a default name is never one that exists, even as a dangling link or a pipe
    (tmp_path / "autosave-x.json").symlink_to(tmp_path / "nowhere.json")
    fifo(tmp_path / "autosave-x-2.json")
    assert saves.fresh_path(tmp_path, "autosave-x", ".json") == tmp_path / "autosave-x-3.json"
    monkeypatch.delenv(saves.AUTOSAVE_ENV)
    default = saves.autosave_path(None, "mini")
    assert default is not None and default.parent == paths.written("saves") and not os.path.lexists(default)


# ----------------------------------------------------------------------------- new-scenario


def test_new_scenario_never_writes_through_a_link(tmp_path):
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(victim)
    for extra in ([], ["--force"]):  # the real reason at once, not "add --force" and then a refusal
        res = run("new-scenario", "Mine", "--out", str(link), *extra)
        assert res.returncode == 2 and "symbolic link" in one_sentence(res)
    assert victim.read_text() == "precious\n" and link.is_symlink()
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "created-elsewhere.yaml")
    res = run("new-scenario", "Mine", "--out", str(dangling))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert not (tmp_path / "created-elsewhere.yaml").exists() and dangling.is_symlink()
    no_temporaries(tmp_path)


def test_new_scenario_leaves_a_users_tmp_file_alone(tmp_path):
    out = tmp_path / "s.yaml"
    mine = tmp_path / "s.yaml.tmp"
    mine.write_text("my draft\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    res = run("new-scenario", "Mine", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert mine.read_text() == "my draft\n" and "meta:" in out.read_text()
    mine.unlink()
    mine.symlink_to(victim)  # a link planted where the old code put its temporary file
    res = run("new-scenario", "Mine", "--out", str(out), "--force")
    assert res.returncode == 0, res.stderr
    assert victim.read_text() == "precious\n" and mine.is_symlink()
    no_temporaries(tmp_path)


def test_new_scenario_refuses_a_pipe_even_with_force_and_says_so_for_bad_places(tmp_path):
    pipe = fifo(tmp_path / "p.yaml")
    for extra in ([], ["--force"]):
        res = run("new-scenario", "Mine", "--out", str(pipe), *extra)
        assert res.returncode == 2, res.stderr
        one_sentence(res)
    assert is_fifo(pipe)
    (tmp_path / "file").write_text("x")
    for bad in (tmp_path / "file" / "s.yaml", Path("/proc/wargame-no-such/s.yaml")):
        res = run("new-scenario", "Mine", "--out", str(bad))
        assert res.returncode == 2 and "new-scenario:" in one_sentence(res)


def test_new_scenario_that_fails_to_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from engine.cli.new_scenario import write_new

    def boom(*args: Any, **kw: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", boom)
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="the disk is full"):
        write_new("Mine", tmp_path / "s.yaml")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- report --out


def test_report_never_writes_through_a_link_or_into_a_pipe(tmp_path, save_file):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("precious\n")
    (out / "report.html").symlink_to(victim)
    planted = out / "report.html.tmp"
    planted.write_text("mine\n")
    res = run("report", str(save_file), "--out", str(out))
    assert res.returncode == 1, res.stderr
    assert "symbolic link" in one_sentence(res) and "report.html" in res.stderr
    assert victim.read_text() == "precious\n" and (out / "report.html").is_symlink()
    assert planted.read_text() == "mine\n"
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.html.tmp"]  # refused before writing
    (out / "report.html").unlink()
    pipe = fifo(out / "log.csv")
    res = run("report", str(save_file), "--out", str(out))
    assert res.returncode == 1 and "named pipe" in one_sentence(res)
    assert is_fifo(pipe)
    pipe.unlink()
    res = run("report", str(save_file), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (out / "report.html").is_file() and planted.read_text() == "mine\n"
    no_temporaries(out)


def test_report_into_a_file_or_an_impossible_folder_is_one_sentence(tmp_path, save_file):
    (tmp_path / "file").write_text("mine\n")
    for bad in (tmp_path / "file", tmp_path / "file" / "sub", Path("/proc/wargame-no-such/out")):
        res = run("report", str(save_file), "--out", str(bad))
        assert res.returncode == 1, res.stderr
        one_sentence(res)
    assert (tmp_path / "file").read_text() == "mine\n"


def test_a_report_that_fails_half_way_keeps_the_files_written(tmp_path, monkeypatch):
    from engine.persistence.files import WriteError
    from engine.present.report import write_report

    real_replace = os.replace

    def full(src: Any, dst: Any, *a: Any, **k: Any) -> None:
        if str(dst).endswith("report.md"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(WriteError, match=r"report\.md") as caught:
        write_report(mini_game(2), tmp_path / "out")
    assert "the disk is full" in caught.value.strerror
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "log.csv").is_file()
    assert not (tmp_path / "out" / "report.md").exists()
    no_temporaries(tmp_path / "out")


def test_a_default_report_folder_is_never_a_planted_link(tmp_path, monkeypatch):
    from engine.persistence.files import WriteError
    from engine.present.report import write_report

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "game").symlink_to(elsewhere)
    with pytest.raises(WriteError, match="symbolic link"):
        write_report(mini_game(1), tmp_path / "reports" / "game", named=False)
    assert list(elsewhere.iterdir()) == []
    write_report(mini_game(1), tmp_path / "reports" / "game")  # a folder the user names may be a link
    assert (elsewhere / "report.html").is_file()


# ----------------------------------------------------------------------------- numbers and YAML


@pytest.mark.parametrize("args", [
    ["simulate", "--workers", "-3", "--runs", "5", "--no-files"],
    ["simulate", "--workers", "0", "--runs", "5", "--no-files"],
    ["simulate", "--runs", "-1", "--no-files"],
    ["check", "tests/fixtures/mini.yaml", "--runs", "-5"],
    ["check", "tests/fixtures/mini.yaml", "--runs", "0"],
    ["check", "tests/fixtures/mini.yaml", "--quick-runs", "-1"],
    ["check", "tests/fixtures/mini.yaml", "--jobs", "0"],
    ["check", "tests/fixtures/mini.yaml", "--runs", "many"],
])
def test_counts_must_be_positive_whole_numbers(args):
    res = run(*args)
    argparse_refusal(res, "at least 1")
    assert "No warnings" not in res.stdout and " games in " not in res.stderr


@pytest.mark.parametrize(("args", "words"), [
    (["play", "--headless", "--ui-scale", "0"], "--ui-scale"),
    (["play", "--headless", "--ui-scale", "nan"], "--ui-scale"),
    (["play", "--headless", "--size", "abc"], "--size"),
    (["play", "--headless", "--size", "0x600"], "--size"),
    (["run-exercise", "scenarios/exercises/us_withdrawal.yaml", "--size", "-5x9"], "--size"),
])
def test_window_sizes_and_scales_are_checked(args, words):
    argparse_refusal(run(*args), words)


def test_a_control_character_is_reported_at_its_line_and_column(tmp_path):
    from engine.core.errors import ScenarioError
    from engine.scenario.safe_yaml import load_text

    text = 'format: 1\nmeta:\n  id: x\n  title: "\u00e9\u00e9 a\x01b"\n'
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "f.yaml")
    p = caught.value.problems[0]
    assert (p.line, p.column) == (4, 15), p
    assert "a control character" in p.message and "U+0001" in p.message
    path = tmp_path / "cc.yaml"
    path.write_text(text, encoding="utf-8")
    res = run("validate", str(path))
    assert res.returncode == 2 and f"{path}:4:15:" in res.stderr and "Traceback" not in res.stderr


def test_reading_a_pipe_as_a_scenario_is_refused_without_waiting(tmp_path):
    pipe = fifo(tmp_path / "s.yaml")
    res = run("validate", str(pipe), timeout=30)
    assert res.returncode == 2 and "not a regular file" in res.stderr and "Traceback" not in res.stderr
    assert is_fifo(pipe)
