#!/usr/bin/env bash
# Installs (if missing) and starts a single-node Slurm cluster on this host (Debian 12, as root): munge
# with a fresh key, /etc/slurm/slurm.conf naming this host as controller and only compute node, one
# default partition `debug`; starts munged, slurmctld and slurmd and waits until `sinfo` shows the node
# idle. Idempotent: running daemons are kept when the config is unchanged, restarted when it changed.
#   slurm.sh         install and start
#   slurm.sh stop    stop slurmd, slurmctld (munged keeps running)
set -euo pipefail

log() { echo "slurm.sh: $*" >&2; }
start_s=$SECONDS

conf=/etc/slurm/slurm.conf
partition=debug
host="$(hostname -s)"

# The daemons' pids, from the pid files slurm.conf names below.
daemon_pid() {
  local pid
  pid="$(cat "/run/slurm/$1.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

stop_daemons() {
  local name pid
  for name in slurmd slurmctld; do
    pid="$(daemon_pid "$name")"
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

if [ "${1:-start}" = stop ]; then
  stop_daemons
  echo "slurm stopped"
  exit 0
fi

# Every service script serialises apt through one lock: they run in parallel and dpkg allows one at a time.
apt_get() { flock /tmp/cairn-apt.lock apt-get "$@"; }
# The launcher's lint test (tests/integration/compute-slurm) needs ShellCheck too.
packages="slurm-wlm munge shellcheck"
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1 || ! command -v shellcheck >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postinst scripts try to start the daemons through invoke-rc.d; a policy that refuses keeps
  # them from racing ours (and from failing where there is no init system).
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  # shellcheck disable=SC2086 # a list of package names
  if ! apt_get install -y -qq $packages >/dev/null 2>&1; then
    apt_get update -qq >/dev/null
    apt_get install -y -qq $packages >/dev/null
  fi
  if [ "$policy_added" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# munge: a key of 1024 random bytes, owned by munge, mode 400.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  munged_pid="$(cat /run/munge/munged.pid 2>/dev/null || true)"
  if [ -n "$munged_pid" ] && kill -0 "$munged_pid" 2>/dev/null; then kill "$munged_pid"; sleep 0.2; fi
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged did not start (see /var/log/munge/munged.log)"
    exit 1
  fi
fi

# A little under the machine's memory, so slurmd never reports less than the config claims (which
# would drain the node).
cpus="$(nproc)"
mem_total="$(free -m | awk '/^Mem:/ { print $2 }')"
real_memory=$((mem_total * 9 / 10))

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm
new_conf="$(mktemp)"
trap 'rm -f "$new_conf"' EXIT
cat >"$new_conf" <<CONF
# Written by cairn scripts/services/slurm.sh: a single-node test cluster.
ClusterName=cairn
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
# Without a default, a job would take all the node's memory and jobs would run one at a time.
DefMemPerCPU=256
# Finished jobs stay visible to scontrol for 5 minutes (the default, stated for the adapter's sake).
MinJobAge=300
KillWait=5
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${real_memory} State=UNKNOWN
PartitionName=${partition} Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF

restart=0
if ! cmp -s "$new_conf" "$conf"; then
  cp "$new_conf" "$conf"
  chmod 644 "$conf"
  restart=1
fi
if [ "$restart" = 1 ]; then stop_daemons; fi

if [ -z "$(daemon_pid slurmctld)" ]; then
  # -i: ignore state saved by an earlier cluster with another config.
  slurmctld -i
fi
if [ -z "$(daemon_pid slurmd)" ]; then
  slurmd
fi

# Ready when the controller answers and the node is idle (or already running jobs).
ready=0
for _ in $(seq 1 120); do
  state="$(sinfo -h -n "$host" -p "$partition" -o %T 2>/dev/null | head -n 1 || true)"
  case "$state" in
  idle | mixed | allocated | completing) ready=1; break ;;
  down* | drain* | *fail*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 0.25
done
if [ "$ready" != 1 ]; then
  log "node $host not idle after 30 s (sinfo state: '${state:-no answer}'); see /var/log/slurm/slurmctld.log and slurmd.log"
  exit 1
fi
echo "slurm ready: partition ${partition} on ${host} (${cpus} CPUs, ${real_memory} MB) in $((SECONDS - start_s)) s"
