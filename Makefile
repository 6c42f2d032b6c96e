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

# The student version of each assignment, as the book, `make lab` and the
# student branch show it: exercises/<id>/<notebook>.ipynb for every
# solutions/<id>/<notebook>.ipynb.  Made in a scratch course: `make release`
# is the only target that writes autograder/release/ and the gradebook.
SOLUTION_FILES := $(shell find solutions -type f -not -path '*/.*')
EXERCISE_NOTEBOOKS := $(patsubst solutions/%,exercises/%,$(filter %.ipynb,$(SOLUTION_FILES)))
# What the book is built from: a file changed after the last build (by its
# modification time) rebuilds it, as does a missing site.
BOOK_INPUTS := _config.yml _toc.yml $(filter-out README.md,$(wildcard *.md *.bib)) \
  $(shell find chapters lib/nntrain $(wildcard _static _templates _extensions) -type f \
    -not -path '*/.*' -not -path '*/__pycache__/*') \
  $(EXERCISE_NOTEBOOKS) $(STAMP)
# Touched after a build that succeeded, removed before every build.
BOOK_STAMP := _build/.book-built

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## Create .venv and install the package and course tools (pinned)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[course]'
	$(BIN)/python -m pip check
	touch $@

release: $(STAMP) ## Instructors: student versions into autograder/release/ and the gradebook (always regenerates)
	cd autograder && for a in $(ASSIGNMENTS); do \
	  ../$(BIN)/nbgrader generate_assignment "$$a" --force --log-level=WARN || exit 1; done

exercises: $(EXERCISE_NOTEBOOKS) ## Student versions into exercises/ if solutions/ changed (never touches autograder/)

# One nbgrader run (no database, in a temporary copy of the course) replaces exercises/.
$(EXERCISE_NOTEBOOKS) &: $(SOLUTION_FILES) autograder/nbgrader_config.py tools/student_versions.py $(STAMP)
	$(BIN)/python tools/student_versions.py generate exercises

book: $(BOOK_STAMP) ## Build the HTML book into _build/html if an input changed (--all -W -n --keep-going)

$(BOOK_STAMP): $(BOOK_INPUTS) _build/html/index.html
	@rm -f $@
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@touch $@
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# written by every build; when it is missing, the book is built
_build/html/index.html: ;

test: book ## Run every test (package, notebooks, exercises, autograding, book); builds the book if needed
	$(BIN)/python -m pytest -n 2 --dist loadfile

lab: exercises ## Start JupyterLab on lab/, your copies of the student versions (adds new ones, keeps yours)
	@$(BIN)/python tools/student_versions.py lab exercises lab
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --allow-root \
	  --ServerApp.root_dir=$(CURDIR)/lab --LabApp.news_url=None \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

autograde: $(STAMP) ## Grade autograder/submitted/ in parallel, each kernel sandboxed, a status for each (ASSIGNMENT=<id>, FORCE=1, SCHEDULER=tcp://host:8786)
	cd autograder && ../$(BIN)/python -m grading autograde $(ASSIGNMENT) $(if $(JOBS),--jobs $(JOBS)) \
	  $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(MEMORY),--memory $(MEMORY)) $(if $(SANDBOX),--sandbox $(SANDBOX)) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(FORCE),--force)

collect: $(STAMP) ## Import an LMS zip into autograder/submitted/, reporting what changed (ZIP=<file>; ASSIGNMENT=<id> if the zip cannot tell)
	@test -n "$(ZIP)" || { echo "usage: make collect ZIP=<file.zip> [ASSIGNMENT=<id>]"; exit 2; }
	zip="$(ZIP)"; case "$$zip" in /*) ;; *) zip="$(CURDIR)/$$zip";; esac; \
	  cd autograder && ../$(BIN)/python -m grading collect "$$zip" $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

feedback: $(STAMP) ## Write per-student HTML feedback (no hidden tests) into autograder/feedback/; holds back answers not graded yet (INCLUDE_UNGRADED=1 returns them, marked)
	cd autograder && ../$(BIN)/python -m grading feedback $(ASSIGNMENT) $(if $(INCLUDE_UNGRADED),--include-ungraded)

feedback-pack: feedback ## Zip each student's feedback for return (autograder/grades/feedback/); same rule for ungraded answers
	cd autograder && ../$(BIN)/python -m grading pack $(ASSIGNMENT) $(if $(INCLUDE_UNGRADED),--include-ungraded)

grades: $(STAMP) ## Write autograder/grades/grades.csv (score, status, failed tests, lateness) and per-test failure summaries
	cd autograder && ../$(BIN)/python -m grading grades $(ASSIGNMENT)

.PHONY: collect feedback-pack formgrader

formgrader: $(STAMP) ## Instructors: JupyterLab with formgrader for manual grading, math offline (PORT=8888)
	cd autograder && ../$(BIN)/python -m grading formgrader --port $(or $(PORT),8888)

bench: $(STAMP) ## Run the benchmarks (not part of the tests)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python "$$b" || exit 1; done

clean: ## Remove _build/ and exercises/ (keeps .venv, lab/ and the course in autograder/)
	rm -rf _build exercises .exercises.new

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
