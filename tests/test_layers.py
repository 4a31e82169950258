"""The package's shape holds: layers by import contracts, types by mypy, and no import hidden in a function.

The contracts (pyproject.toml, [tool.importlinter]) order engine/'s layers
(core, scenario, rules, bots, exercise and persistence, analysis and
integrations, present, ui, cli), keep pygame in the map front end and keep
persistence free of exercises and front ends. A function-level import is how
a cycle hides from them, so none is allowed among engine modules, except the
command line's lazy import of the map (a headless run never loads pygame).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (it is in the test extra)")
    return found


def test_the_import_contracts_hold() -> None:
    run = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout and "Contracts: " in run.stdout
    kept = int(run.stdout.split("Contracts: ")[1].split(" kept")[0])
    assert kept >= 3


@pytest.mark.slow
def test_mypy_finds_no_error_in_engine(tmp_path: Path) -> None:
    run = subprocess.run([_tool("mypy"), "--cache-dir", str(tmp_path / "cache")], cwd=ROOT, capture_output=True,
                         text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine"):
                found.append((node.lineno, node.module or ""))
            elif isinstance(node, ast.Import):
                found += [(node.lineno, a.name) for a in node.names if a.name.startswith("engine")]
    return found


def test_no_engine_module_imports_another_inside_a_function() -> None:
    allowed = {("engine/cli/main.py", "engine.ui.app")}  # the map (pygame), loaded only when it opens
    problems = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for line, module in _function_level_imports(path):
            if (rel, module) not in allowed:
                problems.append(f"{rel}:{line}: imports {module} inside a function")
    assert not problems, "\n".join(problems)
