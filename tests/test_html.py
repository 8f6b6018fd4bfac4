"""The HTML report: escaping, highlighting, summary, and the page in headless Chromium."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
from dataclasses import asdict, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dedupe.model import Location, Passage, ScanResult
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.report import html as html_report
from dedupe.report.html import CSP, render_html, shared_words

from .strategies import prose

# The payloads the report must show as text. Each one, if it ran, would mark the root
# element; the two in the edit (IMG in the source, COPY_ONLY in the copy) share no word,
# so they stay outside the highlighting.
SCRIPT = (
    "<script>window.__pwned=1; document.title='PWNED'; "
    "document.documentElement.setAttribute('data-pwned-script','1')</script>"
)
IMG = (
    '"><img src=x onerror="window.__pwned=2; '
    "this.ownerDocument.documentElement.dataset.pwnedImg='yes'\">"
)
COPY_ONLY = "<script>document.querySelector('html').setAttribute('data-pwned-copy','1')</script>"
# A file name can carry markup too (anything but a slash).
HOSTILE_NAME = (
    "\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned-path','1')\">.txt"
)
PWNED = ("data-pwned-script", "data-pwned-img", "data-pwned-copy", "data-pwned-path")
SHARED = f"Hostile: {SCRIPT} {prose(99, sentences=3, words=12)}"
TAIL = prose(98, sentences=3)


def _hostile_corpus(root: Path) -> Path:
    """a.txt (dated first) and a copy under a hostile name share a paragraph with a
    script element (highlighted: shared) and an edit, where the source has an attribute
    breakout and the copy another script (not highlighted: not shared)."""
    root.mkdir()
    (root / "a.txt").write_text(
        f"Briefing\n\nDec. 9, 2019\n\n{prose(10)}\n\n{SHARED} {IMG} {TAIL}\n\n{prose(11)}\n",
        encoding="utf-8",
    )
    (root / HOSTILE_NAME).write_text(
        f"Digest\n\nDecember 11, 2019\n\n{prose(20)}\n\n{SHARED} {COPY_ONLY} {TAIL}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> ScanResult:
    root = _hostile_corpus(tmp_path_factory.mktemp("html") / "docs")
    return scan([str(root)], Parameters())


@pytest.fixture(scope="module")
def hostile_html(hostile) -> str:
    return render_html(hostile)


@pytest.fixture(scope="module")
def corpus_html(corpus_scan) -> str:
    return render_html(corpus_scan)


class Page(HTMLParser):
    """What the tests look at in a page: root attributes, title, passage blocks and
    their <mark> counts, table rows, counts, and every element's tag."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.root: dict[str, str | None] = {}
        self.title = ""
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.blocks: dict[str, int] = {}  # passage id -> <mark> elements inside
        self.rows: list[str] = []
        self.counts: dict[str, str] = {}
        self.params: list[tuple[str, str]] = []
        self._in: list[str] = []
        self._block: str | None = None
        self._cells: list[str] | None = None
        self._count: str | None = None
        self._in_params = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self._in.append(tag)
        if tag == "html":
            self.root = a
        if "href" in a:
            self.hrefs.append(a["href"] or "")
        if tag == "article" and a.get("data-passage"):
            self._block = a["id"]
            self.blocks[self._block] = 0
        if tag == "mark" and self._block:
            self.blocks[self._block] += 1
        if tag == "tr" and (a.get("id") or "").startswith("row-"):
            self.rows.append(a["id"])
        if tag == "dd" and (a.get("id") or "").startswith("count-"):
            self._count = a["id"][len("count-") :]
        if tag == "details" and a.get("id") == "parameters":
            self._in_params = True
        if tag == "tr" and self._in_params:
            self._cells = []
        if tag == "td" and self._cells is not None:
            self._cells.append("")

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()
        if tag == "article":
            self._block = None
        if tag == "dd":
            self._count = None
        if tag == "details":
            self._in_params = False
        if tag == "tr" and self._cells:
            self.params.append((self._cells[0], self._cells[1]))
            self._cells = None

    def handle_data(self, data):
        if self._in and self._in[-1] == "title":
            self.title += data
        if self._count:
            self.counts[self._count] = data
        if self._cells:
            self._cells[-1] += data


def _unmarked(page: str) -> str:
    return page.replace("<mark>", "").replace("</mark>", "")


def test_hostile_text_is_shown_escaped_and_not_as_markup(hostile, hostile_html):
    assert len(hostile.passages) == 1
    text = _unmarked(hostile_html)
    for hostile_text in (SCRIPT, IMG, COPY_ONLY, HOSTILE_NAME):
        assert html.escape(hostile_text, quote=True) in text
    lowered = hostile_html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    page = Page(hostile_html)
    assert "script" not in page.tags and "img" not in page.tags
    assert not any(k.startswith("data-pwned") for k in page.root)
    # The excerpt in the table (start of the copy) holds the script's start, escaped.
    (passage,) = hostile.passages
    assert "<script>" in passage.excerpt
    assert f"<td>{html.escape(passage.excerpt)}</td>" in hostile_html


def test_page_is_self_contained(corpus_html, hostile_html):
    for page_text in (corpus_html, hostile_html):
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page_text
        page = Page(page_text)
        assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
        assert page.hrefs and all(h.startswith("#") for h in page.hrefs)
        assert not re.search(r"<[a-z][^>]*\ssrc=", page_text)


def test_summary_counts_are_the_results(corpus_scan, corpus_html):
    page = Page(corpus_html)
    assert page.counts == {
        "documents": str(len(corpus_scan.documents)),
        "passages": str(len(corpus_scan.passages)),
        "clusters": str(len({p.cluster for p in corpus_scan.passages})),
        "boilerplate": str(sum(p.boilerplate for p in corpus_scan.passages)),
        "skipped": str(len(corpus_scan.skipped)),
    }
    assert page.counts["documents"] == "5"
    params = asdict(corpus_scan.parameters)
    assert [name for name, _ in page.params] == list(params)
    assert dict(page.params)["threshold"] == str(params["threshold"])


def test_every_passage_has_a_row_and_a_highlighted_block(corpus_scan, corpus_html):
    page = Page(corpus_html)
    n = len(corpus_scan.passages)
    assert n > 0
    assert page.rows == [f"row-{k}" for k in range(1, n + 1)]
    assert list(page.blocks) == [f"passage-{k}" for k in range(1, n + 1)]
    assert all(marks > 0 for marks in page.blocks.values())
    assert {f"#passage-{k}" for k in range(1, n + 1)} <= set(page.hrefs)
    for p in corpus_scan.passages:
        assert html.escape(f"{p.source.path}:{p.source.start_line}-{p.source.end_line}") in (
            corpus_html
        )
        assert html.escape(p.evidence) in corpus_html


def test_verbatim_sides_are_highlighted_whole(corpus_html):
    blocks = re.findall(r'<article id="passage-\d+" class="passage kind-verbatim".*?</article>',
                        corpus_html, re.S)  # fmt: skip
    assert blocks
    for block in blocks:
        counts = re.findall(r"(\d+) of (\d+) words highlighted", block)
        assert len(counts) == 2 and all(a == b for a, b in counts)


def test_shared_words_by_kind():
    a = "The quick brown fox jumps over the lazy dog."
    b = "A quick brown cat jumps over the lazy dog!"
    spans_a, spans_b, na, nb = shared_words(a, b, "near")
    assert [a[s:e] for s, e in spans_a] == ["quick brown", "jumps over the lazy dog"]
    assert [b[s:e] for s, e in spans_b] == ["quick brown", "jumps over the lazy dog"]
    assert na == nb == 7
    # Paraphrase: stems match (protect/protection, right/rights), and identical
    # function words between two matches are taken along.
    a = "They protect the rights of the people of Xinjiang."
    b = "The protection of rights of the people of Xinjiang matters."
    spans_a, spans_b, _, _ = shared_words(a, b, "paraphrase")
    assert [a[s:e] for s, e in spans_a] == ["protect", "rights of the people of Xinjiang"]
    assert [b[s:e] for s, e in spans_b] == ["protection", "rights of the people of Xinjiang"]


def test_highlighting_escapes_inside_and_outside_marks():
    text = "<b>x</b> & y"
    assert html_report.highlighted(text, [(1, 2)]) == "&lt;<mark>b</mark>&gt;x&lt;/b&gt; &amp; y"


def test_boilerplate_is_labelled(corpus_scan):
    first = replace(corpus_scan.passages[0], boilerplate=True)
    page = render_html(replace(corpus_scan, passages=[first, *corpus_scan.passages[1:]]))
    assert '<tr id="row-1" class="kind-paraphrase boilerplate">' in page
    assert 'class="passage kind-paraphrase boilerplate"' in page
    assert page.count('class="label boilerplate"') == 2
    assert 'id="count-boilerplate">1<' in page


def test_each_file_is_read_once(corpus_scan, monkeypatch):
    calls: list[str] = []
    real = html_report.read_text

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(html_report, "read_text", counting)
    render_html(corpus_scan)
    paths = {loc.path for p in corpus_scan.passages for loc in (p.source, p.copy)}
    assert sorted(calls) == sorted(paths)


def test_missing_or_changed_file_is_said(tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("Only a few words here.\n", encoding="utf-8")
    passage = Passage(
        1, "near", 0.8, 12, "unknown: ...",
        Location(str(tmp_path / "gone.txt"), 1, 2, 0, 50),
        Location(str(short), 1, 3, 0, 500),
        "…",
    )  # fmt: skip
    page = render_html(ScanResult(Parameters(), [], [passage]))
    assert "text not available: unreadable" in page
    assert "text not available: the file changed since the scan" in page


def test_empty_result_and_determinism(corpus_scan, corpus_html):
    empty = render_html(ScanResult(Parameters(), [], []))
    assert "No reused passages found." in empty and "<article" not in empty
    assert render_html(corpus_scan) == corpus_html
    assert corpus_html.endswith("</html>\n")


# Headless Chromium: the page as a browser builds it, after any script would have run.


def _chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _dump_doms(browser: str, pages: list[Path]) -> list[str]:
    """The DOM of each page after loading, one headless Chromium per page, in parallel.
    Each runs in its own session, so a hung one is killed with all its processes."""
    runs = []
    try:
        for k, page in enumerate(pages):
            profile = page.parent / f"chromium-profile-{k}"
            command = [
                browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                "--no-default-browser-check", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--virtual-time-budget=2000",
                "--dump-dom", page.resolve().as_uri(),
            ]  # fmt: skip
            runs.append(
                subprocess.Popen(
                    command,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            )
        doms = []
        for run in runs:
            out, err = run.communicate(timeout=60)
            assert run.returncode == 0, err[-2000:]
            doms.append(out)
        return doms
    finally:
        for run in runs:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
                run.communicate()


def test_report_in_headless_chromium(corpus_scan, corpus_html, hostile_html, tmp_path):
    browser = _chromium()
    if browser is None:
        if os.environ.get("DEDUPE_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    pages = {
        "corpus": corpus_html,
        "hostile": hostile_html,
        # Without the Content-Security-Policy: the escaping must hold on its own.
        "hostile-no-csp": hostile_html.replace(
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">', ""
        ),
        # Control: the same hostile text unescaped does run in this browser, so its
        # absence above means something.
        "control": "<!DOCTYPE html><html><head><title>control</title></head><body>"
        + "".join(f'<p><a title="{payload}</p>' for payload in (IMG, HOSTILE_NAME))
        + f"<p>{SCRIPT}</p><p>{COPY_ONLY}</p></body></html>",
    }
    assert CSP not in pages["hostile-no-csp"]
    paths = []
    for name, text in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    doms = dict(zip(pages, (Page(d) for d in _dump_doms(browser, paths)), strict=True))

    control = doms["control"]
    assert control.title == "PWNED"
    assert all(attr in control.root for attr in PWNED), control.root

    corpus = doms["corpus"]
    n = len(corpus_scan.passages)
    assert list(corpus.blocks) == [f"passage-{k}" for k in range(1, n + 1)]
    assert all(marks > 0 for marks in corpus.blocks.values())
    assert len(corpus.rows) == n

    for name in ("hostile", "hostile-no-csp"):
        page = doms[name]
        assert page.title.startswith("dedupe report:"), name
        assert not any(attr in page.root for attr in PWNED), (name, page.root)
        assert "script" not in page.tags and "img" not in page.tags, name
        assert page.blocks and all(marks > 0 for marks in page.blocks.values()), name
