"""The HTML report of a ``ScanResult``: one self-contained file (inline CSS, no script,
nothing fetched) with a summary, the provenance table and, for each passage, its source
and copy side by side with the words they share highlighted.

The passage texts are read again from the files (each document once), by the character
offsets the passages carry. Everything that comes from a document or a path is escaped
with ``html.escape``; a Content-Security-Policy that allows no script and no fetch at all
is a second line of defence, not the first.
"""

from __future__ import annotations

import difflib
import html
import json
from dataclasses import asdict, dataclass

from ..model import Location, Passage, ScanResult
from ..read.files import Skipped

# A document by its name: a text file, a converted one (PDF...) or a record (PATH#ID).
from ..read.formats import read_document as read_text
from ..text.normalise import Tokens, tokenise
from ..text.shingle import content_key

CSP = "default-src 'none'; style-src 'unsafe-inline'"
KINDS = ("verbatim", "near", "paraphrase")

_CSS = """
:root { color-scheme: light; --line: #d0d4da; --muted: #5b6370; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 1rem 1.5rem 4rem;
  max-width: 110rem; color: #1d232b; background: #fff; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .35rem; }
a { color: #0b57a4; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #f1f3f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.path { font-family: ui-monospace, monospace; font-size: .9em; overflow-wrap: anywhere; }
dl.counts { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: 0 0 1rem; }
dl.counts div { display: flex; gap: .4rem; align-items: baseline; }
dl.counts dt { color: var(--muted); }
dl.counts dd { margin: 0; font-weight: 600; font-size: 1.15rem; }
details { margin: .5rem 0; }
summary { cursor: pointer; font-weight: 600; }
.label { display: inline-block; font-size: .8em; padding: 0 .4rem; border-radius: .6rem;
  border: 1px solid currentColor; }
.kind-verbatim .label.kind, .label.kind-verbatim { color: #1b6b2f; }
.kind-near .label.kind, .label.kind-near { color: #8a5a00; }
.kind-paraphrase .label.kind, .label.kind-paraphrase { color: #6a2c91; }
.label.boilerplate { color: #8a1f1f; background: #fdecec; }
tr.boilerplate td { color: var(--muted); }
article.passage { border: 1px solid var(--line); border-radius: .4rem; padding: .75rem 1rem;
  margin: 0 0 1.25rem; }
article.passage.boilerplate { border-style: dashed; }
article.passage:target { outline: 3px solid #0b57a4; }
.evidence { margin: 0 0 .6rem; color: var(--muted); }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media (max-width: 50rem) { .sides { grid-template-columns: 1fr; } }
.side { min-width: 0; }
.where { font-size: .9em; margin-bottom: .3rem; }
.role { font-weight: 600; text-transform: uppercase; font-size: .8em; letter-spacing: .05em; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fafbfc;
  border: 1px solid var(--line); padding: .5rem .7rem; margin: 0;
  font: .92em/1.5 ui-serif, Georgia, serif; }
.missing { color: #8a1f1f; font-style: italic; }
mark { background: #ffe98a; color: inherit; padding: 0; }
.shared { font-size: .85em; color: var(--muted); margin-top: .3rem; }
.top { font-size: .85em; margin-left: .5rem; }
"""


def esc(value: object) -> str:
    """``value`` as text, escaped for HTML content and quoted attribute values."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Text:
    """A passage side's text as read back from its file, or why it could not be."""

    text: str | None
    problem: str = ""


def passage_texts(result: ScanResult) -> dict[Location, Text]:
    """The text of every passage side, each document read once (by its name, as the
    scan found it) and let go before the next."""
    by_path: dict[str, list[Location]] = {}
    for p in result.passages:
        for loc in (p.source, p.copy):
            by_path.setdefault(loc.path, []).append(loc)
    texts: dict[Location, Text] = {}
    for path in sorted(by_path):
        doc = read_text(path)
        for loc in by_path[path]:
            if isinstance(doc, Skipped):
                texts[loc] = Text(None, f"text not available: {doc.reason}")
            elif not 0 <= loc.start_char <= loc.end_char <= len(doc.text):
                texts[loc] = Text(None, "text not available: the file changed since the scan")
            else:
                texts[loc] = Text(doc.text[loc.start_char : loc.end_char])
    return texts


Spans = list[tuple[int, int]]


def shared_words(a: str, b: str, kind: str) -> tuple[Spans, Spans, int, int]:
    """Character spans in ``a`` and in ``b`` of the words both share in order, and how
    many words of each side that is.

    Words are compared normalised (``tokenise``) and matched in order with difflib's
    matching blocks; for ``paraphrase`` passages, whose wording differs, content words
    are matched by their stems (``content_key``), and the function words between two
    matches count when they are the same on both sides. Runs of adjacent matched words
    make one span.
    """
    ta, tb = tokenise(a), tokenise(b)
    if kind == "paraphrase":
        keys_a, keys_b = [content_key(w) for w in ta.words], [content_key(w) for w in tb.words]
        idx_a = [i for i, k in enumerate(keys_a) if k is not None]
        idx_b = [i for i, k in enumerate(keys_b) if k is not None]
        seq_a, seq_b = [keys_a[i] for i in idx_a], [keys_b[i] for i in idx_b]
    else:
        idx_a, idx_b = list(range(len(ta))), list(range(len(tb)))
        seq_a, seq_b = ta.words, tb.words
    matcher = difflib.SequenceMatcher(None, seq_a, seq_b, autojunk=False)
    hit_a, hit_b = [], []
    for block in matcher.get_matching_blocks():
        hit_a += idx_a[block.a : block.a + block.size]
        hit_b += idx_b[block.b : block.b + block.size]
    if kind == "paraphrase":  # the same function words between two matches count too
        fill_a, fill_b = [], []
        for i, j, k, m in zip(hit_a[:-1], hit_a[1:], hit_b[:-1], hit_b[1:], strict=True):
            if j - i > 1 and ta.words[i + 1 : j] == tb.words[k + 1 : m]:
                fill_a += range(i + 1, j)
                fill_b += range(k + 1, m)
        hit_a, hit_b = sorted(hit_a + fill_a), sorted(hit_b + fill_b)
    return _runs(hit_a, ta), _runs(hit_b, tb), len(hit_a), len(hit_b)


def _runs(indices: list[int], tokens: Tokens) -> Spans:
    """Character spans of the runs of consecutive token ``indices`` (sorted)."""
    spans: Spans = []
    starts, ends = tokens.starts.tolist(), tokens.ends.tolist()
    previous = None
    for i in indices:
        if previous is not None and i == previous + 1:
            spans[-1] = (spans[-1][0], ends[i])
        else:
            spans.append((starts[i], ends[i]))
        previous = i
    return spans


def highlighted(text: str, spans: Spans) -> str:
    """``text`` escaped, with each span wrapped in ``<mark>``."""
    out, pos = [], 0
    for start, end in spans:
        out.append(esc(text[pos:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _lines(loc: Location) -> str:
    return f"{loc.path}:{loc.start_line}-{loc.end_line}"


def _kind_label(kind: str) -> str:
    css = f" kind-{kind}" if kind in KINDS else ""
    return f'<span class="label kind{css}">{esc(kind)}</span>'


_BOILERPLATE = (
    '<span class="label boilerplate" title="this cluster recurs across many documents">'
    "boilerplate</span>"
)


def _summary(result: ScanResult) -> list[str]:
    clusters = len({p.cluster for p in result.passages})
    boilerplate = sum(p.boilerplate for p in result.passages)
    counts = [
        ("documents", "Documents", len(result.documents)),
        ("passages", "Passages", len(result.passages)),
        ("clusters", "Clusters", clusters),
        ("boilerplate", "Boilerplate passages", boilerplate),
        ("skipped", "Files skipped", len(result.skipped)),
    ]
    out = ['<section id="summary">', "<h2>Summary</h2>", '<dl class="counts">']
    for key, name, value in counts:
        out.append(f'<div><dt>{name}</dt><dd id="count-{key}">{value}</dd></div>')
    out.append("</dl>")
    out.append('<details id="parameters" open><summary>Parameters</summary>')
    out.append("<table><thead><tr><th>parameter</th><th>value</th></tr></thead><tbody>")
    for name, value in asdict(result.parameters).items():
        shown = json.dumps(value, ensure_ascii=False)
        out.append(f'<tr><td class="path">{esc(name)}</td><td>{esc(shown)}</td></tr>')
    out.append("</tbody></table></details>")
    out.append(f'<details id="documents"><summary>Documents ({len(result.documents)})</summary>')
    out.append(
        "<table><thead><tr><th>path</th><th>date</th><th>words</th><th>lines</th>"
        "<th>encoding</th></tr></thead><tbody>"
    )
    for d in result.documents:
        out.append(
            f'<tr><td class="path">{esc(d.path)}</td>'
            f"<td>{esc(d.date.isoformat() if d.date else '')}</td>"
            f'<td class="num">{d.words}</td><td class="num">{d.lines}</td>'
            f"<td>{esc(d.encoding)}</td></tr>"
        )
    out.append("</tbody></table></details>")
    if result.skipped:
        out.append(f'<details id="skipped"><summary>Skipped ({len(result.skipped)})</summary>')
        out.append("<table><thead><tr><th>path</th><th>reason</th></tr></thead><tbody>")
        for s in result.skipped:
            out.append(f'<tr><td class="path">{esc(s.path)}</td><td>{esc(s.reason)}</td></tr>')
        out.append("</tbody></table></details>")
    if result.notes:
        out.append(f'<details id="notes"><summary>Notes ({len(result.notes)})</summary><ul>')
        out.extend(f"<li>{esc(note)}</li>" for note in result.notes)
        out.append("</ul></details>")
    out.append("</section>")
    return out


_HEADERS = ("#", "cluster", "source", "copy", "kind", "similarity", "words", "evidence", "excerpt")


def _table(passages: list[Passage]) -> list[str]:
    out = ['<section id="table">', "<h2>Provenance</h2>"]
    if not passages:
        out += ["<p>No reused passages found.</p>", "</section>"]
        return out
    out.append('<table class="provenance"><thead><tr>')
    out.append("".join(f"<th>{h}</th>" for h in _HEADERS))
    out.append("</tr></thead><tbody>")
    for n, p in enumerate(passages, start=1):
        css = f"kind-{p.kind}" if p.kind in KINDS else ""
        if p.boilerplate:
            css += " boilerplate"
        out.append(
            f'<tr id="row-{n}" class="{css.strip()}">'
            f'<td class="num"><a href="#passage-{n}">{n}</a></td>'
            f'<td class="num">{p.cluster}</td>'
            f'<td class="path">{esc(_lines(p.source))}</td>'
            f'<td class="path">{esc(_lines(p.copy))}</td>'
            f"<td>{_kind_label(p.kind)}{' ' + _BOILERPLATE if p.boilerplate else ''}</td>"
            f'<td class="num">{p.similarity:.2f}</td>'
            f'<td class="num">{p.words}</td>'
            f"<td>{esc(p.evidence)}</td>"
            f"<td>{esc(p.excerpt)}</td></tr>"
        )
    out += ["</tbody></table>", "</section>"]
    return out


def _side(role: str, loc: Location, text: Text, spans: Spans, shared: int, total: int) -> str:
    where = (
        f'<div class="where"><span class="role">{role}</span> '
        f'<span class="path">{esc(loc.path)}</span> lines {loc.start_line}-{loc.end_line} '
        f"(characters {loc.start_char}-{loc.end_char})</div>"
    )
    if text.text is None:
        body = f'<p class="text missing">{esc(text.problem)}</p>'
        return f'<div class="side {role}">{where}{body}</div>'
    body = f'<pre class="text">\n{highlighted(text.text, spans)}</pre>'
    count = f'<div class="shared">{shared} of {total} words highlighted</div>'
    return f'<div class="side {role}">{where}{body}{count}</div>'


def _block(n: int, p: Passage, texts: dict[Location, Text]) -> str:
    src, cpy = texts[p.source], texts[p.copy]
    spans_s: Spans = []
    spans_c: Spans = []
    shared_s = shared_c = total_s = total_c = 0
    if src.text is not None and cpy.text is not None:
        spans_s, spans_c, shared_s, shared_c = shared_words(src.text, cpy.text, p.kind)
        total_s, total_c = len(tokenise(src.text)), len(tokenise(cpy.text))
    compared = (
        "content words (by stem) both sides share in order, and the same words between them"
        if p.kind == "paraphrase"
        else "words both sides share in order"
    )
    css = "passage" + (f" kind-{p.kind}" if p.kind in KINDS else "")
    css += " boilerplate" if p.boilerplate else ""
    return "".join(
        [
            f'<article id="passage-{n}" class="{css}" data-passage="{n}">',
            f"<h3>#{n} · cluster {p.cluster} · {_kind_label(p.kind)}"
            f"{' ' + _BOILERPLATE if p.boilerplate else ''}"
            f" · similarity {p.similarity:.2f} · {p.words} words"
            f'<a class="top" href="#row-{n}">back to the table</a></h3>',
            f'<p class="evidence">Evidence: {esc(p.evidence)}. Highlighted: {compared}.</p>',
            '<div class="sides">',
            _side("source", p.source, src, spans_s, shared_s, total_s),
            _side("copy", p.copy, cpy, spans_c, shared_c, total_c),
            "</div></article>",
        ]
    )


def render_html(result: ScanResult) -> str:
    """The HTML report of ``result``: one self-contained page, ending with a newline.

    Passage texts are read from the files at the paths the passages name (relative
    paths from the current folder, as in the scan). The same result and files give the
    same page, byte for byte.
    """
    passages = result.passages
    texts = passage_texts(result)
    title = f"dedupe report: {len(passages)} reused passages in {len(result.documents)} documents"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<h1>Reused passages</h1>",
        *_summary(result),
        *_table(passages),
    ]
    if passages:
        out += ['<section id="passages">', "<h2>Passages side by side</h2>"]
        out += [_block(n, p, texts) for n, p in enumerate(passages, start=1)]
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
