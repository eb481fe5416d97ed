#!/bin/sh
# cairn-launch.sh — the job side of a Cairn job on a node that has no Node.js (Slurm, Ray): needs only a
# POSIX shell, tar, and curl or python3.
#
#   1. materialises the job's Python environment (when CAIRN_ENV_HASH is set) and puts its bin first on PATH
#   2. downloads the code snapshot tar (CAIRN_SNAPSHOT_URL) and extracts it into the work dir
#   3. runs the command with `sh -c` in its own process group, forwarding TERM/INT/HUP to the whole group,
#      and exits with the command's exit status (128+N when it died of signal N)
#
# Inputs (environment):
#   CAIRN_COMMAND | CAIRN_COMMAND_FILE  the command (text), or a file holding it (run as `sh FILE`)
#   CAIRN_WORK_DIR        where to run (created if missing; default: the current directory)
#   CAIRN_SNAPSHOT_URL    http(s):// URL of the snapshot tar (sent with `Authorization: Bearer $CAIRN_TOKEN`),
#                         or file:///path/to/snapshot.tar; unset: no code to fetch
#   CAIRN_TOKEN           bearer token for CAIRN_SNAPSHOT_URL
#   CAIRN_ENV_HASH        cache key of the Python environment; unset: run with the node's own PATH
#   CAIRN_ENV_REQUIREMENTS  file with the environment's pip requirement lines
#   CAIRN_ENV_PYTHON      wanted Python version (optional)
#   CAIRN_ENV_CACHE       folder of cached environments (shared storage)
#   CAIRN_ENV_MATERIALIZER  path of materialize-env.sh (default: beside this script, then ../environments/)
# Launcher failures (no command, download or environment failed) exit 1 with a line on stderr that
# starts with "cairn-launch:".

set -u

fail() {
  printf 'cairn-launch: %s\n' "$*" >&2
  exit 1
}

# ---- the command ------------------------------------------------------------------------------------
if [ -n "${CAIRN_COMMAND_FILE:-}" ]; then
  [ -r "$CAIRN_COMMAND_FILE" ] || fail "command file '$CAIRN_COMMAND_FILE' (CAIRN_COMMAND_FILE) is not readable"
elif [ -z "${CAIRN_COMMAND:-}" ]; then
  fail "no command: set CAIRN_COMMAND or CAIRN_COMMAND_FILE"
fi

# ---- work dir -----------------------------------------------------------------------------------------
if [ -n "${CAIRN_WORK_DIR:-}" ]; then
  mkdir -p "$CAIRN_WORK_DIR" || fail "cannot create work dir '$CAIRN_WORK_DIR' (CAIRN_WORK_DIR)"
  cd "$CAIRN_WORK_DIR" || fail "cannot enter work dir '$CAIRN_WORK_DIR' (CAIRN_WORK_DIR)"
fi

# ---- environment --------------------------------------------------------------------------------------
script_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

find_materializer() {
  for candidate in "${CAIRN_ENV_MATERIALIZER:-}" "$script_dir/materialize-env.sh" \
    "$script_dir/../environments/materialize-env.sh"; do
    if [ -n "$candidate" ] && [ -r "$candidate" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

if [ -n "${CAIRN_ENV_HASH:-}" ]; then
  if materializer=$(find_materializer); then
    # The materializer writes its build log to stderr (part of the job's logs) and the environment's
    # folder as the last line of stdout.
    env_out=$(sh "$materializer") || fail "environment $CAIRN_ENV_HASH could not be built (its log is above)"
    env_dir=$(printf '%s\n' "$env_out" | tail -n 1)
    [ -d "$env_dir/bin" ] || fail "environment $CAIRN_ENV_HASH: materializer reported '$env_dir', which has no bin/"
    PATH="$env_dir/bin:$PATH"
    VIRTUAL_ENV="$env_dir"
    export PATH VIRTUAL_ENV
  else
    # TODO(issue 3): fail once packages/jobs/src/environments/materialize-env.sh ships with the adapters.
    printf 'cairn-launch: no materialize-env.sh found; running environment %s with the node PATH\n' \
      "$CAIRN_ENV_HASH" >&2
  fi
fi

# ---- code snapshot ------------------------------------------------------------------------------------
download() { # url file
  case "$1" in
  file://*)
    cp -- "${1#file://}" "$2" || return 1
    ;;
  *)
    if command -v curl >/dev/null 2>&1; then
      if [ -n "${CAIRN_TOKEN:-}" ]; then
        curl -fsS --retry 3 --retry-delay 1 -H "Authorization: Bearer $CAIRN_TOKEN" -o "$2" -- "$1"
      else
        curl -fsS --retry 3 --retry-delay 1 -o "$2" -- "$1"
      fi
    elif command -v python3 >/dev/null 2>&1; then
      python3 - "$1" "$2" <<'PY'
import os, shutil, sys, urllib.request
url, dest = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url)
token = os.environ.get("CAIRN_TOKEN")
if token:
    req.add_header("Authorization", "Bearer " + token)
try:
    with urllib.request.urlopen(req, timeout=300) as res, open(dest, "wb") as out:
        shutil.copyfileobj(res, out, 1 << 20)
except Exception as e:  # noqa: BLE001 - one line on stderr is the whole report
    sys.stderr.write("%s\n" % e)
    sys.exit(1)
PY
    else
      printf 'cairn-launch: neither curl nor python3 is on PATH\n' >&2
      return 1
    fi
    ;;
  esac
}

if [ -n "${CAIRN_SNAPSHOT_URL:-}" ]; then
  tarball=".cairn-snapshot.$$.tar"
  download "$CAIRN_SNAPSHOT_URL" "$tarball" || {
    rm -f "$tarball"
    fail "could not download the code snapshot from $CAIRN_SNAPSHOT_URL (CAIRN_SNAPSHOT_URL)"
  }
  tar -xf "$tarball" || {
    rm -f "$tarball"
    fail "the code snapshot from $CAIRN_SNAPSHOT_URL is not a readable tar"
  }
  rm -f "$tarball"
fi

# ---- run ----------------------------------------------------------------------------------------------
# The command runs in its own session (setsid) so that a signal reaches everything it started.
if [ -n "${CAIRN_COMMAND_FILE:-}" ]; then
  set -- sh "$CAIRN_COMMAND_FILE"
else
  set -- sh -c "$CAIRN_COMMAND"
fi
if command -v setsid >/dev/null 2>&1; then
  setsid "$@" &
  group=1
else
  "$@" &
  group=0
fi
child=$!

# shellcheck disable=SC2317 # called from the traps below
forward() {
  if [ "$group" = 1 ]; then
    kill "-$1" "-$child" 2>/dev/null || kill "-$1" "$child" 2>/dev/null
  else
    kill "-$1" "$child" 2>/dev/null
  fi
}
trap 'forward TERM' TERM
trap 'forward INT' INT
trap 'forward HUP' HUP

# `wait` returns early (status > 128) when a trapped signal arrives; wait again until the child is gone.
while :; do
  wait "$child"
  status=$?
  kill -0 "$child" 2>/dev/null || break
done
exit "$status"
