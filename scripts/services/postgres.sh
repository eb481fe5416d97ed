#!/usr/bin/env bash
# Installs (if missing) and starts PostgreSQL 15, sets the postgres user's password to `cairn`, and waits
# until it accepts connections at postgresql://postgres:cairn@127.0.0.1:5432/postgres. Idempotent.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
  export DEBIAN_FRONTEND=noninteractive
  if ! flock /tmp/cairn-apt.lock apt-get install -y -qq postgresql >/dev/null 2>&1; then
    flock /tmp/cairn-apt.lock apt-get update -qq >/dev/null
    flock /tmp/cairn-apt.lock apt-get install -y -qq postgresql >/dev/null
  fi
fi

if ! pg_lsclusters -h 2>/dev/null | awk '$1 == "15" && $2 == "main"' | grep -q .; then
  pg_createcluster 15 main >/dev/null
fi

if ! pg_ctlcluster 15 main status >/dev/null 2>&1; then
  pg_ctlcluster 15 main start
fi

ready=0
for _ in $(seq 1 120); do
  if pg_isready -q -h 127.0.0.1 -p 5432; then ready=1; break; fi
  sleep 0.5
done
if [ "$ready" != 1 ]; then
  log "PostgreSQL did not accept connections on 127.0.0.1:5432 within 60 s (see /var/log/postgresql/)"
  exit 1
fi

# Run as the postgres OS user over the local socket (peer auth), from a directory it can read.
(cd / && su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"ALTER USER postgres PASSWORD 'cairn'\"") >/dev/null

if ! PGPASSWORD=cairn psql -q -h 127.0.0.1 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
  log "cannot log in as postgres:cairn over TCP; check pg_hba.conf allows md5/scram on 127.0.0.1"
  exit 1
fi
echo "postgres ready: postgresql://postgres:cairn@127.0.0.1:5432/postgres"
