# voicecoach: `make run` starts the studio, `make test` runs the whole suite.
# Both create .venv and install everything the project needs (system packages too, for test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

RUN_PKGS  := libportaudio2
TEST_PKGS := espeak-ng sox libportaudio2 chromium strace

.PHONY: run test setup sysdeps-run sysdeps-test eval bench samples clean

# Loopback only, headless, no usage statistics, no Deploy button: see .streamlit/config.toml
run: sysdeps-run setup
	$(BIN)/streamlit run app.py --server.port $(PORT)

# The suite on three workers (pytest-xdist): the browser tests one after another on one of them, whole
# files on the other two at a lower priority, longest first (tests/conftest.py). glibc's malloc is
# told to keep the memory it frees: by default it hands big blocks back and the next analysis faults
# them in again (the kernel's share of the suite's CPU time: 153 s of 720 s; 57 s with this). It
# changes no result.
test: sysdeps-test setup
	MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=268435456 \
	$(BIN)/python -m pytest -q -n 3 --no-loadscope-reorder

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -m voicecoach.warm
	touch $(STAMP)

sysdeps-run:
	@scripts/sysdeps.sh $(RUN_PKGS)

sysdeps-test:
	@scripts/sysdeps.sh $(TEST_PKGS)

# Word error rate of the speech model on the real clips in ../shared/fixtures/speech; then the ask
# (requests found and kept whole, false vague tips, waits, real final words faded by 12 dB)
eval: sysdeps-test setup
	$(BIN)/python scripts/eval_wer.py
	$(BIN)/python scripts/eval_wording.py
	$(BIN)/python scripts/eval_moves.py
	$(BIN)/python scripts/eval_longform.py
	$(BIN)/python scripts/eval_ask.py

# Accuracy of the measurements against synthetic takes of known truth, then speed and memory
# against plain faster-whisper on takes of 30 s to 20 min (bench/bench_speed.py --quick: 30 s, 60 s)
# and the live path: time from stop to result against the batch analysis (bench/bench_live.py), and a
# rehearsal: time from the end of a turn to the manager's spoken reply (bench/bench_rehearse.py)
bench: sysdeps-test setup
	$(BIN)/python bench/bench_delivery.py
	$(BIN)/python bench/bench_speed.py
	$(BIN)/python bench/bench_live.py
	$(BIN)/python bench/bench_rehearse.py

samples: sysdeps-test setup
	$(BIN)/python scripts/make_samples.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
