"""Type checking as a user meets it: the README's Python examples and
typecheck/pass_*.py pass ``mypy --strict`` (and the examples run); typecheck/fail_*.py fails it on exactly the
lines marked ``# error`` (a misspelt config key, ``{"type": "acept"}``, a missed action
in a ``match`` ending in ``assert_never``, ...)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON_DIR = HERE.parent
REPO = PYTHON_DIR.parent
CASES = HERE / "typecheck"


def python_blocks(path: Path) -> list[str]:
    """The ```python blocks of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def mypy(files: list[Path], cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(PYTHON_DIR / "pyproject.toml"),
            "--cache-dir",
            str(cache),
            "--no-error-summary",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_readme_examples_and_good_code_pass_mypy_strict(tmp_path: Path) -> None:
    files = sorted(CASES.glob("pass_*.py"))
    for readme in (REPO / "README.md", PYTHON_DIR / "README.md"):
        blocks = python_blocks(readme)
        assert blocks, f"{readme} has no python example"
        for i, block in enumerate(blocks):
            name = f"{readme.parent.name}_readme_{i}.py".replace("-", "_")
            (tmp_path / name).write_text(block, encoding="utf-8")
            files.append(tmp_path / name)
    result = mypy(files, tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    # The README examples also run as written.
    for file in files:
        if "_readme_" in file.name:
            run = subprocess.run([sys.executable, str(file)], capture_output=True, text=True, check=False)
            assert run.returncode == 0, f"{file.name}:\n{run.stdout}{run.stderr}"


def test_typos_fail_mypy_on_exactly_the_marked_lines(tmp_path: Path) -> None:
    for case in sorted(CASES.glob("fail_*.py")):
        marked = {
            n
            for n, line in enumerate(case.read_text(encoding="utf-8").splitlines(), 1)
            if line.rstrip().endswith("# error")
        }
        assert marked, case
        result = mypy([case], tmp_path / "cache")
        assert result.returncode == 1, result.stdout + result.stderr
        reported = {
            int(m.group(1))
            for m in re.finditer(rf"{re.escape(case.name)}:(\d+): error", result.stdout)
        }
        assert reported == marked, result.stdout
