#!/bin/sh
# Materialises a Cairn environment as a cached virtualenv on a node without Node.js (Slurm, Ray).
#
#   materialize-env.sh <cache-dir> <hash> <python> <requirements-file>
#
# The same cache as materialize-environment.ts, so either side reuses what the other built:
#   <cache-dir>/<hash>/               the virtualenv (python -m venv), pip-installed from the requirements
#   <cache-dir>/<hash>/.cairn-ready   written last; a folder without it is a build that did not finish
#   <cache-dir>/<hash>.lock           created with O_EXCL (noclobber) by the one builder, holding
#                                     "<host> <pid>"; touched every 10 s; stale when its pid is gone (same
#                                     host) or it is older than a minute (any host)
# <python> is the interpreter to build with (e.g. python3.11); python3 is used, with a warning, when it
# does not run. The build log goes to stderr; stdout gets one line, the virtualenv's bin dir. On a
# failed build the last lines of stderr are pip's own errors, and the exit status is 1.
set -u

log() { printf 'cairn: %s\n' "$*" >&2; }
fail() {
  printf 'cairn: error: %s\n' "$*" >&2
  exit 1
}

[ $# -eq 4 ] || fail "usage: materialize-env.sh <cache-dir> <hash> <python> <requirements-file>"
cache_dir=$1
hash=$2
python=$3
requirements=$4
case $hash in *[!0-9a-f]* | '') fail "hash \"$hash\" is not a sha256 (64 lowercase hex digits)" ;; esac
[ ${#hash} -eq 64 ] || fail "hash \"$hash\" is not a sha256 (64 lowercase hex digits)"
short=$(printf '%.12s' "$hash")
dir=$cache_dir/$hash
ready=$dir/.cairn-ready
lock=$cache_dir/$hash.lock

done_cached() {
  log "environment $short ready (cached)"
  printf '%s\n' "$dir/bin"
  exit 0
}

[ -f "$ready" ] && done_cached
[ -r "$requirements" ] || fail "cannot read the requirements file $requirements"
mkdir -p "$cache_dir" || fail "cannot create the environment cache $cache_dir"

host=$(uname -n)
held=0
heartbeat=
cleanup() {
  [ -n "$heartbeat" ] && kill "$heartbeat" 2>/dev/null
  [ "$held" = 1 ] && rm -f "$lock"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# noclobber makes `>` open with O_EXCL: exactly one of the racing builders creates the lock.
try_lock() { (set -C && printf '%s %s\n' "$host" "$$" >"$lock") 2>/dev/null; }

# The lock's holder is gone: same host and its pid is dead, or no heartbeat for over a minute.
holder_gone() {
  [ -n "$(find "$lock" -mmin +1 2>/dev/null)" ] && return 0
  h=${1%% *}
  p=${1#* }
  case $p in '' | *[!0-9]*) return 1 ;; esac
  [ "$h" = "$host" ] && ! kill -0 "$p" 2>/dev/null
}

# Renames the stale lock aside first; if what was renamed is not the lock judged stale (a new holder
# took it meanwhile), links it back.
break_lock() {
  aside=$lock.stale-$$
  mv "$lock" "$aside" 2>/dev/null || return 0
  [ "$(cat "$aside" 2>/dev/null)" = "$1" ] || ln "$aside" "$lock" 2>/dev/null
  rm -f "$aside"
}

waiting=0
while ! try_lock; do
  [ -f "$ready" ] && done_cached
  holder=$(cat "$lock" 2>/dev/null) || continue
  if [ -n "$holder" ] && holder_gone "$holder"; then
    log "the build of $short by $holder is gone; building it here"
    break_lock "$holder"
    continue
  fi
  if [ "$waiting" = 0 ]; then
    log "waiting for ${holder:-another job} to finish building environment $short"
    waiting=1
  fi
  sleep 1
done
held=1
(while kill -0 $$ 2>/dev/null; do
  sleep 10
  touch -c "$lock" 2>/dev/null
done) </dev/null >/dev/null 2>&1 &
heartbeat=$!

[ -f "$ready" ] && done_cached
if [ -e "$dir" ]; then
  log "$dir holds an unfinished build (no .cairn-ready); removing it and building again"
  rm -rf "$dir" || fail "cannot remove the unfinished build $dir"
fi

if ! "$python" -c 'import sys' >/dev/null 2>&1; then
  log "warning: $python does not run here; using python3"
  python=python3
fi
version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])') || fail "$python does not run"
log "creating virtualenv $dir with $python (Python $version)"
if ! "$python" -m venv "$dir" >&2; then
  rm -rf "$dir"
  fail "$python -m venv failed (on Debian, install python3-venv)"
fi
cp "$requirements" "$dir/cairn-requirements.txt" || fail "cannot copy $requirements into $dir"

if grep -q '[^[:space:]]' "$dir/cairn-requirements.txt"; then
  build_log=$cache_dir/$hash.build-$$.log
  status_file=$cache_dir/$hash.build-$$.status
  log "pip install -r $requirements"
  {
    "$dir/bin/python" -m pip install --disable-pip-version-check --no-input -r "$dir/cairn-requirements.txt" 2>&1
    echo $? >"$status_file"
  } | tee "$build_log" >&2
  status=$(cat "$status_file" 2>/dev/null || echo 1)
  if [ "$status" != 0 ]; then
    errors=$(sed -n '/^ERROR:/,$p' "$build_log")
    [ -n "$errors" ] || errors=$(tail -n 10 "$build_log")
    rm -rf "$dir" "$build_log" "$status_file"
    log "error: pip install for environment $short exited with $status:"
    printf '%s\n' "$errors" >&2
    exit 1
  fi
  rm -f "$build_log" "$status_file"
fi

if ! printf '{"hash":"%s","python":"%s","builtAt":"%s","builtBy":"materialize-env.sh"}\n' \
  "$hash" "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$ready.tmp" || ! mv "$ready.tmp" "$ready"; then
  fail "cannot write $ready"
fi
log "environment $short ready (built)"
printf '%s\n' "$dir/bin"
