"""Train the BiLSTM-CRF NER tagger (torch, CPU) and export it for the numpy runtime.

    python -m pipeline.training.ner_lstm train [--data DIR] [--out models/ner] [--vectors build/ner_vectors.npz]

Writes models/ner/lstm.npz (weights, embeddings in float16) and lstm.json (vocabularies, labels,
sizes, training settings). The word embeddings start from `ner_vectors` (word2vec on raw news; the
command trains them first when the file is missing). Deterministic: fixed seeds, one thread, data in
file order. The architecture is described in `pipeline.ner.lstm`.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.crf import save_npz, viterbi
from pipeline.ner.document import BIO_LABELS
from pipeline.ner.features import NerFeaturizer
from pipeline.ner.lstm import FEATURE_PREFIXES, MAX_CHARS, LstmEncoder
from pipeline.ner.tokens import cluster_key
from pipeline.resources import data_dir, models_dir
from pipeline.training.ner import TRAIN_SETS, prf, tag_infos
from pipeline.training.ner_data import load_anercorp_train, load_splits
from pipeline.training.ner_vectors import DEFAULT_PATH, train_vectors
from pipeline.training.reproducible import pin_environment
from pipeline.training.silver_sentences import SILVER_SET, training_splits

__all__ = ["train", "cross_validate", "epoch_batches", "LABELS", "SETTINGS"]

LABELS = BIO_LABELS
SETTINGS = {
    "word_dim": 100,
    "char_dim": 30,
    "char_filters": 50,
    "feat_dim": 32,
    "hidden": 64,
    "dropout": 0.5,
    "word_dropout": 0.05,
    "lr": 1e-3,
    "batch": 16,
    "epochs": 20,
    "average_from": 11,
    "clip": 5.0,
    "max_vector_words": 50_000,
    "seed": 13,
    # the context models (pipeline.context: character LMs, encoder) whose word states join the
    # inputs: directories under models/ ("charlm"; comma-separated for several), or "" for none;
    # `name` is the file stem of the export (lstm.npz, ...)
    "charlm": "",
    "name": "lstm",
    # other corpora (comma-separated split names, "" for none) trained through the same encoder with
    # an output layer and CRF of their own: they teach the shared layers without imposing their
    # annotation conventions on the exported (ANERcorp) head. `aux_ratio`: aux sentences drawn per
    # epoch, as a multiple of the main training sentences.
    "aux_sets": "",
    "aux_ratio": 1.0,
}


def _vocabularies(
    sents, infos, featurizer: NerFeaturizer, vectors: dict[str, np.ndarray], max_vector_words: int
) -> tuple[list[str], list[str], list[str]]:
    """Words (training forms and stems, then the most frequent vector words), chars, features."""
    words: dict[str, None] = {"<pad>": None, "<unk>": None}
    chars: Counter[str] = Counter()
    feats: Counter[str] = Counter()
    for sent, info in zip(sents, infos):
        toks = [t for t, _ in sent]
        for w, ti in zip(toks, info):
            words.setdefault(cluster_key(w))
            words.setdefault(cluster_key(ti[1]))
            chars.update(w)
            own = featurizer._type_features(w)[0]
            feats.update(f for f in own if f.startswith(FEATURE_PREFIXES))
            feats["tp=" + (ti[2] or "none")] += 1
            feats["pc=" + ti[0]] += 1
        for ph in featurizer._phrase_tags(toks, [featurizer.phrase_firsts(w) for w in toks]):
            if ph:
                feats["ph=" + ph] += 1
    for w in list(vectors)[:max_vector_words]:
        words.setdefault(w)
        chars.update(w)
    char_list = ["<pad>", "<unk>"] + sorted(c for c, n in chars.items() if n >= 2)
    feat_list = ["<pad>", "<unk>"] + sorted(f for f, n in feats.items() if n >= 2)
    return list(words), char_list, feat_list


def _build_net(n_words: int, n_chars: int, n_feats: int, s: dict, lm_dim: int = 0, n_aux: int = 0):
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word_emb = nn.Embedding(n_words, s["word_dim"], padding_idx=0)
            self.char_emb = nn.Embedding(n_chars, s["char_dim"], padding_idx=0)
            self.char_conv_w = nn.Parameter(torch.empty(3 * s["char_dim"], s["char_filters"]))
            self.char_conv_b = nn.Parameter(torch.zeros(s["char_filters"]))
            nn.init.xavier_uniform_(self.char_conv_w)
            self.feat_emb = nn.Embedding(n_feats, s["feat_dim"], padding_idx=0)
            dim = 2 * s["word_dim"] + s["char_filters"] + s["feat_dim"] + lm_dim
            self.lstm = nn.LSTM(dim, s["hidden"], batch_first=True, bidirectional=True)
            self.drop = nn.Dropout(s["dropout"])
            self.out = nn.Linear(2 * s["hidden"], len(LABELS))
            nl = len(LABELS)
            self.crf_trans = nn.Parameter(torch.zeros(nl, nl))
            self.crf_start = nn.Parameter(torch.zeros(nl))
            self.crf_end = nn.Parameter(torch.zeros(nl))
            # one output layer and CRF per auxiliary corpus (head k >= 1); not exported
            self.aux_out = nn.ModuleList(nn.Linear(2 * s["hidden"], nl) for _ in range(n_aux))
            self.aux_crf = nn.ParameterList(
                nn.Parameter(torch.zeros(nl * nl + 2 * nl)) for _ in range(n_aux)
            )

        def crf(self, head: int = 0):
            """(transitions, start, end) of a head: 0 the main corpus, k >= 1 auxiliary corpus k."""
            if head == 0:
                return self.crf_trans, self.crf_start, self.crf_end
            nl = len(LABELS)
            p = self.aux_crf[head - 1]
            return p[: nl * nl].view(nl, nl), p[nl * nl : nl * nl + nl], p[nl * nl + nl :]

        def emissions(self, wid, sid, cid, clen, fid, lens, lm=None, head: int = 0):
            b, t = wid.shape
            ce = self.char_emb(cid)  # (b*t) × (L+2) × dc
            win = torch.cat([ce[:, :-2], ce[:, 1:-1], ce[:, 2:]], dim=2)
            conv = win @ self.char_conv_w + self.char_conv_b
            mask = torch.arange(conv.shape[1])[None, :] < clen[:, None]
            conv = torch.tanh(conv.masked_fill(~mask[:, :, None], -1e4).max(dim=1).values)
            fe = self.feat_emb(fid).sum(dim=1)
            parts = [self.word_emb(wid), self.word_emb(sid), conv.view(b, t, -1), fe.view(b, t, -1)]
            x = torch.cat(parts if lm is None else [*parts, lm], dim=2)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(
                x, lens, batch_first=True, enforce_sorted=False
            )
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=t)
            out = self.out if head == 0 else self.aux_out[head - 1]
            return out(self.drop(h))

        def nll(self, em, tags, mask, head: int = 0):
            trans, start, end = self.crf(head)
            b, t, _ = em.shape
            ar = torch.arange(b)
            gold = start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
            alpha = start[None, :] + em[:, 0]
            for i in range(1, t):
                m = mask[:, i]
                step = trans[tags[:, i - 1], tags[:, i]] + em[ar, i, tags[:, i]]
                gold = gold + step * m
                nxt = torch.logsumexp(alpha[:, :, None] + trans[None], dim=1) + em[:, i]
                alpha = torch.where(m[:, None] > 0, nxt, alpha)
            last = tags[ar, mask.sum(1).long() - 1]
            gold = gold + end[last]
            logz = torch.logsumexp(alpha + end[None, :], dim=1)
            return (logz - gold).sum()

    return Net()


def _arrays(w, st, cs, fs, labels, lm=None) -> tuple[np.ndarray, ...]:
    """One encoded sentence as numpy arrays (built once; batches are stacked from them); `lm`: its
    tokens' character-LM states (tokens × dim) or None."""
    n = len(w)
    ch = np.zeros((n, max(len(c) for c in cs)), dtype=np.int64)
    for j, c in enumerate(cs):
        ch[j, : len(c)] = c
    ft = np.zeros((n, max((len(f) for f in fs), default=0) or 1), dtype=np.int64)
    for j, f in enumerate(fs):
        ft[j, : len(f)] = f
    clen = np.array([len(c) for c in cs], dtype=np.int64)
    return (
        np.array(w, dtype=np.int64),
        np.array(st, dtype=np.int64),
        ch,
        clen,
        ft,
        np.array(labels, dtype=np.int64),
        lm,
    )


def _tensors(batch, s: dict, train: bool, rng: np.random.Generator):
    """Pad a batch of `_arrays` sentences into tensors (word dropout when training)."""
    import torch

    lens = [len(x[0]) for x in batch]
    t, b = max(lens), len(batch)
    longest = max(x[2].shape[1] for x in batch)
    width = max(x[4].shape[1] for x in batch)
    wid = np.zeros((b, t), dtype=np.int64)
    sid = np.zeros((b, t), dtype=np.int64)
    lab = np.zeros((b, t), dtype=np.int64)
    mask = np.zeros((b, t), dtype=np.float32)
    cid = np.zeros((b, t, longest + 2), dtype=np.int64)
    clen = np.ones((b, t), dtype=np.int64)
    fid = np.zeros((b, t, width), dtype=np.int64)
    lm = None
    if batch[0][6] is not None:
        lm = np.zeros((b, t, batch[0][6].shape[1]), dtype=np.float32)
    for i, (w, st, ch, cl, ft, labels, states) in enumerate(batch):
        n = len(w)
        if lm is not None:
            lm[i, :n] = states
        wid[i, :n], sid[i, :n], lab[i, :n], mask[i, :n] = w, st, labels, 1
        cid[i, :n, 1 : 1 + ch.shape[1]] = ch
        clen[i, :n] = cl
        fid[i, :n, : ft.shape[1]] = ft
    if train and s["word_dropout"]:
        wid[rng.random(wid.shape) < s["word_dropout"]] = 1
        sid[rng.random(sid.shape) < s["word_dropout"]] = 1
        wid[mask == 0] = 0
        sid[mask == 0] = 0
    return (
        torch.from_numpy(wid),
        torch.from_numpy(sid),
        torch.from_numpy(cid.reshape(b * t, -1)),
        torch.from_numpy(clen.reshape(-1)),
        torch.from_numpy(fid.reshape(b * t, -1)),
        torch.tensor(lens),
        torch.from_numpy(lab),
        torch.from_numpy(mask),
        None if lm is None else torch.from_numpy(lm),
    )


def _batches(data_enc, size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of sentences of similar length (less padding: the LSTM and the CRF loop
    run to the longest sentence of a batch)."""
    order = list(range(len(data_enc)))
    rng.shuffle(order)
    pool = size * 20
    batches = []
    for k in range(0, len(order), pool):
        chunk = sorted(order[k : k + pool], key=lambda i: len(data_enc[i][0]))
        batches.extend(chunk[j : j + size] for j in range(0, len(chunk), size))
    rng.shuffle(batches)
    return batches


def epoch_batches(data_enc, aux_enc, s: dict, rng: random.Random) -> list[tuple[int, list]]:
    """One epoch's batches as (head, sentences): all main sentences (head 0) and a fresh draw of
    auxiliary ones (head k for corpus k), `aux_ratio` × the main count shared by corpus size;
    every batch holds one corpus, and the batches of all corpora are shuffled together."""
    out = [(0, [data_enc[i] for i in idx]) for idx in _batches(data_enc, s["batch"], rng)]
    total = sum(len(a) for a in aux_enc)
    for k, a in enumerate(aux_enc, start=1):
        n = min(len(a), round(s["aux_ratio"] * len(data_enc) * len(a) / total))
        drawn = [a[i] for i in sorted(rng.sample(range(len(a)), n))]
        out.extend((k, [drawn[i] for i in idx]) for idx in _batches(drawn, s["batch"], rng))
    if aux_enc:
        rng.shuffle(out)
    return out


def export(net, out: Path, vocab: dict, settings: dict, log: dict, name: str = "lstm") -> None:
    """Weights as numpy arrays named as `LstmTagger` reads them (embeddings float16)."""
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    arrays = {
        "word_emb": sd["word_emb.weight"].astype(np.float16),
        "char_emb": sd["char_emb.weight"], "char_conv_w": sd["char_conv_w"],
        "char_conv_b": sd["char_conv_b"], "feat_emb": sd["feat_emb.weight"],
        "lstm_f_wih": sd["lstm.weight_ih_l0"], "lstm_f_whh": sd["lstm.weight_hh_l0"],
        "lstm_f_b": sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"],
        "lstm_b_wih": sd["lstm.weight_ih_l0_reverse"], "lstm_b_whh": sd["lstm.weight_hh_l0_reverse"],
        "lstm_b_b": sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"],
        "out_w": sd["out.weight"], "out_b": sd["out.bias"],
        "crf_trans": sd["crf_trans"], "crf_start": sd["crf_start"], "crf_end": sd["crf_end"],
    }  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    save_npz(out / f"{name}.npz", arrays)  # fixed zip dates: the same weights give the same bytes
    meta = {"labels": LABELS, "settings": settings, "vocab": vocab, "log": log}
    (out / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")


def _dev_f1(net, dev_enc, dev_gold, s) -> float:
    """Exact-span micro F1 on the dev sentences, the network and its CRF alone (no document steps)."""
    import torch

    net.eval()
    trans, start, end = (x.detach().numpy() for x in (net.crf_trans, net.crf_start, net.crf_end))
    pred = []
    with torch.no_grad():
        for k in range(0, len(dev_enc), 64):
            batch = dev_enc[k : k + 64]
            wid, sid, cid, clen, fid, lens, _, _, lm = _tensors(batch, s, False, None)
            em = net.emissions(wid, sid, cid, clen, fid, lens, lm).numpy()
            paths = viterbi(em, lens.numpy(), trans, start, end)
            pred.extend([LABELS[j] for j in paths[i, :n]] for i, n in enumerate(lens.tolist()))
    net.train()
    return prf(dev_gold, pred)["micro"][2]


def _aux_names(s: dict) -> list[str]:
    """The auxiliary corpora a setting names (`aux_sets`, comma-separated)."""
    return [name for name in s["aux_sets"].split(",") if name]


def _lm_states(charlm: str, sents) -> list:
    """Per sentence, its tokens' contextual states (`pipeline.context`: character LMs, encoder or
    both, comma-separated directories, each under models/ unless it is a path), or None without.

    Loads the models on each call: building them draws from torch's seeded generator before the
    network is initialized, so the shipped builds depend on how many calls `_fit` makes."""
    if not charlm:
        return [None] * len(sents)
    from pipeline.context import load_context

    paths = [Path(c) if Path(c).exists() else models_dir() / c for c in charlm.split(",")]
    return load_context(paths).embed_sentences([[cluster_key(t) for t, _ in x] for x in sents])


def _encoded(enc: LstmEncoder, sents, infos, lms) -> list[tuple[np.ndarray, ...]]:
    """The non-empty sentences as `_arrays` (ids, gold label ids, LM states)."""
    lab_id = {lab: i for i, lab in enumerate(LABELS)}
    return [
        _arrays(*enc.encode([t for t, _ in x], info), [lab_id[lab] for _, lab in x], lm)
        for x, info, lm in zip(sents, infos, lms)
        if x
    ]


def _fit(
    train_sents,
    dev,
    featurizer: NerFeaturizer,
    vectors: dict[str, np.ndarray],
    s: dict,
    t0: float,
    aux: Sequence[list] = (),
) -> tuple:
    """Train one network on `train_sents`, printing F1 on `dev` after each epoch (CRF decoding only).

    `aux`: sentences of other corpora, one list per corpus, each trained through the shared layers
    with its own output layer and CRF (`aux_ratio` × len(train_sents) of them drawn per epoch).

    Returns (net, vocabularies, lm_dim, history, training tokens); the net holds the weights
    averaged over epochs `average_from`..`epochs`."""
    import torch

    torch.manual_seed(s["seed"])
    torch.set_num_threads(1)
    rng = random.Random(s["seed"])
    nprng = np.random.default_rng(s["seed"])
    infos = tag_infos(train_sents)
    dev_infos = tag_infos(dev)
    aux_infos = [tag_infos(x) for x in aux]
    print(f"data and tags ({time.time() - t0:.0f}s)", flush=True)
    words, chars, feats = _vocabularies(
        [*train_sents, *(x for a in aux for x in a)],
        [*infos, *(i for a in aux_infos for i in a)],
        featurizer,
        vectors,
        s["max_vector_words"],
    )
    enc = LstmEncoder.from_vocabularies(words, chars, feats, featurizer)
    lm_train, lm_dev, lm_dim = _lm_states(s["charlm"], train_sents), _lm_states(s["charlm"], dev), 0
    if s["charlm"]:
        lm_dim = lm_train[0].shape[1]
        print(f"character-LM states ({lm_dim} per token, {time.time() - t0:.0f}s)", flush=True)
    data_enc = _encoded(enc, train_sents, infos, lm_train)
    dev_enc = _encoded(enc, dev, dev_infos, lm_dev)  # its labels are not read: dev_gold scores
    aux_enc = [_encoded(enc, a, i, _lm_states(s["charlm"], a)) for a, i in zip(aux, aux_infos)]
    dev_gold = [[lab for _, lab in x] for x in dev if x]
    net = _build_net(len(words), len(chars), len(feats), s, lm_dim, len(aux_enc))
    with torch.no_grad():
        hit = 0
        for i, w in enumerate(words):
            v = vectors.get(w)
            if v is not None:
                net.word_emb.weight[i] = torch.from_numpy(v / (np.linalg.norm(v) + 1e-9) * 3.0)
                hit += 1
    print(
        f"{len(words)} words ({hit} from vectors), {len(chars)} chars, {len(feats)} features, "
        f"{len(data_enc)} sentences, auxiliary {[len(a) for a in aux_enc]} "
        f"({time.time() - t0:.0f}s)",
        flush=True,
    )
    opt = torch.optim.Adam(net.parameters(), lr=s["lr"])
    history = []
    avg, n_avg = None, 0
    for epoch in range(1, s["epochs"] + 1):
        total = 0.0
        for head, batch in epoch_batches(data_enc, aux_enc, s, rng):
            wid, sid, cid, clen, fid, lens, lab, mask, lm = _tensors(batch, s, True, nprng)
            em = net.emissions(wid, sid, cid, clen, fid, lens, lm, head)
            loss = net.nll(em, lab, mask, head) / len(batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), s["clip"])
            opt.step()
            total += float(loss.detach()) * len(batch)
        if epoch >= s["average_from"]:  # weight averaging over the last epochs (SWA): dev F1
            # swings ±2 from one epoch to the next; the average is steadier than any one epoch
            sd = net.state_dict()
            if avg is None:
                avg = {k: v.detach().clone() for k, v in sd.items()}
            else:
                for k, v in sd.items():
                    avg[k] += v.detach()
            n_avg += 1
        f1 = _dev_f1(net, dev_enc, dev_gold, s)
        history.append({"epoch": epoch, "loss": round(total, 1), "dev_f1": round(f1, 2)})
        print(
            f"epoch {epoch}: loss {total:.1f} dev F1 {f1:.2f} ({time.time() - t0:.0f}s)", flush=True
        )
    if avg is not None:
        net.load_state_dict({k: v / n_avg for k, v in avg.items()})
        f1 = _dev_f1(net, dev_enc, dev_gold, s)
        history.append(
            {"epoch": f"average of {s['average_from']}-{s['epochs']}", "dev_f1": round(f1, 2)}
        )
        print(f"averaged epochs {s['average_from']}-{s['epochs']}: dev F1 {f1:.2f}", flush=True)
    vocab = {"words": words, "chars": chars, "feats": feats}
    return net, vocab, lm_dim, history, sum(len(x[0]) for x in data_enc)


def _vectors(data: Path, vectors_path: Path) -> dict[str, np.ndarray]:
    if not vectors_path.exists():
        train_vectors(data, vectors_path)
    z = np.load(vectors_path)
    return dict(zip(z["words"].tolist(), z["vectors"]))


def train(
    data: Path,
    out: Path,
    vectors_path: Path = DEFAULT_PATH,
    sets: Sequence[str] = TRAIN_SETS,
    settings: dict | None = None,
    silver_sentences: Path | None = None,
    silver_sample: int | None = None,
) -> dict:
    """Train on `sets`, print dev F1 after each epoch (CRF decoding only), export to `out`.

    `silver_sentences`: news sentences the accurate NER labelled (`pipeline.training.silver_sentences`),
    the set `silver_news` that `sets` (the exported head) or `aux_sets` (a head of its own) may name;
    `silver_sample`: that many of them, drawn with a fixed seed (the file is in article order)."""
    s = {**SETTINGS, **(settings or {})}
    t0 = time.time()
    splits = training_splits(
        load_splits(data), (*sets, *_aux_names(s)), silver_sentences, silver_sample
    )
    vectors = _vectors(data, vectors_path)
    train_sents = [x for name in sets for x in splits[name]]
    aux = [splits[name] for name in _aux_names(s)]
    net, vocab, lm_dim, history, tokens = _fit(
        train_sents, splits["anercorp_dev"], NerFeaturizer.load(out), vectors, s, t0, aux
    )
    print(
        f"trained in {time.time() - t0:.0f}s", flush=True
    )  # not in the export: no build time in files
    log = {
        "history": history,
        "train_sets": list(sets),
        "aux_sets": _aux_names(s),
        "train_tokens": tokens,
        "max_chars": MAX_CHARS,
        **({"silver_sentences": len(splits[SILVER_SET])} if silver_sentences is not None else {}),
    }
    export(net, out, vocab, {**s, "lm_dim": lm_dim}, log, s["name"])
    return log


def cross_validate(
    data: Path,
    work: Path,
    folds: int = 10,
    only: Sequence[int] | None = None,
    vectors_path: Path = DEFAULT_PATH,
    settings: dict | None = None,
    limit: int | None = None,
) -> dict:
    """K-fold cross-validation over ANERcorp train (the dev split left out): fold k holds out every
    k-th block of consecutive sentences (documents stay together in blocks), trains on the rest with
    the same settings and reports the held-out F1 of the averaged net (CRF decoding, the network
    alone). One result file per fold in `work` (`fold-K.json`): a stopped run resumes where it was,
    and folds can run in separate processes (`only`). `limit`: the first N sentences only (tests)."""
    s = {**SETTINGS, **(settings or {})}
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    sents = load_anercorp_train(data)[:limit]
    names = _aux_names(s)
    splits = load_splits(data) if names else {}
    aux = [splits[name][:limit] for name in names]
    vectors = _vectors(data, vectors_path)
    featurizer = NerFeaturizer.load(models_dir() / "ner")
    block = max(1, len(sents) // (folds * 10))  # ten blocks per fold, spread over the file
    fold_of = [(i // block) % folds for i in range(len(sents))]
    for k in only if only is not None else range(folds):
        path = work / f"fold-{k}.json"
        if path.exists():
            if json.loads(path.read_text(encoding="utf-8"))["settings"] != s:
                raise SystemExit(f"{path} was run with other settings: give another --work")
            continue
        train_sents = [x for x, f in zip(sents, fold_of) if f != k]
        held = [x for x, f in zip(sents, fold_of) if f == k]
        print(f"fold {k}: {len(train_sents)} training sentences, {len(held)} held out", flush=True)
        _, _, _, history, tokens = _fit(train_sents, held, featurizer, vectors, s, t0, aux)
        result = {
            "fold": k,
            "folds": folds,
            "f1": history[-1]["dev_f1"],
            "train_tokens": tokens,
            "held_sentences": len(held),
            "settings": s,
        }
        path.write_text(json.dumps(result, ensure_ascii=False) + "\n", encoding="utf-8")
    done = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in work.glob("fold-*.json")),
        key=lambda r: r["fold"],
    )
    f1s = [r["f1"] for r in done]
    summary = {
        "folds_done": len(done),
        "folds": folds,
        "f1": f1s,
        "mean": round(float(np.mean(f1s)), 2) if f1s else None,
        "sd": round(float(np.std(f1s, ddof=1)), 2) if len(f1s) > 1 else None,
    }
    print(json.dumps(summary), flush=True)
    return summary


def require_feature_files(out: Path) -> None:
    """Refuse an output folder without the CRF featurizer's word clusters.

    Why: the network's bag of CRF features comes from the featurizer of the folder it is exported to
    (the stage loads it from there), and `NerFeaturizer.load` quietly does without missing clusters:
    a network trained into an empty folder learns from a fraction of its features and scores lower,
    with nothing said."""
    if not (out / "clusters.tsv").exists():
        raise SystemExit(
            f"{out / 'clusters.tsv'} is missing: the network reads the CRF's features from the "
            "folder it is trained into; copy models/ner/* there first (or train into models/ner)"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="train and export the BiLSTM-CRF")
    tr.add_argument("--data", type=Path, default=data_dir())
    tr.add_argument("--out", type=Path, default=models_dir() / "ner")
    tr.add_argument("--vectors", type=Path, default=DEFAULT_PATH)
    tr.add_argument("--sets", default=",".join(TRAIN_SETS))
    tr.add_argument("--set", action="append", default=[], help="KEY=VALUE: override a setting")
    tr.add_argument(
        "--silver-sentences",
        type=Path,
        default=None,
        help="news sentences the accurate NER labelled (pipeline.training.silver_sentences), "
        f"the set {SILVER_SET}: name it in --sets or aux_sets",
    )
    tr.add_argument("--silver-sample", type=int, default=None, help="N of them, seeded draw")
    cv = sub.add_parser("cv", help="k-fold cross-validation over ANERcorp train (resumable)")
    cv.add_argument("--data", type=Path, default=data_dir())
    cv.add_argument(
        "--work", type=Path, default=Path("build/ner_cv"), help="one result file per fold"
    )
    cv.add_argument("--folds", type=int, default=10)
    cv.add_argument("--only", type=int, action="append", default=None, help="run fold K only")
    cv.add_argument("--vectors", type=Path, default=DEFAULT_PATH)
    cv.add_argument("--limit", type=int, default=None, help="the first N sentences only (tests)")
    cv.add_argument("--set", action="append", default=[], help="KEY=VALUE: override a setting")
    args = ap.parse_args(argv)
    over = {}
    for kv in args.set:
        k, _, v = kv.partition("=")
        over[k] = type(SETTINGS[k])(v)
    if args.cmd == "cv":
        cross_validate(args.data, args.work, args.folds, args.only, args.vectors, over, args.limit)
        return
    require_feature_files(args.out)
    log = train(
        args.data,
        args.out,
        args.vectors,
        args.sets.split(","),
        over,
        args.silver_sentences,
        args.silver_sample,
    )
    print(json.dumps({k: v for k, v in log.items() if k != "history"}))


if __name__ == "__main__":
    pin_environment("pipeline.training.ner_lstm")
    main()
