# One entry point for every workflow of the course.  `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSIGNMENTS := $(notdir $(patsubst %/,%,$(wildcard solutions/*/)))
ASSIGNMENT ?=
PORT ?= 8888
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# nbgrader runs helper programs (alembic, jupyter) found on PATH
export PATH := $(CURDIR)/$(BIN):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help venv book release exercises test lab autograde feedback grades bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## Create .venv and install the package and course tools (pinned)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[course]'
	$(BIN)/python -m pip check
	touch $@

release: $(STAMP) ## Generate the student version of every assignment into autograder/release/
	cd autograder && for a in $(ASSIGNMENTS); do \
	  ../$(BIN)/nbgrader generate_assignment "$$a" --force --log-level=WARN || exit 1; done

exercises: release ## Copy the student versions into exercises/ for the book
	rm -rf exercises && mkdir -p exercises
	for a in $(ASSIGNMENTS); do mkdir -p "exercises/$$a" && cp autograder/release/"$$a"/*.ipynb "exercises/$$a/"; done

book: exercises ## Build the HTML book into _build/html (executes every lesson)
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

test: book ## Run the whole test suite (package, notebooks, exercises, autograding, book)
	$(BIN)/python -m pytest -n 2 --dist loadfile

lab: release ## Start JupyterLab on the student versions (prints the URL)
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --allow-root \
	  --ServerApp.root_dir=$(CURDIR)/autograder/release

autograde: $(STAMP) ## Grade autograder/submitted/ in parallel, each kernel sandboxed, a status for each (ASSIGNMENT=<id>, FORCE=1)
	cd autograder && ../$(BIN)/python -m grading autograde $(ASSIGNMENT) $(if $(JOBS),--jobs $(JOBS)) \
	  $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(MEMORY),--memory $(MEMORY)) $(if $(SANDBOX),--sandbox $(SANDBOX)) \
	  $(if $(FORCE),--force)

collect: $(STAMP) ## Import an LMS zip of submissions into autograder/submitted/ (ZIP=<file>)
	@test -n "$(ZIP)" || { echo "usage: make collect ZIP=<file.zip> [ASSIGNMENT=<id>]"; exit 2; }
	zip="$(ZIP)"; case "$$zip" in /*) ;; *) zip="$(CURDIR)/$$zip";; esac; \
	  cd autograder && ../$(BIN)/python -m grading collect "$$zip" $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

feedback: $(STAMP) ## Write per-student HTML feedback (no hidden tests) into autograder/feedback/
	cd autograder && ../$(BIN)/python -m grading feedback $(ASSIGNMENT)

feedback-pack: feedback ## Zip each student's feedback for return (autograder/grades/feedback/)
	cd autograder && ../$(BIN)/python -m grading pack $(ASSIGNMENT)

grades: $(STAMP) ## Write autograder/grades/grades.csv (score, status, detail) and summaries
	cd autograder && ../$(BIN)/python -m grading grades $(ASSIGNMENT)

.PHONY: collect feedback-pack

bench: $(STAMP) ## Run the benchmarks (not part of the tests)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python "$$b" || exit 1; done

clean: ## Remove generated files (keeps .venv)
	rm -rf _build exercises autograder/release autograder/autograded autograder/feedback

STUDENT_FILES := LICENSE pyproject.toml constraints.txt binder intro.md chapters lib
# the student branch's README.md is written for students (no make, no solutions)
STUDENT_README := binder/student-README.md

student-branch: exercises ## Commit what students get (lessons, package, student exercises; no solutions) to branch `student`
	@set -e; index=$$(mktemp -u); export GIT_INDEX_FILE=$$index; \
	  git read-tree --empty; git add $(STUDENT_FILES); git add --force exercises; \
	  git rm --cached --quiet $(STUDENT_README); \
	  git update-index --add --cacheinfo 100644,$$(git hash-object -w $(STUDENT_README)),README.md; \
	  if git ls-files --cached | grep -qE '^(solutions|autograder)/'; then echo "solutions in the student tree"; exit 1; fi; \
	  tree=$$(git write-tree); rm -f $$index; \
	  parent=$$(git rev-parse --quiet --verify refs/heads/student || true); \
	  commit=$$(git commit-tree $$tree $${parent:+-p $$parent} -m "Student version of the course"); \
	  git update-ref refs/heads/student $$commit; \
	  echo "branch student -> $$commit; push it to the repository named in _config.yml (repository.url)"
.PHONY: student-branch
