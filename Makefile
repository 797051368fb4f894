# Two entry points, as the README says: `make start` and `make test`.
# Everything installs into .venv from requirements.txt, so a fresh clone needs nothing else.
VENV ?= .venv
PY := $(VENV)/bin/python
SYSTEM ?= woocommerce
PORT ?= 5000

.PHONY: start test demo bench clean

$(VENV)/installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

start: $(VENV)/installed
	SYSTEM=$(SYSTEM) PORT=$(PORT) PATH="$(abspath $(VENV))/bin:$$PATH" ./scripts/start.sh

test: $(VENV)/installed
	$(PY) -m pytest -q

demo: $(VENV)/installed
	$(PY) -m harness.demo

bench: $(VENV)/installed
	$(PY) bench/pull_throughput.py

clean:
	rm -rf $(VENV)
