# PFD — the two commands: `make up` (run the platform) and `make test` (run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SERVICES := $(patsubst %/pyproject.toml,%,$(wildcard services/*/pyproject.toml))
INSTALL_INPUTS := shared/pyproject.toml $(wildcard services/*/pyproject.toml) constraints.txt requirements-test.txt tools/install_helm.sh tools/install_chromium.sh

.PHONY: install up test docs constraints clean

install: $(STAMP)

$(STAMP): $(INSTALL_INPUTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e "shared[local]" $(addprefix -e ,$(SERVICES)) -r requirements-test.txt
	bash tools/install_helm.sh $(VENV)
	bash tools/install_chromium.sh
	touch $(STAMP)

up: install
	$(BIN)/pfd-stack up --var-dir var

test: install
	$(BIN)/python -m pytest

docs: install
	$(BIN)/pfd-docs

constraints: install
	(echo "# Pinned versions for every third-party package (make install and the Dockerfiles use it). Regenerate: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | grep -v -e "^-e" -e "^pfd-" -e "@ file") > constraints.txt

clean:
	rm -rf $(VENV) var
