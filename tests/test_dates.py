"""The date a document states in its first lines: datelines, sentences opening with a
date, and what is not a stated date."""

from __future__ import annotations

from datetime import date

import pytest

from dedupe.read.dates import document_date

from .strategies import prose

BODY = prose(1, sentences=3)  # a long line of body text, over 80 characters
assert len(BODY) > 80


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("China.org.cn | December 11, 2019", date(2019, 12, 11)),
        ("Dec. 9, 2019", date(2019, 12, 9)),
        ("Sept. 3, 2018", date(2018, 9, 3)),
        ("9 December 2019", date(2019, 12, 9)),
        ("2020-08-27", date(2020, 8, 27)),
        ("Posted 2020-08-27 10:15", date(2020, 8, 27)),
        ("  Updated: March 1 2021  ", date(2021, 3, 1)),
        (
            "On June 19, 2020, the Information Office of the People's Government of the "
            "region held the 10th press conference on related issues.",
            date(2020, 6, 19),
        ),
    ],
)
def test_dates_on_a_dateline_or_opening_a_sentence(header, expected):
    text = f"Some Title\n\n{header}\n\n{BODY}\n"
    assert document_date(text) == expected


def test_the_first_header_date_wins():
    text = "Dec. 9, 2019\nRevised 2020-01-05\n" + BODY
    assert document_date(text) == date(2019, 12, 9)


def test_no_date_from_a_short_line_after_the_header():
    lines = [f"Line {k} of the header" for k in range(39)] + ["December 11, 2019"]
    assert document_date("\n".join(lines) + "\n") is None
    # The same line within the first 30 lines counts.
    assert document_date("\n".join(lines[:29] + ["December 11, 2019"])) == date(2019, 12, 11)


def test_no_date_from_a_long_body_line_at_line_40():
    lines = ["Title"] + [BODY] * 38 + [f"The meeting ended on July 14, 2019 and {BODY}"]
    assert len(lines) == 40
    assert document_date("\n".join(lines)) is None


def test_no_date_from_a_date_inside_a_long_sentence_in_the_header():
    line = f"The delegates met in the capital on July 14, 2019 to discuss the plans. {BODY}"
    assert document_date(f"Title\n\n{line}\n") is None


def test_no_date_from_a_date_range():
    line = "The forum, held July 14-16, 2019 in Geneva, drew delegates from many countries."
    assert document_date(f"Title\n{line}\n{BODY}\n") is None
    assert document_date(f"Title\n\n{line} {BODY}\n") is None


@pytest.mark.parametrize("header", ["February 30, 2020", "2020-13-01", "31 April 2019"])
def test_impossible_dates_are_not_dates(header):
    assert document_date(f"Title\n{header}\n{BODY}\n") is None


def test_an_impossible_date_does_not_hide_a_real_one_later():
    assert document_date("February 30, 2020\nMarch 2, 2020\n") == date(2020, 3, 2)


def test_a_long_line_starting_with_on_but_not_with_a_date_gives_no_date():
    line = (
        "On the other hand, the treaty signed on March 3, 1998 remains in force, the "
        "minister said, and both sides intend to keep to it."
    )
    assert document_date(f"Title\n\n{line}\n\n{BODY}\n") is None
