#!/usr/bin/env bash
# Installs Cairn's dependencies, starts the server on its embedded defaults (SQLite file and a local
# blob folder under CAIRN_DATA_DIR, default ~/.cairn) and logs an example experiment into it.
# The server stays in the foreground; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null; then
  echo "error: Node.js 20 or newer is needed (https://nodejs.org)" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci; compiling better-sqlite3 takes about a minute)…"
  npm ci --no-audit --no-fund --loglevel=error
fi

node scripts/build.mjs >/dev/null # the server bundle and the web studio

port="${CAIRN_PORT:-5000}"
data_dir="${CAIRN_DATA_DIR:-$HOME/.cairn}"
node dist/cairn.mjs server start --host 127.0.0.1 --port "$port" --data-dir "$data_dir" &
server=$!
trap 'kill "$server" 2>/dev/null || true' INT TERM EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "error: the server exited during start-up (is port $port in use? set CAIRN_PORT)" >&2
    exit 1
  fi
  sleep 0.1
done

node --import tsx examples/quickstart/log-example.ts --url "http://127.0.0.1:$port"
echo "Cairn is running: open the studio at http://127.0.0.1:$port (data in $data_dir). Press Ctrl-C to stop."
wait "$server"
