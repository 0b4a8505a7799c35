#!/usr/bin/env bash
# The transformer route of the accurate NER on a lent GPU (models/cards/encoder.md): pretrain the news
# encoder and fine-tune it for NER in one command that fits one device call (10 minutes).
#
#   scripts/gpu_encoder.sh pack            # here: the subword files and the NER sets into .gpu/ (ignored
#                                          # through .git/info/exclude); the tracked files the device does
#                                          # not need, which would take the working tree over the 64 MiB a
#                                          # call may send, moved aside into build/gpu_stash
#   device run, carry [".gpu"]:  bash scripts/gpu_encoder.sh remote 6    # 6 minutes of pretraining
#   scripts/gpu_encoder.sh unpack          # here: the files moved aside put back
#
# `remote` writes into $OUT (the device's return folder; build/gpu_out elsewhere): encoder/ (the
# pretrained encoder: encoder.npz, encoder.json, tokenizer.json), ner/ (the fine-tuned network as the
# stage loads it: accurate.npz, accurate.json, accurate.tokenizer.json) and log.txt. The same command
# runs on CPU (DEVICE=cpu), slowly. Settings through the environment: OBJECTIVE (electra), BATCH (256),
# LR (5e-4), FT_EPOCHS (8), FT_LRS (the fine-tuning learning rates tried, "2e-4 1e-4 3e-4"), LIMIT_S
# (560: no fine-tuning starts that would end past it, counted from the script's start).
set -euo pipefail
cd "$(dirname "$0")/.."
STASH=(checkpoints/charlm.pt checkpoints/charlm384.pt models/ner/accurate.npz
       models/stanza/ar/pos/padt_nopretrain.pt)

case "${1:-}" in
pack)
    PY=${PY:-.venv/bin/python}
    DATA=${DATA_DIR:-../shared/data}
    [ -f build/encoder/subwords.npy ] ||
        "$PY" -m pipeline.training.encoder prepare --data "$DATA" --work build/encoder
    "$PY" -m pipeline.training.ner_encoder prepare --data "$DATA" --work build/ner_encoder
    mkdir -p .gpu/encoder
    cp build/encoder/subwords.npy build/encoder/heldout.npy build/encoder/tokenizer.json .gpu/encoder/
    cp build/ner_encoder/ner_sets.json.gz .gpu/
    exclude=$(git rev-parse --git-path info/exclude)
    mkdir -p "$(dirname "$exclude")" && touch "$exclude"
    grep -qx "/.gpu/" "$exclude" || echo "/.gpu/" >> "$exclude"
    for f in "${STASH[@]}"; do
        if [ -f "$f" ]; then mkdir -p "build/gpu_stash/$(dirname "$f")" && mv "$f" "build/gpu_stash/$f"; fi
    done
    du -sh .gpu
    echo "moved aside into build/gpu_stash: ${STASH[*]} (scripts/gpu_encoder.sh unpack puts them back)"
    ;;
unpack)
    for f in "${STASH[@]}"; do
        if [ -f "build/gpu_stash/$f" ]; then mv "build/gpu_stash/$f" "$f"; fi
    done
    git status --short -- "${STASH[@]}"
    ;;
remote)
    MINUTES=${2:-6}
    OUTDIR=${OUT:-build/gpu_out}
    DEVICE=${DEVICE:-cuda}
    OBJECTIVE=${OBJECTIVE:-electra}
    BATCH=${BATCH:-256}
    LR=${LR:-5e-4}
    export PYTHONUNBUFFERED=1
    mkdir -p "$OUTDIR"
    exec > >(tee "$OUTDIR/log.txt") 2>&1
    [ "$DEVICE" = cpu ] || nvidia-smi -L
    # the step rate of this machine: 100 steps into a scratch folder (the first steps compile kernels)
    probe=$(mktemp -d)
    cp .gpu/encoder/* "$probe/"
    python3 -m pipeline.training.encoder train --work "$probe" --out "$probe/out" --device "$DEVICE" \
        --objective "$OBJECTIVE" --batch "$BATCH" --lr "$LR" --steps 100 --warmup 10 --save-every 1e9
    STEPS=$(python3 -c "import json, sys; c = json.load(open(sys.argv[1]))['curve'][-1]; \
print(int(c['step'] / max(c['minutes'] * 60, 1e-9) * $MINUTES * 60 * 0.9))" "$probe/out/encoder.json")
    rm -rf "$probe"
    echo "pretraining: $STEPS steps in about $MINUTES minutes"
    python3 -m pipeline.training.encoder train --work .gpu/encoder --out "$OUTDIR/encoder" \
        --device "$DEVICE" --objective "$OBJECTIVE" --batch "$BATCH" --lr "$LR" --steps "$STEPS" \
        --warmup $((STEPS / 10)) --minutes $((MINUTES + 2)) --save-every 1e9
    rm -f .gpu/encoder/checkpoint.pt  # ~90 MB with the optimizer: it does not come back
    # fine-tunings, one per learning rate while the call has time for another as long as the last;
    # the one with the best ANERcorp dev F1 (a tuning choice: report how many were compared) comes
    # back as ner/, the others as their accurate.json (per-epoch dev F1, scores) in ner_tried/
    last=0
    for lr in ${FT_LRS:-2e-4 1e-4 3e-4}; do
        if [ "$last" -gt 0 ] && [ $((SECONDS + last)) -gt "${LIMIT_S:-560}" ]; then
            echo "no time left for the fine-tuning at $lr"; break
        fi
        start=$SECONDS
        python3 -m pipeline.training.ner_encoder train --work .gpu --encoder "$OUTDIR/encoder" \
            --out "$OUTDIR/ner_lr$lr" --device "$DEVICE" --epochs "${FT_EPOCHS:-8}" --lr "$lr"
        last=$((SECONDS - start))
    done
    python3 - "$OUTDIR" <<'PICK'
import json, shutil, sys
from pathlib import Path
out = Path(sys.argv[1])
runs = {p: json.loads((p / "accurate.json").read_text())["scores"]["anercorp_dev"]
        for p in sorted(out.glob("ner_lr*"))}
best = max(runs, key=lambda p: runs[p])
print("fine-tunings, ANERcorp dev F1 (network alone):", {p.name: f for p, f in runs.items()},
      "kept:", best.name, flush=True)
(out / "ner_tried").mkdir(exist_ok=True)
for p in runs:
    shutil.copy(p / "accurate.json", out / "ner_tried" / f"{p.name}.json")
    if p != best:
        shutil.rmtree(p)
best.rename(out / "ner")
PICK
    ls -la "$OUTDIR"/*
    ;;
*)
    echo "usage: scripts/gpu_encoder.sh pack | remote [MINUTES] | unpack" >&2
    exit 2
    ;;
esac
