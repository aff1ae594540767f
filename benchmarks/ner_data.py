"""Public NER sets turned into documents for `benchmarks.entities`.

    .venv/bin/python -m benchmarks.ner_data de NER-de-dev.tsv OUT.jsonl
    .venv/bin/python -m benchmarks.ner_data ru factRuEval-2016/devset OUT.jsonl
    .venv/bin/python -m benchmarks.ner_data es esp.testa OUT.jsonl   (CoNLL-2002, Latin-1)
    .venv/bin/python -m benchmarks.ner_data nl ned.testa OUT.jsonl   (CoNLL-2002, Latin-1)
    .venv/bin/python -m benchmarks.ner_data uk ner-uk/v2.0/data OUT.jsonl
    .venv/bin/python -m benchmarks.ner_data tr reyyan.train.txt OUT.jsonl

Each output line is one document: {"id", "language", "title" (or null),
"lines": [sentence, ...], "gold": {casefolded entity text: [types]}}, with
the types named as the engine names them. Only training or development
parts are read here (never a test split):

- GermEval 2014 (de, CC BY 4.0): single sentences from news and Wikipedia,
  grouped by ten in file order (there is no document structure). Outer
  spans: PER, LOC, ORG, OTH ("other"); "...deriv" spans (the adjective
  "deutschen") are "other" like CoNLL's MISC; "...part" spans ("EU" in
  "EU-Kommission") are no entity.
- FactRuEval-2016 devset (ru, MIT): 122 news texts; an object's text is its
  name spans (descriptors and jobs left out); LocOrg ("России" as a state)
  accepts place or organization.
- NER-UK 2.0 (uk, CC BY-NC-SA 4.0, github.com/lang-uk/ner-uk): the 391 texts of
  its DEV part (`dev-test-split.txt`; news of Nashi Groshi and texts of the BRUK
  corpus, one sentence a line); PERS, LOC, ORG and MISC, ART, DOC ("other") spans,
  the other kinds (dates, money, jobs...) are no entity. Not committed (its licence).
- Turkish news NER (tr; Tür, Hakkani-Tür and Oflazer 2003, Milliyet news; the
  `reyyan.train.txt` of github.com/hilalbenzer/turkish-ner at c71a996, its *train*
  part): one tokenized sentence a line, `[PER …]`, `[LOC …]`, `[ORG …]` inline, a
  suffix after an apostrophe split off ("İstanbul 'da"); no document structure, so
  the first 3,000 sentences are grouped by ten. Not committed.
- CoNLL-2002 (es, nl; free for research): Spanish EFE wires have no
  -DOCSTART-, so a document starts at each dateline "(EFE)"/"(EFECOM)".
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from benchmarks.entities import GOLD_TYPES, detokenize

GERMEVAL_TYPES = {"PER": "person", "LOC": "place", "ORG": "organization", "OTH": "other"}
FACTRU_TYPES = {
    "Person": ["person"],
    "Location": ["place"],
    "Org": ["organization"],
    "LocOrg": ["place", "organization"],
    "Project": ["other"],
}


def _spans(tagged: Sequence[tuple[str, str]]) -> Iterable[tuple[list[str], str]]:
    """(tokens, kind) of the BIO spans of one tagged sentence."""
    span: list[str] = []
    kind = ""
    for tok, tag in [*tagged, ("", "O")]:
        if tag.startswith("I-") and span and tag[2:] == kind:
            span.append(tok)
            continue
        if span:
            yield span, kind
        span, kind = ([tok], tag[2:]) if tag[:2] in ("B-", "I-") else ([], "")


def _doc(doc_id: str, language: str, sentences: list[list[tuple[str, str]]], types: dict) -> dict:
    gold: dict[str, set[str]] = {}
    for sentence in sentences:
        for span, kind in _spans(sentence):
            base = kind[:3]
            if kind.endswith("part") or base not in types:
                continue
            kind_name = "other" if kind.endswith("deriv") else types[base]
            gold.setdefault(detokenize(span).casefold(), set()).add(kind_name)
    lines = [detokenize([tok for tok, _ in s]) for s in sentences]
    return {
        "id": doc_id,
        "language": language,
        "title": None,
        "lines": lines,
        "gold": {k: sorted(v) for k, v in gold.items()},
    }


def germeval(path: Path, group: int = 10) -> list[dict]:
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            if current:
                sentences.append(current)
            current = []
            continue
        current.append((parts[1], parts[2]))
    if current:
        sentences.append(current)
    return [
        _doc(f"germeval-dev-{i // group:03d}", "de", sentences[i : i + group], GERMEVAL_TYPES)
        for i in range(0, len(sentences), group)
    ]


def conll2002(path: Path, language: str) -> list[dict]:
    docs: list[list[list[tuple[str, str]]]] = [[]]
    current: list[tuple[str, str]] = []

    def end_sentence() -> None:
        if not current:
            return
        words = [tok for tok, _ in current[:16]]
        dateline = "(" in words and any(w.startswith("EFE") for w in words)
        if language == "es" and dateline and docs[-1]:
            docs.append([])
        docs[-1].append(list(current))
        current.clear()

    for line in path.read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if len(parts) < 2:
            end_sentence()
            continue
        if parts[0] == "-DOCSTART-":
            end_sentence()
            if docs[-1]:
                docs.append([])
            continue
        current.append((parts[0], parts[-1]))
    end_sentence()
    return [
        _doc(f"conll2002-{language}-{i:03d}", language, d, GOLD_TYPES)
        for i, d in enumerate(docs)
        if d
    ]


def factrueval(folder: Path) -> list[dict]:
    return [_factru_doc(folder, p.stem) for p in sorted(folder.glob("*.txt"))]


def _factru_doc(folder: Path, stem: str) -> dict:
    text = (folder / f"{stem}.txt").read_text(encoding="utf-8-sig")
    lines: list[str] = []
    first = last = -1
    for row in (folder / f"{stem}.tokens").read_text(encoding="utf-8-sig").splitlines() + [""]:
        parts = row.split()
        if len(parts) < 4:
            if first >= 0:
                lines.append(" ".join(text[first:last].split()))
            first = -1
            continue
        start, length = int(parts[1]), int(parts[2])
        if first < 0:
            first = start
        last = start + length
    spans: dict[str, tuple[str, int, str]] = {}
    for row in (folder / f"{stem}.spans").read_text(encoding="utf-8-sig").splitlines():
        parts = row.split("#")[0].split()
        if len(parts) >= 4:
            start, length = int(parts[2]), int(parts[3])
            spans[parts[0]] = (parts[1], start, text[start : start + length])
    gold: dict[str, set[str]] = {}
    for row in (folder / f"{stem}.objects").read_text(encoding="utf-8-sig").splitlines():
        parts = row.split("#")[0].split()
        if len(parts) < 3 or parts[1] not in FACTRU_TYPES:
            continue
        names = sorted(
            (spans[s][1], spans[s][2])
            for s in parts[2:]
            if s in spans and not spans[s][0].endswith(("_descr", "job", "geo_adj"))
        )
        name = " ".join(t for _, t in names).strip()
        if name:
            gold.setdefault(name.casefold(), set()).update(FACTRU_TYPES[parts[1]])
    return {
        "id": f"factrueval-dev-{stem}",
        "language": "ru",
        "title": None,
        "lines": lines,
        "gold": {k: sorted(v) for k, v in gold.items()},
    }


NERUK_TYPES = {"PERS": "person", "LOC": "place", "ORG": "organization", "MISC": "other",
               "ART": "other", "DOC": "other"}  # fmt: skip


def ner_uk(folder: Path) -> list[dict]:
    """The DEV part of NER-UK 2.0 (`folder` is its v2.0/data)."""
    split = (folder / "dev-test-split.txt").read_text(encoding="utf-8").split()
    dev = split[split.index("DEV") + 1 : split.index("TEST")]
    docs = []
    for doc_id in dev:
        txt = next(folder.glob(f"*/{doc_id}.txt"))
        text = txt.read_text(encoding="utf-8")
        gold: dict[str, set[str]] = {}
        for row in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
            parts = row.split("\t")
            # "T1 <tab> ORG <tab> 0 <tab> 17 <tab> text"
            if len(parts) >= 3 and parts[0].startswith("T"):
                kind = parts[1].split()[0]
                if kind in NERUK_TYPES:
                    gold.setdefault(parts[-1].casefold(), set()).add(NERUK_TYPES[kind])
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        docs.append({"id": f"ner-uk-{doc_id}", "language": "uk", "title": None, "lines": lines,
                     "gold": {k: sorted(v) for k, v in gold.items()}})  # fmt: skip
    return docs


_TR_SPAN = re.compile(r"\[(PER|LOC|ORG) ([^\]]*?) ?\]")
TR_TYPES = {"PER": "person", "LOC": "place", "ORG": "organization"}


def _tr_text(tokens: str) -> str:
    text = " ".join(tokens.split())
    text = re.sub(r" ([’']\w)", r"\1", text)  # "İstanbul 'da" -> "İstanbul'da"
    text = re.sub(r" ([,.;:!?)])", r"\1", text)
    return re.sub(r"\( ", "(", text)


def turkish(path: Path, sentences: int = 3000, group: int = 10) -> list[dict]:
    """The first `sentences` lines of the Turkish news NER train file, by `group`."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()[:sentences]
    docs = []
    for start in range(0, len(lines), group):
        gold: dict[str, set[str]] = {}
        texts = []
        for line in lines[start : start + group]:
            for kind, span in _TR_SPAN.findall(line):
                gold.setdefault(_tr_text(span).casefold(), set()).add(TR_TYPES[kind])
            texts.append(_tr_text(_TR_SPAN.sub(lambda m: m.group(2), line)))
        docs.append({"id": f"tr-news-{start // group}", "language": "tr", "title": None,
                     "lines": [t for t in texts if t],
                     "gold": {k: sorted(v) for k, v in gold.items()}})  # fmt: skip
    return docs


def main(argv: Sequence[str] | None = None) -> int:
    language, source, out = (argv if argv is not None else sys.argv[1:])[:3]
    path = Path(source)
    if language == "de":
        docs = germeval(path)
    elif language == "ru":
        docs = factrueval(path)
    elif language == "uk":
        docs = ner_uk(path)
    elif language == "tr":
        docs = turkish(path)
    else:
        docs = conll2002(path, language)
    with Path(out).open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(f"{out}: {len(docs)} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
