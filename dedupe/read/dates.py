"""The date a document states in its first lines (a briefing's or a letter's date), for
reports and for orientation: an earlier stated date marks the likelier source."""

from __future__ import annotations

import re
from datetime import date

HEADER_LINES = 30


SHORT_LINE = 80


_MONTHS = {
    m: k
    for k, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}


_MONTH = r"(?P<month>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\.?"


_DATE = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\s+(?P<year2>\d{{4}})\b"
    r"|\b(?P<iso>\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)


_ON_DATE = re.compile(rf"^\s*on\s+(?={_DATE.pattern})", re.IGNORECASE)


def parse_date(match: re.Match) -> date | None:
    """The calendar date a ``_DATE`` match names, or None if it is not a real date."""
    try:
        if match["iso"]:
            return date.fromisoformat(match["iso"])
        if match["month"]:
            month, day, year = match["month"], match["day"], match["year"]
        else:
            month, day, year = match["month2"], match["day2"], match["year2"]
        return date(int(year), _MONTHS[month[:3].lower()], int(day))
    except (KeyError, ValueError):
        return None


def document_date(text: str) -> date | None:
    """The date a document states in its header, or None.

    Only the first ``HEADER_LINES`` lines are read, and a date counts when it stands on a
    short line (a dateline such as ``Dec. 9, 2019`` or ``China.org.cn | December 11,
    2019``) or opens a sentence (``On June 19, 2020, ...``); dates in the body are
    events, not the document's own date.
    """
    for line in text.splitlines()[:HEADER_LINES]:
        stripped = line.strip()
        if len(stripped) > SHORT_LINE and not _ON_DATE.match(stripped):
            continue
        for match in _DATE.finditer(stripped):
            found = parse_date(match)
            if found is not None:
                return found
    return None
