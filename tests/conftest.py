"""Shared fixtures: the sample corpus and a scan of it (run once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedupe.model import ScanResult
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.read import containers

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="session")
def corpus_scan() -> ScanResult:
    return scan([str(CORPUS)], Parameters())


@pytest.fixture(autouse=True)
def fresh_indexes(monkeypatch):
    """Each test starts as a new process would: no container's records indexed yet."""
    monkeypatch.setattr(containers, "_INDEXES", containers._Indexes())
