"""The code has no unused imports, undefined names or twice-defined functions (pyflakes rules via ruff)."""
import subprocess
import sys

from tests.conftest import ROOT


def test_pyflakes_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
