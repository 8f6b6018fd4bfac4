"""The result every report is written from: what a scan found."""

from __future__ import annotations

from dataclasses import dataclass, field

from .parameters import Parameters
from .provenance.orient import Passage
from .read.files import Skipped
from .text.sketch import DocumentInfo


@dataclass
class ScanResult:
    """What ``scan`` found: documents, reused passages, and the files it skipped."""

    parameters: Parameters
    documents: list[DocumentInfo]
    passages: list[Passage]
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
