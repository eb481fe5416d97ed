#!/usr/bin/env bash
# Starts a single-node Ray head (from the .venv that python-env.sh builds, ray[default]) with its
# dashboard and Jobs REST API on 127.0.0.1:${CAIRN_RAY_DASHBOARD_PORT:-8265}, 2 CPUs, a small object
# store and a fresh temp dir; waits until GET /api/version answers and the head can take a job; writes
# the address to .services/ray.env.
#   ray.sh        start (a running instance started by this script is stopped first)
#   ray.sh stop   stop it (only the processes this script started: `ray start --block`'s process group,
#                 never `ray stop`, which kills every Ray process on the machine)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="$root/.services/ray"
envfile="$root/.services/ray.env"
ray="${RAY:-$root/.venv/bin/ray}"
python="${PYTHON:-$root/.venv/bin/python}"
dashboard_port="${CAIRN_RAY_DASHBOARD_PORT:-8265}"

log() { echo "ray.sh: $*" >&2; }
# GET url with a timeout; prints the body, fails on any error or non-2xx (stdlib only: no curl needed).
http_get() {
  "$python" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])).read().decode())' "$1" "$2" 2>/dev/null
}

stop() {
  if [ -f "$state/pid" ]; then
    local pid
    pid="$(cat "$state/pid")"
    if kill -0 "$pid" 2>/dev/null; then
      # `ray start --block` stops the processes it started when it gets SIGTERM.
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    # Whatever is left in its process group (setsid made pid the group leader).
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  if [ -f "$state/tmpdir" ]; then rm -rf "$(cat "$state/tmpdir")"; fi
  rm -rf "$state" "$envfile"
}

if [ "${1:-start}" = stop ]; then
  stop
  echo "ray stopped"
  exit 0
fi

if [ ! -x "$ray" ]; then
  log "no ray at $ray; run scripts/services/python-env.sh first (requirements-test.txt installs ray[default])"
  exit 1
fi

stop
mkdir -p "$state"
if http_get "http://127.0.0.1:$dashboard_port/api/version" 2 >/dev/null; then
  log "something (another Ray?) already answers on 127.0.0.1:$dashboard_port; stop it or set CAIRN_RAY_DASHBOARD_PORT"
  exit 1
fi

# A short temp dir: Ray puts unix sockets under it, and socket paths are limited to 107 bytes.
tmpdir="$(mktemp -d /tmp/cairn-ray.XXXXXX)"
echo "$tmpdir" >"$state/tmpdir"
# Free ports for the GCS and the head's agents, so this head never collides with another Ray on the host
# (the agents' fixed default ports would make job submission fail with "No available agent").
free_ports() {
  "$python" -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}
read -r gcs_port agent_port agent_grpc_port runtime_env_port metrics_port <<<"$(free_ports 5)"

start=$SECONDS
# The venv's bin first on PATH, as if activated: job entrypoints run `python …` with the venv's Python.
PATH="$(dirname "$ray"):$PATH" setsid "$ray" start --head --block \
  --node-ip-address=127.0.0.1 --port="$gcs_port" \
  --dashboard-host=127.0.0.1 --dashboard-port="$dashboard_port" --include-dashboard=true \
  --dashboard-agent-listen-port="$agent_port" --dashboard-agent-grpc-port="$agent_grpc_port" \
  --runtime-env-agent-port="$runtime_env_port" --metrics-export-port="$metrics_port" \
  --num-cpus=2 --num-gpus=0 --object-store-memory=200000000 \
  --temp-dir="$tmpdir" --disable-usage-stats \
  >"$state/ray.log" 2>&1 </dev/null &
echo $! >"$state/pid"

address="http://127.0.0.1:$dashboard_port"
ready=0
for _ in $(seq 1 600); do
  if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
  # /api/version answers once the dashboard is up; the job list once the head's job agent is too.
  if http_get "$address/api/version" 2 >/dev/null && http_get "$address/api/jobs/" 5 >/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  tail -n 30 "$state/ray.log" >&2 || true
  log "Ray did not become ready on $address (log: $state/ray.log, session logs under $tmpdir)"
  stop
  exit 1
fi

echo "CAIRN_TEST_RAY_ADDRESS=$address" >"$envfile"
version="$(http_get "$address/api/version" 5 | "$python" -c 'import json, sys; print(json.load(sys.stdin)["ray_version"])')"
echo "ray ready: $address (Ray $version, started in $((SECONDS - start)) s)"
