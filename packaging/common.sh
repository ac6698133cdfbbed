# Shared by the packaging scripts (sourced, not run). Paths are relative to the repo root.
# Everything built lands in build/packaging (throwaway venvs) and dist/ (artifacts), both
# ignored by git.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PY:-python3}
WORK=$PWD/build/packaging
TOOLS=packaging/requirements-tools.txt
mkdir -p "$WORK" dist

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "packaging needs Python 3.11+ ($PY is $("$PY" -V 2>&1))" >&2; exit 2; }

# pip_in VENV ARGS...: pip install into VENV, the tools pinned by requirements-tools.txt.
# (Drops pip's notes about configured find-links folders that do not exist on this machine.)
pip_in() {
  local venv=$1
  shift
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -c "$TOOLS" "$@" \
    2> >(grep -v "^WARNING: Location 'file:" >&2)
}

# fresh_venv DIR: an empty venv with a current pip (the old pip of some pythons cannot read
# pyproject-only sdists).
fresh_venv() {
  rm -rf "$1"
  "$PY" -m venv "$1"
  pip_in "$1" --upgrade pip
}

# build_dists: the sdist, and the wheel built *from the sdist* (so a file missing from the
# sdist breaks the wheel too), into dist/. Prints nothing but the build's own summary.
build_dists() {
  if [ ! -x "$WORK/tools/bin/pyproject-build" ]; then
    fresh_venv "$WORK/tools"
    pip_in "$WORK/tools" build
  fi
  rm -f dist/learner_wallet-*.whl dist/learner_wallet-*.tar.gz
  "$WORK/tools/bin/python" -m build --outdir dist . >"$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log" >&2; return 1; }
  WHEEL=$PWD/$(ls dist/learner_wallet-*.whl)
  SDIST=$PWD/$(ls dist/learner_wallet-*.tar.gz)
  export WHEEL SDIST
}

# timed LABEL CMD...: runs CMD and prints how long it took (CI keeps these figures).
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  echo "[time] $label: $((SECONDS - start)) s"
}

size_of() { du -h "$1" | cut -f1; }
