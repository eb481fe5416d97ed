#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh Debian 12 box (as root) to a verdict:
#   install → biome → tsc → unit tests → services (PostgreSQL, Slurm, Chromium, Python venv + SeaweedFS,
#   in parallel)
#   → integration tests → Python tests (tests/mlflow, python/tests).
# Every stage runs even when an earlier test stage failed (so one run shows all failures), except that
# a failed install or a service that does not start stops the run. Exits non-zero naming the stages
# that failed.
#   scripts/test.sh                  everything
#   scripts/test.sh unit integration only these stages (install, lint, typecheck, unit, services,
#                                    integration, python); services start when a later stage needs them
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
logs="$root/.services/logs"
mkdir -p "$logs"

all_stages=(install lint typecheck unit services integration python)
if [ $# -gt 0 ]; then stages=("$@"); else stages=("${all_stages[@]}"); fi
wants() {
  local s
  for s in "${stages[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}
if wants integration || wants python; then stages+=(services); fi

failed=()
banner() { printf '\n==> %s\n' "$1"; }
stage() {
  local name="$1"
  shift
  wants "$name" || return 0
  banner "$name"
  local start=$SECONDS
  if "$@"; then
    echo "--- $name passed ($((SECONDS - start)) s)"
  else
    echo "--- $name FAILED ($((SECONDS - start)) s)"
    failed+=("$name")
    return 1
  fi
}
finish() {
  echo
  if [ ${#failed[@]} -eq 0 ]; then
    echo "scripts/test.sh: all stages passed (${SECONDS} s)"
    exit 0
  fi
  echo "scripts/test.sh: FAILED stage(s): ${failed[*]} (${SECONDS} s)"
  exit 1
}

seaweed_started=0
cleanup() {
  if [ "$seaweed_started" = 1 ]; then bash scripts/services/seaweedfs.sh stop >/dev/null 2>&1 || true; fi
  if [ "$seaweed_started" = 1 ]; then bash scripts/services/ray.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

install() {
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
}

# Runs each service script as a background job with its own log; waits for all and names any that failed.
start_services() {
  local -A pids=()
  bash scripts/services/postgres.sh >"$logs/postgres.log" 2>&1 &
  pids[postgres]=$!
  bash scripts/services/slurm.sh >"$logs/slurm.log" 2>&1 &
  pids[slurm]=$!
  bash scripts/services/chromium.sh >"$logs/chromium.log" 2>&1 &
  pids[chromium]=$!
  # SeaweedFS and the Ray head run from the venv, so they start once the venv is ready.
  { bash scripts/services/python-env.sh && bash scripts/services/seaweedfs.sh && bash scripts/services/ray.sh; } >"$logs/python-seaweedfs.log" 2>&1 &
  pids[python-seaweedfs]=$!
  seaweed_started=1
  local name ok=0
  for name in "${!pids[@]}"; do
    if wait "${pids[$name]}"; then
      sed 's/^/  /' "$logs/$name.log" | grep ready || true
    else
      echo "service '$name' failed to start; its output ($logs/$name.log):"
      sed 's/^/  | /' "$logs/$name.log" | tail -n 40
      ok=1
    fi
  done
  [ "$ok" = 0 ] || return 1
  set -a
  # shellcheck disable=SC1091
  . "$root/.services/seaweedfs.env"
  # shellcheck disable=SC1091
  . "$root/.services/ray.env"
  set +a
  export CAIRN_TEST_PG_URI="postgresql://postgres:cairn@127.0.0.1:5432/postgres"
  export CAIRN_TEST_PYTHON="$root/.venv/bin/python"
  export CAIRN_TEST_SLURM=1
  export CAIRN_TEST_CHROMIUM=/usr/bin/chromium
}

# The root project, then the studio (its own tsconfig: DOM libraries, JSX).
typecheck() {
  npx tsc -p tsconfig.json --noEmit && npx tsc -p packages/studio --noEmit
}

python_tests() {
  local dirs=() d
  for d in tests/mlflow python/tests; do
    if [ -d "$d" ] && find "$d" -name 'test_*.py' -o -name '*_test.py' | grep -q .; then dirs+=("$d"); fi
  done
  if [ ${#dirs[@]} -eq 0 ]; then
    echo "no Python tests found (tests/mlflow, python/tests)"
    return 0
  fi
  # One pytest per folder: the folders are separate suites whose module basenames may repeat.
  # No cache provider: it would write .pytest_cache/ into the tree.
  local status=0
  for d in "${dirs[@]}"; do
    echo "pytest $d"
    "$root/.venv/bin/python" -m pytest -q -p no:cacheprovider "$d" || status=1
  done
  return "$status"
}

stage install install || finish
stage lint npx biome check .
stage typecheck typecheck
stage unit npx vitest run --project unit --passWithNoTests
stage services start_services || finish
stage integration npx vitest run --project integration --passWithNoTests
stage python python_tests
finish
