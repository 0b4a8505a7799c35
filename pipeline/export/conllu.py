"""CoNLL-U: one block per sentence; a token with clitics is a multiword token over its parts."""

from __future__ import annotations

from pipeline.document import Document, Token
from pipeline.export import unit_labels

__all__ = ["to_conllu"]


_Unit = tuple[int, int, str, str | None, str | None, str | None]  # start end text upos lemma feats


def _units(tok: Token) -> list[_Unit]:
    if tok.parts:
        return [(p.start, p.end, p.text, p.pos, p.lemma, p.feats) for p in tok.parts]
    return [(tok.start, tok.end, tok.text, tok.pos, tok.lemma, tok.feats)]


def _clean(text: str) -> str:
    """A CoNLL-U field holds no tab, newline or space."""
    return "".join("_" if c.isspace() else c for c in text) or "_"


def to_conllu(doc: Document, offset: int = 0, first_sentence: int = 1) -> str:
    """The document in CoNLL-U: UPOS, and LEMMA and FEATS when the tag backend gives them (camel).
    MISC holds `NER=B-PER` style tags and `TokenRange=start:end` (raw offsets). `offset` and
    `first_sentence` place a piece of a long document."""
    lines: list[str] = []
    for k, sent in enumerate(doc.sentences, first_sentence):
        toks = doc.tokens[sent.first_token : sent.last_token]
        if not toks:
            continue
        units = [u for t in toks for u in _units(t)]
        tags = iter(unit_labels(doc, [(u[0], u[1]) for u in units]))
        lines.append(f"# sent_id = {_clean(doc.id)}-{k}")
        lines.append("# text = " + " ".join(doc.raw[sent.start : sent.end].split()))
        n = 0
        for tok in toks:
            parts = _units(tok)
            if len(parts) > 1:
                lines.append(
                    f"{n + 1}-{n + len(parts)}\t{_clean(tok.text)}\t_\t_\t_\t_\t_\t_\t_\t"
                    f"TokenRange={tok.start + offset}:{tok.end + offset}"
                )
            for a, b, text, pos, lemma, feats in parts:
                n += 1
                misc = f"NER={next(tags)}|TokenRange={a + offset}:{b + offset}"
                lemma = _clean(lemma) if lemma else "_"
                lines.append(
                    f"{n}\t{_clean(text)}\t{lemma}\t{pos or '_'}\t_\t{feats or '_'}\t_\t_\t_\t{misc}"
                )
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")
