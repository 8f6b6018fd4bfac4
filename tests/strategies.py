"""Helpers shared by the stage tests: hypothesis text strategies, in-memory documents and
deterministic filler prose."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from dedupe.evaluation.language import generate_text
from dedupe.read.files import Document

# Pieces that have tripped up text tools: curly quotes and apostrophes, dashes, every
# kind of line end, ligatures, combining marks, compatibility forms, invisible
# characters, case-folding oddities, non-Latin scripts.
AWKWARD = [
    "\u2018", "\u2019", "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb", "'", "`", '"',
    "\u2013", "\u2014", "\u2212", "-",
    "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " ", "  ", "\t", "\f", "\u00a0", "\u2028", "\u3000",
    "\ufb01", "\ufb02", "\ufb00", "\u0133",
    "e\u0301", "\u0301", "\u0308", "n\u0303",
    "\uff21\uff22", "\u00bd", "\u00b2", "\u2163",
    "\u00ad", "\u200b", "\u200d", "\ufeff",
    "\u00df", "\u0130", "\u03a3", "\u1e9e",
    "\u4e2d\u6587", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u0939\u093f\u0902",
    ".", ",", ":", ";", "!", "?", "(", ")",
]  # fmt: skip

WORDS = [
    "The", "quick", "brown", "fox", "don't", "can\u2019t", "caf\u00e9", "A1", "x_y", "Na\u00efve",
]  # fmt: skip

TEXT = st.lists(
    st.one_of(
        st.sampled_from(AWKWARD),
        st.sampled_from(WORDS),
        st.text(max_size=6),
    ),
    max_size=80,
).map("".join)


def make_document(text: str, path: str = "x.txt", mtime: float = 0.0) -> Document:
    """A ``Document`` built in memory (fields beyond the basic five left empty)."""
    basic = {
        "path": path,
        "text": text,
        "encoding": "utf-8",
        "size": len(text.encode("utf-8", "surrogatepass")),
        "mtime": mtime,
    }
    extra = {f.name: "" for f in dataclasses.fields(Document) if f.name not in basic}
    return Document(**basic, **extra)


_VOCABULARY = (
    "able about account across action active actual added address advice affair agency "
    "agreed ahead aimed allow almost amount annual answer appeal applied approach area "
    "argued around arrival article asked assembly attack author average award balance "
    "bank based basic battle beauty become began behalf belief benefit better beyond "
    "bill board body border bottom branch bread breath bridge brief broad budget "
    "building burden business cabinet called campaign capital career carried castle "
    "census central century chain chair chance change chapter charge cheap chief child "
    "choice church circle citizen claim class clean clear climate closed coast coffee "
    "colour column combat comfort common company complex concern conduct congress "
    "consent contact content context contract control corner cotton council country "
    "county couple course court cover credit crisis critic crowd culture current "
    "custom cycle damage danger debate decade decision defence degree delivery demand "
    "deputy design desire detail device dinner direct doctor domain double draft dream "
    "driver during duty early earth easily eastern economy editor effect effort eight "
    "either element empire energy engine entire entry equal error escape estate event "
    "evidence exact example excess expert export extent fabric factor factory failure "
    "fairly family famous farmer father favour feature federal figure final finance "
    "finger fiscal flight floor flower focus follow forest formal former fortune "
    "forward frame freedom friend front fruit future garden gather general gentle "
    "giant given global golden govern grain grant green ground growth guard guest guide"
).split()


def prose(seed: int, sentences: int = 4, words: int = 12) -> str:
    """A paragraph of ``sentences`` capitalised sentences of ``words`` random words."""
    rnd = random.Random(seed)
    out = []
    for _ in range(sentences):
        chosen = [rnd.choice(_VOCABULARY) for _ in range(words)]
        out.append(" ".join(chosen).capitalize() + ".")
    return " ".join(out)


def write_docs(folder: Path, count: int, words: int = 600, seed: int = 0) -> list[Path]:
    """``count`` files of ``words`` generated words each (``docNNN.txt``) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        path = folder / f"doc{k:03d}.txt"
        path.write_text(generate_text(np.random.default_rng(seed + k), words), encoding="utf-8")
        paths.append(path)
    return paths
