"""What a scan is asked to find: the ``Parameters`` every stage reads."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidParameter

VERBATIM, CONTENT = "verbatim", "content"


@dataclass(frozen=True)
class Parameters:
    """Everything that decides what ``scan`` reports. Echoed in every report; checked
    on construction."""

    threshold: float = 0.5
    num_perm: int = 128
    shingle_size: int = 3
    min_words: int = 10
    window_words: int = 50
    candidate_threshold: float = 0.3
    candidate_lsh_threshold: float = 0.2
    max_gap: int = 20
    max_shift: int = 10
    paraphrase: bool = True
    paraphrase_similarity: str = (
        "idf-weighted share of stemmed content words matched in order (difflib blocks)"
    )
    paraphrase_threshold: float = 0.35
    paraphrase_window_threshold: float = 0.2
    paraphrase_candidate_threshold: float = 0.15
    paraphrase_min_matches: int = 8
    paraphrase_max_bucket: int | None = 20
    boilerplate_documents: int = 4
    fill_similarity: str = (
        "word-weighted mean of the idf-weighted Jaccard of the stemmed content words of "
        "the sentences matched between in-order anchors"
    )
    fill_threshold: float = 0.15
    fill_min_anchors: int = 5
    fill_min_shared: int = 5

    def lsh_threshold(self, family: str) -> float:
        """The LSH Jaccard threshold of a shingle family ("verbatim" or "content"). The
        word n-gram one is below ``candidate_threshold``, the similarity verification
        asks for, so that pairs just above it are still found (about 93% at 0.3, all
        but a few hundredths from 0.35 on)."""
        if family == "verbatim":
            return self.candidate_lsh_threshold
        return self.paraphrase_candidate_threshold

    def __post_init__(self) -> None:
        """Refuse, with ``InvalidParameter``, values the pipeline cannot work with."""
        if not 0.0 < self.threshold <= 1.0:
            raise InvalidParameter("threshold", f"must be in (0, 1], got {self.threshold}")
        if not 0.0 < self.candidate_threshold <= 1.0:
            raise InvalidParameter(
                "candidate_threshold", f"must be in (0, 1], got {self.candidate_threshold}"
            )
        if not 0.0 < self.candidate_lsh_threshold <= self.candidate_threshold:
            raise InvalidParameter(
                "candidate_lsh_threshold",
                f"must be in (0, candidate_threshold], got {self.candidate_lsh_threshold}",
            )
        if self.num_perm < 16:
            raise InvalidParameter("num_perm", f"must be at least 16, got {self.num_perm}")
        if self.shingle_size < 1:
            raise InvalidParameter("shingle_size", f"must be at least 1, got {self.shingle_size}")
        if self.min_words < self.shingle_size:
            raise InvalidParameter("min_words", "must be at least shingle_size")
        if self.window_words < 2 * self.shingle_size:
            raise InvalidParameter("window_words", "must be at least twice shingle_size")
        if self.boilerplate_documents < 3:
            raise InvalidParameter(
                "boilerplate_documents",
                "must be at least 3 (text shared by two documents is reuse, not "
                f"boilerplate), got {self.boilerplate_documents}",
            )

    def max_bucket(self, family: str) -> int | None:
        """The largest LSH bucket of ``family`` whose members are paired (None: all)."""
        return self.paraphrase_max_bucket if family == CONTENT else None

    def families(self) -> tuple[str, ...]:
        """The shingle families a scan with these parameters uses."""
        return (VERBATIM, CONTENT) if self.paraphrase else (VERBATIM,)
