"""The hostile-input cases (``benchmarks/hostile.py``), each one a test: a real file
system fixture and the real CLI in its own process."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "hostile.py"


def _load():
    spec = importlib.util.spec_from_file_location("hostile_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hostile = _load()


@pytest.mark.parametrize("name", list(hostile.CASES))
def test_hostile_case(name, tmp_path):
    result = hostile.CASES[name](tmp_path)
    assert result.ok, f"{name}: exit {result.exit_code}, {result.detail}"
