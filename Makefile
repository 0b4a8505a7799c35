# arabic-ie — set up, run, test, train, evaluate, benchmark.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DATA_DIR ?= ../shared/data
IN     ?= seeds/
OUT    ?= outputs/
N      ?= 1000
export DATA_DIR

.PHONY: setup extract test lint train train-silver train-self train-lstm pretrain pretrain-continue pretrain-encoder finetune-encoder train-accurate cv-accurate eval bench bench-full clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	# torch first, pinned to the CPU wheel: anything else would pull a multi-GB CUDA build (the
	# pipeline does not need torch; the BiLSTM training test and the train extra do)
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e '.[dev,spacy]'
	touch $@

# crfsuite, gensim, torch, stanza: needed to rebuild the models only (`make train`, `make train-lstm`)
$(VENV)/.installed-train: $(VENV)/.installed
	$(PY) -m pip install -e '.[train]'
	touch $@

extract: setup
	$(VENV)/bin/arabic-ie extract $(IN) --out $(OUT) --force

test: setup
	$(PY) -m ruff check pipeline tests bench
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check pipeline tests bench
	$(PY) -m ruff format --check pipeline tests bench

# Rebuild every shipped lexicon and model from DATA_DIR: the same bytes on every build (fixed seeds,
# a fixed hash seed, one thread for BLAS/OpenMP so float sums keep their order; `python
# bench/check_train_determinism.py` compares two builds). The stanza models (models/stanza, an
# optional tag backend) have their own command: see models/cards/tag.md.
train: export PYTHONHASHSEED = 0
train: export OMP_NUM_THREADS = 1
train: export OPENBLAS_NUM_THREADS = 1
train: export MKL_NUM_THREADS = 1
train: setup $(VENV)/.installed-train
	$(PY) -m pipeline.training.build_date_lexicon
	$(PY) -m pipeline.training.build_places --data $(DATA_DIR)
	$(PY) -m pipeline.training.ner_lexicons --data $(DATA_DIR)
	$(PY) -m pipeline.training.build_latin_names --data $(DATA_DIR)
	$(PY) -m pipeline.training.tag train --data $(DATA_DIR)
	$(PY) -m pipeline.training.ner_clusters --data $(DATA_DIR)
	$(PY) -m pipeline.training.news_counts --data $(DATA_DIR)
	$(PY) -m pipeline.training.ner train --data $(DATA_DIR)
	$(PY) -m pipeline.training.ner_student --data $(DATA_DIR)

# The last step of `train` makes the default CRF the accurate backend's student (its labelled news
# sentences and silver names); it needs models/ner/accurate.npz (shipped; `make train-accurate`).
# Variants of the student (models/cards/ner.md), built aside: the CRF with all the silver names and
# no silver sentences, in build/ner_silver; score it with
# `python -m pipeline.training.ner eval --model build/ner_silver`.
train-silver: setup $(VENV)/.installed-train
	rm -rf build/ner_silver && mkdir -p build && cp -r models/ner build/ner_silver
	$(PY) -m pipeline.training.silver_names --data $(DATA_DIR) --jobs 2 \
		--out build/ner_silver/silver_names.tsv
	$(PY) -m pipeline.training.ner train --data $(DATA_DIR) --out build/ner_silver --silver

# The optional BiLSTM-CRF NER model (not shipped: it scores below the CRF, see models/cards/ner.md);
# word2vec vectors (~15 min) then the network (~20-30 min on 2 cores). Use: NerStage(backend="lstm").
train-lstm: setup $(VENV)/.installed-train
	$(PY) -m pipeline.training.ner_vectors --data $(DATA_DIR)
	$(PY) -m pipeline.training.ner_lstm train --data $(DATA_DIR)

# The character language models of the accurate NER backend (models/charlm): forward and backward LSTMs
# on the raw news, resumable: each call continues from build/charlm/checkpoint.pt until PRETRAIN_CHARS
# characters per direction have been read (or PRETRAIN_MINUTES have passed), then exports the weights.
# Like every trainer it pins one thread and the hash seed itself (pipeline.training.reproducible).
# The default length is the shipped run's, so `make pretrain` in a clean clone rebuilds models/charlm
# (about 100 minutes on one core). `make pretrain-continue PRETRAIN_CHARS=130e6` starts from the
# checkpoint of the longest run so far (checkpoints/charlm.pt: 103.9 M characters per direction) and
# trains further (a checkpoint past PRETRAIN_CHARS is refused).
PRETRAIN_CHARS   ?= 55104000
PRETRAIN_MINUTES ?= 100000
pretrain: setup $(VENV)/.installed-train
	$(PY) -m pipeline.training.charlm --data $(DATA_DIR) --resume \
		--chars $(PRETRAIN_CHARS) --minutes $(PRETRAIN_MINUTES)

pretrain-continue: setup $(VENV)/.installed-train
	mkdir -p build/charlm
	[ -f build/charlm/checkpoint.pt ] || cp checkpoints/charlm.pt build/charlm/checkpoint.pt
	$(PY) -m pipeline.training.charlm --data $(DATA_DIR) --resume \
		--chars $(PRETRAIN_CHARS) --minutes $(PRETRAIN_MINUTES)

# The accurate NER backend: the BiLSTM-CRF over character-LM states (needs models/charlm and the
# word vectors of train-lstm), models/ner/accurate.npz + accurate.json.
# WikiFANE and Wojood train the shared layers through output layers of their own (aux_sets).
ACCURATE_SETTINGS = --set charlm=charlm --set name=accurate --set hidden=128 \
	--set aux_sets=wikifane_train,wojood_train --set aux_ratio=1.0
# The transformer encoder (pipeline.training.encoder; not shipped): the subword files, then the masked
# LM. ENCODER_STEPS is the whole run's length (the learning rate decays to zero there); a sitting ends
# after ENCODER_MINUTES and `make pretrain-encoder` again resumes it. On a GPU machine the same command
# runs on CUDA in bfloat16.
ENCODER_STEPS   ?= 20000
ENCODER_MINUTES ?= 60
pretrain-encoder: setup $(VENV)/.installed-train
	[ -f build/encoder/subwords.npy ] || $(PY) -m pipeline.training.encoder prepare --data $(DATA_DIR) --work build/encoder
	$(PY) -m pipeline.training.encoder train --work build/encoder --out build/encoder_out --resume \
		--steps $(ENCODER_STEPS) --minutes $(ENCODER_MINUTES)

# The encoder fine-tuned for NER (pipeline.training.ner_encoder; not shipped): every weight of the
# encoder in ENCODER (an export of pretrain-encoder, or one a GPU run of scripts/gpu_encoder.sh brought
# back) and a label layer, into build/ner_encoder_out as the stage loads it (accurate.npz, .json,
# .tokenizer.json); per-epoch ANERcorp dev F1 printed. About 3 minutes an epoch on one core here.
ENCODER ?= build/encoder_out
finetune-encoder: setup $(VENV)/.installed-train
	[ -f build/ner_encoder/ner_sets.json.gz ] || $(PY) -m pipeline.training.ner_encoder prepare --data $(DATA_DIR) --work build/ner_encoder
	$(PY) -m pipeline.training.ner_encoder train --work build/ner_encoder --encoder $(ENCODER) \
		--out build/ner_encoder_out

train-accurate: setup $(VENV)/.installed-train
	$(PY) -m pipeline.training.ner_lstm train --data $(DATA_DIR) $(ACCURATE_SETTINGS)

# 10-fold cross-validation of the accurate backend's network over ANERcorp train (the dev split left
# out): ten trainings of `make train-accurate`'s size, one result file per fold in
# checkpoints/ner_cv_accurate (committed: a stopped run resumes, also in a later sitting;
# FOLDS="--only 3" runs one fold), the mean and spread printed at the end.
FOLDS ?=
cv-accurate: setup $(VENV)/.installed-train
	$(PY) -m pipeline.training.ner_lstm cv --data $(DATA_DIR) --work checkpoints/ner_cv_accurate \
		$(ACCURATE_SETTINGS) $(FOLDS)

# The CRF trained also on news sentences the accurate backend labelled, without silver names
# (models/cards/ner.md): the sentences whose names the teacher is sure of, 300k tokens, trained
# beside ANERcorp train, in build/ner_selftrain; score it with
# `python -m pipeline.training.ner eval --model build/ner_selftrain --backend crf`.
SELF_TOKENS ?= 300000
train-self: setup $(VENV)/.installed-train
	rm -rf build/ner_selftrain && mkdir -p build && cp -r models/ner build/ner_selftrain
	$(PY) -m pipeline.training.silver_sentences --data $(DATA_DIR) --tokens $(SELF_TOKENS) \
		--out build/ner_selftrain/silver_sentences.tsv
	$(PY) -m pipeline.training.ner train --data $(DATA_DIR) --out build/ner_selftrain --no-silver \
		--sets anercorp_train,silver_news --silver-sentences build/ner_selftrain/silver_sentences.tsv

# Accuracy on held-out data the models never trained on.
eval: setup
	$(PY) -m pipeline.training.tag eval --data $(DATA_DIR)
	$(PY) -m pipeline.training.ner eval --data $(DATA_DIR) --backend crf,accurate
	$(PY) -m pipeline.training.eval_resolve

bench: setup
	$(PY) bench/bench_pipeline.py --data $(DATA_DIR) -n $(N)
	for s in tag ner dates numbers; do $(PY) bench/bench_stage.py $$s --data $(DATA_DIR) -n 500; done
	if [ -f models/ner/accurate.npz ]; then $(PY) bench/bench_stage.py ner --ner accurate --data $(DATA_DIR) -n 200 --repeat 1; fi
	$(PY) bench/bench_long_token.py

bench-full: setup
	$(PY) bench/bench_pipeline.py --data $(DATA_DIR) --full --jobs 2

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
