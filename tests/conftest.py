"""Shared fixtures: the sample corpus and a scan of it (run once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedupe.model import ScanResult
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="session")
def corpus_scan() -> ScanResult:
    return scan([str(CORPUS)], Parameters())
