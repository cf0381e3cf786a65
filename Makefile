# Two doors for a newcomer: `make demo` (the main job) and `make test`.
SWIFT ?= swift

# Release builds enable the host's vector ISA (AVX2 + FMA on this machine): without it,
# SIMD8<Float>.addProduct becomes a per-lane library call and the GEMM runs ~60x slower.
# Portable fallback: `make PORTABLE=1 ...` builds for the baseline target (slow but runs anywhere).
ifeq ($(PORTABLE),1)
ARCH_FLAGS :=
else
ARCH_FLAGS := -Xswiftc -target-cpu -Xswiftc native -Xcc -march=native
endif
RELEASE := -c release $(ARCH_FLAGS)
BIN := .build/release

DEMO := checkpoints/demo
# Sentences from the test split: their noun-adjective and negation pairs never occur in training.
SAMPLES := "They do not make my small hot omelet." "The computers are next to our gray bag." "Is the shirt new?"
EXPLAIN := "Our old Italian teachers buy her happy bird."

.PHONY: build test bench bench-model demo corpus tatoeba cli-docs clean

build:
	$(SWIFT) build $(RELEASE)

# Tests run in release: numeric Swift is 10-100x slower in debug builds. The corpus check
# proves data/ is exactly what the committed generator writes. Then the Python bridge's tests
# (python/tests: tokenizer agreement, PyTorch/DDP equivalence, CTranslate2), which call the
# executables just built; without pytest they are reported as skipped, in the form CI checks.
PYTHON ?= python3
test: build
	$(BIN)/gencorpus --check data
	$(SWIFT) test $(RELEASE) --disable-swift-testing
	@if $(PYTHON) -c "import pytest" 2>/dev/null; then echo "$(PYTHON) -m pytest -q -rs -p no:cacheprovider python/tests"; $(PYTHON) -m pytest -q -rs -p no:cacheprovider python/tests; \
	else echo "python/tests: Test skipped - pytest is not installed for $(PYTHON) (pip install -r python/requirements.txt)"; fi

# The main job: train on the shipped corpus (5 minutes), score the test split, translate
# a few sentences, explain one (terminal, and explorer.html for a browser), and show what is
# inside the checkpoint. Replaces an earlier demo run.
demo: build
	$(BIN)/gencorpus --check data
	@if [ -d $(DEMO) ]; then echo "replacing the previous demo run in $(DEMO)"; rm -rf $(DEMO); fi
	$(BIN)/train --config configs/toy.json --out $(DEMO)
	@echo; echo "== Test split (held-out combinations): exact match, BLEU and chrF"
	$(BIN)/translate --checkpoint $(DEMO) --tsv data/test.tsv --output $(DEMO)/test.hyp.txt
	@echo; echo "== Sample translations"
	$(BIN)/translate --checkpoint $(DEMO) --quiet $(SAMPLES)
	@echo; echo "== What attention did (translate --explain)"
	$(BIN)/translate --checkpoint $(DEMO) --quiet --explain $(EXPLAIN)
	@echo; echo "== In a browser (offline pages): the attention explorer and the training report"
	$(BIN)/translate --checkpoint $(DEMO) --quiet --explain-html $(DEMO)/explorer.html $(EXPLAIN) $(SAMPLES)
	@echo "open $(DEMO)/explorer.html and $(DEMO)/report.html"
	@echo; echo "== What the checkpoint holds"
	$(BIN)/inspect $(DEMO)

# Real language: train on the Tatoeba English-French corpus beside the checkout with the preset
# in configs/tatoeba.json for MINUTES of training, then score the test split (cased, detokenised
# BLEU and chrF equal to sacreBLEU's), greedy and beam 5. Never deletes an earlier run: pick
# another TATOEBA_RUN, or continue one with `build/release/train --out DIR --resume --minutes M`.
TATOEBA ?= ../shared/corpora/tatoeba-eng-fra
TATOEBA_RUN ?= checkpoints/tatoeba
MINUTES ?= 30
tatoeba: build
	@test -f $(TATOEBA)/train.tsv || { echo "no corpus at $(TATOEBA)/train.tsv: set TATOEBA=DIR (train.tsv, valid.tsv, test.tsv)"; exit 1; }
	@if ls $(TATOEBA_RUN)/*.safetensors >/dev/null 2>&1; then echo "$(TATOEBA_RUN) already holds a run: make tatoeba TATOEBA_RUN=checkpoints/another-name, or remove it"; exit 1; fi
	$(BIN)/train --config configs/tatoeba.json --data $(TATOEBA)/train.tsv --valid $(TATOEBA)/valid.tsv --minutes $(MINUTES) --out $(TATOEBA_RUN)
	@echo; echo "== Test split, greedy"
	$(BIN)/translate --checkpoint $(TATOEBA_RUN) --tsv $(TATOEBA)/test.tsv --output $(TATOEBA_RUN)/test.greedy.txt
	@echo; echo "== Test split, beam 5"
	$(BIN)/translate --checkpoint $(TATOEBA_RUN) --tsv $(TATOEBA)/test.tsv --beam 5 --output $(TATOEBA_RUN)/test.beam5.txt

# Regenerates data/ from the committed generator (deterministic: same files every time).
corpus: build
	$(BIN)/gencorpus --out data

# Every benchmark as JSON lines (several minutes): GEMM, training tokens/s and matmul share,
# decoding ms per sentence, translate start-up. `make bench BENCH_FLAGS=--quick` is a smoke run;
# `BENCH_FLAGS="--only decode,translate_startup --threads 2"` picks some (see `bench --help`).
BENCH_FLAGS ?=
bench: build
	$(BIN)/bench $(BENCH_FLAGS)

# decode_preset needs a trained model of train's preset shape: `make bench-model` trains one
# with train's defaults for BENCH_MINUTES on Tatoeba (else on data/) into checkpoints/bench-preset.
BENCH_MODEL ?= checkpoints/bench-preset
BENCH_MINUTES ?= 15
bench-model: build
	@if ls $(BENCH_MODEL)/*.safetensors >/dev/null 2>&1; then echo "$(BENCH_MODEL) already holds a model: remove it to train another"; exit 1; fi
	@if [ -f $(TATOEBA)/train.tsv ]; then set -x; $(BIN)/train --data $(TATOEBA)/train.tsv --valid $(TATOEBA)/valid.tsv --minutes $(BENCH_MINUTES) --out $(BENCH_MODEL); \
	else set -x; $(BIN)/train --data data/train.tsv --valid data/valid.tsv --minutes $(BENCH_MINUTES) --out $(BENCH_MODEL); fi

# docs/CLI.md's --help blocks, regenerated from the tools (a test checks they agree).
cli-docs: build
	$(PYTHON) scripts/cli_reference.py $(BIN)

clean:
	rm -rf .build
