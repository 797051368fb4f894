# Two entry points, as the README says: `make start` and `make test`.
# Everything installs into .venv from the repository's own lock (requirements/dev.txt, hashes checked), so a fresh
# clone needs nothing else. The image installs requirements/runtime.txt alone.
VENV ?= .venv
PY := $(VENV)/bin/python
# Lock against the default index only, whatever this machine's pip configuration adds (find-links, extra indexes).
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile \
	--quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: start test demo bench lock clean

$(VENV)/installed: requirements/dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

# SYSTEM, PORT, ENV_FILE and the shop settings come from the environment or make's command line (README).
start: $(VENV)/installed
	PATH="$(abspath $(VENV))/bin:$$PATH" ./scripts/start.sh

test: $(VENV)/installed
	$(PY) -m pytest -q

demo: $(VENV)/installed
	$(PY) -m harness.demo

bench: $(VENV)/installed
	$(PY) bench/pull_throughput.py

# After editing requirements/*.in: re-resolve both locks (runtime first: dev is constrained to it).
lock: $(VENV)/installed
	$(PIP_COMPILE) --output-file requirements/runtime.txt requirements/runtime.in
	$(PIP_COMPILE) --output-file requirements/dev.txt requirements/dev.in

clean:
	rm -rf $(VENV) .venv-runtime
