"""Train stanza's own tokenizer, MWT expander and POS tagger on UD Arabic-PADT, and evaluate them.

    python -m pipeline.training.stanza_padt train [--data DIR] [--out models/stanza]
        [--tok-steps 3000] [--mwt-epochs 2] [--pos-steps 500] [--only tokenize|mwt|pos]
    python -m pipeline.training.stanza_padt eval  [--data DIR] [--models models/stanza]
        [--split test] [--limit N]

The models are trained with stanza's training code (stanza.models.tokenizer, .mwt_expander,
.tagger), CPU only, fixed seeds, no pretrained vectors or character LMs (none may be downloaded),
and written as models/stanza/ar/{tokenize,mwt,pos}/<package>.pt with a resources.json, so that

    stanza.Pipeline("ar", dir="models/stanza", processors="tokenize,mwt,pos",
                    download_method=None)

loads them offline.

Why normalized text: the reconstructed PADT files have no raw text (their `# text` lines put a space
before every punctuation mark) and no SpaceAfter=No, and the project's tag stage works on normalized
text (`Token.norm`). Every form is passed through `padt.norm` (no diacritics or tatweel, one alef,
ى→ي, ة→ه), and the raw sentence text is rebuilt from the surface tokens by `detokenize`: one space
between tokens, except none before closing punctuation (. ، , ؛ : ! ? ؟ ) ] } » %) and none after
opening punctuation (( [ { «); straight double quotes alternate opening/closing within a sentence.
So the tokenizer learns to split punctuation glued to words, as in real news text. The same
normalization must be applied to input text (the tag stage does it anyway).

Evaluation uses the definitions of `pipeline.training.tag.evaluate`: gold words are PADT's, aligned
onto the (normalized) surface token by `padt.align_parts`; a predicted word counts when its
character span in the sentence equals a gold word's span (stanza's MWT words are aligned onto their
token the same way). Each test sentence is tokenized on its own (`tokenize_no_ssplit`), sentences
processed in bulk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.resources import data_dir, models_dir
from pipeline.training.padt import PadtToken, align_parts, norm, padt_path, read_conllu

__all__ = [
    "SentTok", "norm_sentence", "detokenize", "tokenizer_labels", "write_tokenizer_files",
    "write_conllu", "write_resources", "train", "evaluate", "load_pipeline", "main",
]  # fmt: skip

SEED = 1234
PACKAGES = {"tokenize": "padt", "mwt": "padt", "pos": "padt_nopretrain"}
CLOSING = set(".,،؛;:!?؟)]}»%")
OPENING = set("([{«")
SENTS_PER_PARAGRAPH = 8
# The tagger's defaults (batches of 250 sentences, separate biaffine heads for XPOS/feats) take ~10 s
# a step on one CPU core; these take ~1.5 s (see models/cards/tag.md, "stanza models").
POS_OPTIONS = (
    "--batch_size", "32", "--share_hid", "--char_hidden_dim", "200", "--hidden_dim", "150",
    "--log_step", "25",
)  # fmt: skip

# One surface token: (normalized form, its normalized words, their UPOS).
SentTok = tuple[str, list[str], list[str]]


def norm_sentence(sent: Iterable[PadtToken]) -> list[SentTok]:
    """Normalized tokens of one PADT sentence; tokens that normalize to nothing are dropped.

    A word that normalizes to nothing, or internal spaces, would break stanza's files: words fall back
    to the token itself (one word, the last word's tag) when any of them is empty.
    """
    out: list[SentTok] = []
    for tok in sent:
        form = norm(tok.form).replace(" ", "")
        if not form:
            continue
        words = [norm(w).replace(" ", "") for w, _ in tok.words]
        tags = [u for _, u in tok.words]
        if len(words) > 1 and not all(words):
            words, tags = [form], [tags[-1]]
        out.append((form, words, tags))
    return out


def detokenize(forms: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Sentence text from surface tokens, and each token's character span in it (module docstring)."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    glue_next = True  # no space before the first token
    quote_open = False
    for form in forms:
        glue = glue_next or form[0] in CLOSING
        glue_next = form[-1] in OPENING
        if form == '"':
            if quote_open:
                glue = True
            else:
                glue_next = True
            quote_open = not quote_open
        if not glue:
            pieces.append(" ")
            pos += 1
        pieces.append(form)
        spans.append((pos, pos + len(form)))
        pos += len(form)
    return "".join(pieces), spans


def tokenizer_labels(text: str, spans: Sequence[tuple[int, int]], mwt: Sequence[bool]) -> str:
    """stanza's per-character labels for one sentence: 0 inside/between tokens, 1 token end,
    3 end of a multiword token; +1 on the last token (end of sentence)."""
    labels = ["0"] * len(text)
    for k, ((_, b), is_mwt) in enumerate(zip(spans, mwt)):
        lab = 3 if is_mwt else 1
        if k == len(spans) - 1:
            lab += 1
        labels[b - 1] = str(lab)
    return "".join(labels)


def _sentences(sents: Iterable[Sequence[PadtToken]]) -> list[list[SentTok]]:
    return [s for s in (norm_sentence(x) for x in sents) if s]


def write_tokenizer_files(
    sents: Sequence[Sequence[SentTok]],
    txt: Path,
    labels: Path,
    mwt_json: Path | None = None,
    per_paragraph: int = SENTS_PER_PARAGRAPH,
) -> None:
    """Raw text (paragraphs of `per_paragraph` sentences, separated by a blank line), the label
    file of the same shape, and optionally the MWT dictionary stanza's tokenizer reads."""
    paras_t: list[str] = []
    paras_l: list[str] = []
    cur_t: list[str] = []
    cur_l: list[str] = []
    mwts: Counter = Counter()
    for i, sent in enumerate(sents):
        text, spans = detokenize([f for f, _, _ in sent])
        lab = tokenizer_labels(text, spans, [len(w) > 1 for _, w, _ in sent])
        cur_t.append(text)
        cur_l.append(lab)
        for f, w, _ in sent:
            if len(w) > 1:
                mwts[(f, tuple(w))] += 1
        if len(cur_t) == per_paragraph or i == len(sents) - 1:
            paras_t.append(" ".join(cur_t))
            paras_l.append("0".join(cur_l))  # the space between two sentences is label 0
            cur_t, cur_l = [], []
    txt.write_text("\n\n".join(paras_t) + "\n", encoding="utf-8")
    labels.write_text("\n\n".join(paras_l) + "\n", encoding="utf-8")
    if mwt_json is not None:
        items = [[[f, list(w)], c] for (f, w), c in sorted(mwts.items())]
        mwt_json.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")


def write_conllu(sents: Sequence[Sequence[SentTok]], path: Path, prefix: str = "s") -> None:
    """CoNLL-U with multiword-token ranges, normalized forms and UPOS; `# text` is the detokenized
    sentence. HEAD/DEPREL are a dummy chain (word 1 root, the others attached to it), since stanza's
    evaluation script refuses non-numeric heads; they are never trained on."""
    with open(path, "w", encoding="utf-8") as fh:
        for i, sent in enumerate(sents):
            text, _ = detokenize([f for f, _, _ in sent])
            fh.write(f"# sent_id = {prefix}-{i + 1}\n# text = {text}\n")
            n = 0
            for form, words, tags in sent:
                if len(words) > 1:
                    fh.write(f"{n + 1}-{n + len(words)}\t{form}\t_\t_\t_\t_\t_\t_\t_\t_\n")
                for w, t in zip(words, tags):
                    n += 1
                    head, rel = (0, "root") if n == 1 else (1, "dep")
                    fh.write(f"{n}\t{w}\t_\t{t}\t_\t_\t{head}\t{rel}\t_\t_\n")
            fh.write("\n")


def write_resources(out: Path) -> None:
    """The resources.json stanza.Pipeline needs to find the models under out/ar/ offline."""
    ar = {proc: {pkg: {}} for proc, pkg in PACKAGES.items()}
    ar.update(
        {
            "lang_name": "Arabic",
            "default_processors": dict(PACKAGES),
            "packages": {"default": dict(PACKAGES)},
        }
    )
    (out / "resources.json").write_text(json.dumps({"ar": ar}, indent=1) + "\n")


def model_path(out: Path, proc: str) -> Path:
    return out / "ar" / proc / f"{PACKAGES[proc]}.pt"


def _run(cmd: list[str], log) -> None:
    log(" ".join(cmd))
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    subprocess.run(cmd, check=True, env=env)


def train(
    data: Path,
    out: Path,
    tok_steps: int = 3000,
    mwt_epochs: int = 2,
    pos_steps: int = 500,
    only: Sequence[str] = ("tokenize", "mwt", "pos"),
    pos_args: Sequence[str] = (),
    log=print,
) -> None:
    """Prepare stanza's files from PADT train/dev and train the requested models into out/."""
    py = sys.executable
    train_s = _sentences(read_conllu(padt_path(data, "train")))
    dev_s = _sentences(read_conllu(padt_path(data, "dev")))
    random.Random(SEED).shuffle(train_s)  # mixes the news sources across paragraphs
    out.mkdir(parents=True, exist_ok=True)
    write_resources(out)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        write_tokenizer_files(train_s, t / "train.txt", t / "train.labels", t / "train.mwt.json")
        # dev: one sentence a paragraph, so that stanza's model selection (a mix of token, sentence
        # and MWT F1) is not swayed by sentence splitting, which the project does not use
        write_tokenizer_files(dev_s, t / "dev.txt", t / "dev.labels", per_paragraph=1)
        write_conllu(train_s, t / "train.conllu", "train")
        write_conllu(dev_s, t / "dev.conllu", "dev")
        common = ["--lang", "ar", "--shorthand", "ar_padt", "--seed", str(SEED), "--cpu"]
        for proc in only:
            model_path(out, proc).parent.mkdir(parents=True, exist_ok=True)
            t0 = time.time()
            if proc == "tokenize":
                _run([
                    py, "-m", "stanza.models.tokenizer", "--mode", "train",
                    "--txt_file", str(t / "train.txt"), "--label_file", str(t / "train.labels"),
                    "--mwt_json_file", str(t / "train.mwt.json"),
                    "--dev_txt_file", str(t / "dev.txt"), "--dev_label_file", str(t / "dev.labels"),
                    "--dev_conll_gold", str(t / "dev.conllu"), "--conll_file", str(t / "dev.tok.conllu"),
                    "--steps", str(tok_steps), "--eval_steps", str(max(100, tok_steps // 6)),
                    "--anneal_after", str(tok_steps // 2),
                    "--save_dir", str(model_path(out, proc).parent),
                    "--save_name", model_path(out, proc).name, *common,
                ], log)  # fmt: skip
            elif proc == "mwt":
                _run([
                    py, "-m", "stanza.models.mwt_expander", "--mode", "train",
                    "--train_file", str(t / "train.conllu"), "--eval_file", str(t / "dev.conllu"),
                    "--output_file", str(t / "dev.mwt.conllu"), "--gold_file", str(t / "dev.conllu"),
                    "--num_epoch", str(mwt_epochs), "--decay_epoch", str(max(1, mwt_epochs - 1)),
                    "--save_dir", str(model_path(out, proc).parent),
                    "--save_name", model_path(out, proc).name, *common,
                ], log)  # fmt: skip
            elif proc == "pos":
                _run([
                    py, "-m", "stanza.models.tagger", "--mode", "train",
                    "--train_file", str(t / "train.conllu"), "--eval_file", str(t / "dev.conllu"),
                    "--output_file", str(t / "dev.pos.conllu"), "--no_pretrain",
                    "--max_steps", str(pos_steps), "--eval_interval", str(max(50, pos_steps // 2)),
                    "--fix_eval_interval", "--save_dir", str(model_path(out, proc).parent),
                    "--save_name", model_path(out, proc).name, *POS_OPTIONS, *pos_args, *common,
                ], log)  # fmt: skip
            else:
                raise ValueError(f"unknown stanza processor {proc!r}")
            log(f"{proc}: trained in {time.time() - t0:.0f}s -> {model_path(out, proc)}")


def load_pipeline(models: Path, pretokenized: bool = False):
    """stanza.Pipeline over the project's models, offline (download_method=None), one thread CPU.

    pretokenized=True gives the POS tagger alone on given words (gold-segmentation figures)."""
    import stanza

    kw = dict(
        dir=str(models),
        download_method=None,
        use_gpu=False,
        logging_level="WARN",
        tokenize_model_path=str(model_path(models, "tokenize")),
        pos_model_path=str(model_path(models, "pos")),
        pos_pretrain_path=None,
    )
    if pretokenized:
        return stanza.Pipeline("ar", processors="tokenize,pos", tokenize_pretokenized=True, **kw)
    return stanza.Pipeline(
        "ar",
        processors="tokenize,mwt,pos",
        tokenize_no_ssplit=True,
        mwt_model_path=str(model_path(models, "mwt")),
        **kw,
    )


def _prf(correct: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = correct / pred if pred else 0.0
    r = correct / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def gold_spans(sent: Sequence[SentTok]) -> tuple[str, dict[tuple[int, int], str]]:
    """Sentence text and gold words as {(start, end) in the text: UPOS} (tag.py's definitions)."""
    text, spans = detokenize([f for f, _, _ in sent])
    gold: dict[tuple[int, int], str] = {}
    for (a, _), (form, words, tags) in zip(spans, sent):
        local = align_parts(form, words) if len(words) > 1 else [(0, len(form))]
        if not local:
            local, tags = [(0, len(form))], [tags[-1]]
        for (x, y), t in zip(local, tags):
            gold[(a + x, a + y)] = t
    return text, gold


def pred_spans(sentence) -> dict[tuple[int, int], str]:
    """Predicted words of one stanza sentence as {(start, end): UPOS}, MWT words aligned onto the
    token text the same way as gold words."""
    pred: dict[tuple[int, int], str] = {}
    for tok in sentence.tokens:
        a = tok.start_char
        words = [w.text for w in tok.words]
        tags = [w.upos or "X" for w in tok.words]
        local = align_parts(tok.text, [norm(w) for w in words]) if len(words) > 1 else []
        if not local:
            local, tags = [(0, len(tok.text))], [tags[-1]]
        for (x, y), t in zip(local, tags):
            pred[(a + x, a + y)] = t
    return pred


def evaluate(
    data: Path, models: Path, split: str = "test", limit: int | None = None, log=print
) -> dict:
    """Segmentation P/R/F1, UPOS (own and gold segmentation) and speed of the stanza pipeline."""
    import stanza
    import torch

    torch.set_num_threads(1)
    sents = _sentences(read_conllu(padt_path(data, split)))[:limit]
    all_gold = sum(
        len(w) for s in read_conllu(padt_path(data, split)) for t in s for w in [t.words]
    )
    if limit:
        all_gold = sum(len(w) for s in sents for _, w, _ in s)
    n_tokens = sum(len(s) for s in sents)
    t0 = time.time()
    nlp = load_pipeline(models)
    tagger = load_pipeline(models, pretokenized=True)
    load_s = time.time() - t0
    texts, golds = zip(*(gold_spans(s) for s in sents))
    docs = [stanza.Document([], text=t) for t in texts]
    t0, c0 = time.time(), time.process_time()
    docs = nlp(docs)
    wall, cpu = time.time() - t0, time.process_time() - c0
    seg_c = seg_p = seg_g = pos_c = 0
    for gold, doc in zip(golds, docs):
        pred = {}
        for s in doc.sentences:
            pred.update(pred_spans(s))
        seg_g += len(gold)
        seg_p += len(pred)
        for sp, t in pred.items():
            if sp in gold:
                seg_c += 1
                pos_c += gold[sp] == t
    seg_g += all_gold - sum(len(g) for g in golds)  # words of tokens that normalize to nothing
    # gold segmentation: the tagger alone on PADT's (normalized) words
    gwords = [[w for _, ws, _ in s for w in ws] for s in sents]
    gtags = [[t for _, _, ts in s for t in ts] for s in sents]
    t1 = time.time()
    gdoc = tagger(gwords)
    tag_wall = time.time() - t1
    gc = gn = 0
    for sent, tags in zip(gdoc.sentences, gtags):
        pt = [w.upos for w in sent.words]
        gn += len(tags)
        gc += sum(a == b for a, b in zip(pt, tags))
    sp_, sr, sf = _prf(seg_c, seg_p, seg_g)
    _, _, pf = _prf(pos_c, seg_p, seg_g)
    return {
        "split": split,
        "sentences": len(sents),
        "surface_tokens": n_tokens,
        "words_gold": seg_g,
        "seg_precision": 100 * sp_,
        "seg_recall": 100 * sr,
        "seg_f1": 100 * sf,
        "upos_f1_own_seg": 100 * pf,
        "upos_acc_aligned_words": 100 * pos_c / seg_c if seg_c else 0.0,
        "upos_acc_gold_seg": 100 * gc / gn if gn else 0.0,
        "load_s": load_s,
        "tokens_per_s_wall": n_tokens / wall,
        "tokens_per_cpu_s": n_tokens / cpu if cpu else 0.0,
        "pos_only_words_per_s": gn / tag_wall,
    }


def speed_news(models: Path, data: Path, articles: int = 200) -> dict:
    """tokens/s of the full stanza pipeline on the first SaudiNewsNet articles (normalized text,
    whitespace tokens counted), one thread."""
    import gzip

    import stanza
    import torch

    torch.set_num_threads(1)
    texts = []
    with gzip.open(data / "raw" / "saudinewsnet" / "saudinewsnet.jsonl.gz", "rt") as fh:
        for line in fh:
            texts.append(norm(json.loads(line)["text"]))
            if len(texts) == articles:
                break
    nlp = stanza.Pipeline(
        "ar", dir=str(models), processors="tokenize,mwt,pos", download_method=None,
        use_gpu=False, logging_level="WARN", pos_pretrain_path=None,
    )  # fmt: skip
    n = sum(len(t.split()) for t in texts)
    t0, c0 = time.time(), time.process_time()
    nlp([stanza.Document([], text=t) for t in texts])
    wall, cpu = time.time() - t0, time.process_time() - c0
    return {"articles": articles, "ws_tokens": n, "tokens_per_s_wall": n / wall,
            "tokens_per_cpu_s": n / cpu}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m pipeline.training.stanza_padt",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="train stanza tokenizer, MWT and POS on PADT (CPU)")
    tr.add_argument(
        "--data", type=Path, default=None, help="DATA_DIR (default resources.data_dir())"
    )
    tr.add_argument("--out", type=Path, default=None, help="default models/stanza")
    tr.add_argument("--tok-steps", type=int, default=3000)
    tr.add_argument("--mwt-epochs", type=int, default=2)
    tr.add_argument("--pos-steps", type=int, default=500)
    tr.add_argument("--only", action="append", choices=list(PACKAGES), default=None)
    tr.add_argument("--pos-args", default="", help="extra stanza.models.tagger options")
    ev = sub.add_parser("eval", help="print segmentation, UPOS and speed figures")
    ev.add_argument("--data", type=Path, default=None)
    ev.add_argument("--models", type=Path, default=None, help="default models/stanza")
    ev.add_argument("--split", default="test", choices=["train", "dev", "test"])
    ev.add_argument("--limit", type=int, default=None, help="first N sentences only")
    ev.add_argument(
        "--news", type=int, default=0, help="also time the first N SaudiNewsNet articles"
    )
    args = ap.parse_args(argv)
    data = args.data or data_dir()
    if not padt_path(data, "train").exists():
        print(f"PADT not found under {data}/ud/padt (set --data or DATA_DIR)", file=sys.stderr)
        return 2
    if args.cmd == "train":
        train(
            data, args.out or models_dir() / "stanza", args.tok_steps, args.mwt_epochs,
            args.pos_steps, args.only or list(PACKAGES), args.pos_args.split(),
        )  # fmt: skip
        return 0
    models = args.models or models_dir() / "stanza"
    res = evaluate(data, models, args.split, args.limit)
    if args.news:
        res.update({f"news_{k}": v for k, v in speed_news(models, data, args.news).items()})
    for k, v in res.items():
        print(f"{k:26s} {v:.2f}" if isinstance(v, float) else f"{k:26s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
