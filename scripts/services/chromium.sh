#!/usr/bin/env bash
# Installs Debian's Chromium (if missing) for the studio's browser tests, which drive it with
# playwright-core at /usr/bin/chromium (CAIRN_TEST_CHROMIUM overrides the path). Idempotent: a second
# run only checks the version. `npx playwright install` cannot download browsers here, hence Debian's.
set -euo pipefail

log() { echo "chromium.sh: $*" >&2; }

if ! [ -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  if ! flock /tmp/cairn-apt.lock apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
    flock /tmp/cairn-apt.lock apt-get update -qq >/dev/null
    flock /tmp/cairn-apt.lock apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
fi

if ! version="$(/usr/bin/chromium --version 2>/dev/null)"; then
  log "/usr/bin/chromium is installed but does not run (try: apt-get install --reinstall chromium)"
  exit 1
fi
echo "chromium ready: $version"
