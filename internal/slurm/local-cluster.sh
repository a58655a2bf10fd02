#!/usr/bin/env bash
# local-cluster.sh start|stop|status — a real one-node Slurm cluster on this
# host, for tests of `identify slurm` and `identify merge`.
#
#   start   install Debian's munge, slurmctld, slurmd and slurm-client when
#           missing (apt-get update once, then install; needs root), write a
#           one-node configuration under $PHYSID_SLURM_DIR, start munged,
#           slurmctld -D and slurmd -D without systemd, record their process
#           ids and wait until the node is idle. Prints `SLURM_CONF=FILE` last.
#   stop    cancel the cluster's jobs and end the three daemons by the process
#           ids that start recorded (never by name), then wait for them to go.
#   status  print each daemon's state and sinfo; exit 0 only when all run.
#
# Environment:
#   PHYSID_SLURM_DIR         state folder (default ${TMPDIR:-/tmp}/physid-slurm);
#                            keep it short: munged's socket lives in it
#   PHYSID_SLURM_CTLD_PORT   slurmctld's port (default 6817)
#   PHYSID_SLURM_SLURMD_PORT slurmd's port (default 6818)
#
# Clients need SLURM_CONF=$PHYSID_SLURM_DIR/slurm.conf. Facts this relies on
# (Slurm 22.05 from Debian 12): it runs as root with SlurmUser=root,
# proctrack/linuxproc and task/none, without an accounting database (job
# states come from `scontrol -o show job`; MinJobAge keeps finished jobs
# visible); SlurmctldHost=HOST(127.0.0.1) and NodeAddr=127.0.0.1 make an
# unresolvable host name harmless; batch_sched_delay=0 starts array tasks at
# once. The install takes 20-40 s, start-up about 1 s.
set -euo pipefail

dir=${PHYSID_SLURM_DIR:-${TMPDIR:-/tmp}/physid-slurm}
ctld_port=${PHYSID_SLURM_CTLD_PORT:-6817}
slurmd_port=${PHYSID_SLURM_SLURMD_PORT:-6818}
conf=$dir/slurm.conf
daemons=(munged slurmctld slurmd)

log() { echo "local-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# pid_of NAME prints the recorded pid of daemon NAME if that process still
# runs the program it was started as, with this cluster's files (a recycled
# pid, or another cluster's daemon, is not ours).
pid_of() {
	local f=$dir/$1.pid pid
	[ -f "$f" ] || return 1
	pid=$(cat "$f")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[ -r "/proc/$pid/cmdline" ] || return 1
	local cmd
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	[[ $cmd == *"$1"* && $cmd == *"$dir/"* ]] || return 1
	echo "$pid"
}

# alive PID reports whether PID runs (a zombie waiting for its reaper
# does not count).
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

missing_packages() {
	missing=()
	command -v munged >/dev/null || missing+=(munge)
	command -v slurmctld >/dev/null || missing+=(slurmctld)
	command -v slurmd >/dev/null || missing+=(slurmd)
	command -v sbatch >/dev/null || missing+=(slurm-client)
}

install_missing() {
	local missing
	missing_packages
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "need root to install ${missing[*]} (apt-get install ${missing[*]})"
	# Clusters started at once (the tests of two packages) install once.
	exec 9>"${TMPDIR:-/tmp}/physid-slurm-install.lock"
	flock 9
	missing_packages
	if [ ${#missing[@]} -eq 0 ]; then
		exec 9>&-
		return 0
	fi
	log "installing ${missing[*]}"
	local t0=$SECONDS policy=/usr/sbin/policy-rc.d made_policy=
	# The packages' maintainer scripts would start the daemons with the
	# system's own configuration; policy-rc.d exit 101 tells them not to.
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		made_policy=1
	fi
	local rc=0
	{ DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-o DPkg::Lock::Timeout=300 "${missing[@]}"; } >"${TMPDIR:-/tmp}/physid-slurm-apt.log" 2>&1 || rc=$?
	[ -n "$made_policy" ] && rm -f "$policy"
	exec 9>&-
	[ $rc -eq 0 ] || { tail -20 "${TMPDIR:-/tmp}/physid-slurm-apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
	log "installed in $((SECONDS - t0)) s"
}

# spawn NAME CMD... starts CMD in its own session with output in the log
# folder and records its pid: CMD runs in the foreground (-D, -F), so $! is
# the daemon itself.
spawn() {
	local name=$1
	shift
	nohup setsid "$@" >"$dir/log/$name.out" 2>&1 </dev/null &
	echo $! >"$dir/$name.pid"
}

write_conf() {
	local host hw
	host=$(hostname -s)
	# slurmd -C prints "NodeName=h CPUs=... RealMemory=..." then UpTime.
	hw=$(slurmd -C 2>/dev/null | head -1 | sed -E 's/^NodeName=[^ ]+ ?//')
	[ -n "$hw" ] || die "slurmd -C printed no hardware line"
	cat >"$conf" <<EOF
# One-node test cluster written by internal/slurm/local-cluster.sh.
ClusterName=physid
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.daemon.pid
SlurmdPidFile=$dir/slurmd.daemon.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
InactiveLimit=0
KillWait=5
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
	echo "$host" >"$dir/node"
}

running() {
	local d
	for d in "${daemons[@]}"; do
		pid_of "$d" >/dev/null || return 1
	done
}

start() {
	if running; then
		log "already running in $dir"
		echo "SLURM_CONF=$conf"
		return 0
	fi
	stop_daemons quiet
	install_missing
	local t0
	t0=$(date +%s.%N)
	rm -rf "$dir/state" "$dir/spool"
	mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
	chmod 700 "$dir/munge"
	if [ ! -s "$dir/munge/munge.key" ]; then
		dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
		chmod 400 "$dir/munge/munge.key"
	fi
	write_conf
	spawn munged munged -F --force --key-file="$dir/munge/munge.key" \
		--socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
		--seed-file="$dir/munge/munge.seed" --log-file="$dir/log/munged.log"
	local i
	for i in $(seq 100); do
		[ -S "$dir/munge/munge.socket" ] && break
		pid_of munged >/dev/null || { cat "$dir/log/munged.out" >&2; die "munged exited"; }
		sleep 0.05
	done
	[ -S "$dir/munge/munge.socket" ] || die "munged made no socket at $dir/munge/munge.socket"
	export SLURM_CONF=$conf
	spawn slurmctld slurmctld -D -c -f "$conf"
	spawn slurmd slurmd -D -N "$(cat "$dir/node")" -f "$conf"
	# Wait for the node to register and become idle (about 1 s).
	local state=
	for i in $(seq 300); do
		for d in "${daemons[@]}"; do
			pid_of "$d" >/dev/null || {
				tail -20 "$dir/log/$d.out" "$dir/log/$d.log" 2>/dev/null >&2
				stop_daemons quiet
				die "$d exited during start-up; logs in $dir/log"
			}
		done
		state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
		[ "$state" = idle ] && break
		sleep 0.1
	done
	if [ "$state" != idle ]; then
		tail -20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" 2>/dev/null >&2
		stop_daemons quiet
		die "node not idle after 30 s (state: ${state:-none}); logs in $dir/log"
	fi
	log "up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s; node $(cat "$dir/node") idle; state in $dir"
	echo "SLURM_CONF=$conf"
}

# stop_daemons [quiet] ends what start recorded: first the cluster's jobs
# (scancel), then slurmd, slurmctld and munged by pid, TERM then KILL.
stop_daemons() {
	local quiet=${1:-} d pid i
	if [ -f "$conf" ] && pid_of slurmctld >/dev/null && command -v scancel >/dev/null; then
		SLURM_CONF=$conf scancel --user="$(id -un)" 2>/dev/null || true
		for i in $(seq 50); do
			[ -z "$(SLURM_CONF=$conf squeue -h -o %i 2>/dev/null || true)" ] && break
			sleep 0.1
		done
	fi
	for d in slurmd slurmctld munged; do
		if pid=$(pid_of "$d"); then
			kill -TERM "$pid" 2>/dev/null || true
			for i in $(seq 100); do
				alive "$pid" || break
				sleep 0.05
			done
			if alive "$pid"; then
				kill -KILL "$pid" 2>/dev/null || true
			fi
			[ -n "$quiet" ] || log "stopped $d (pid $pid)"
		fi
		rm -f "$dir/$d.pid"
	done
}

status() {
	local d pid ok=0
	for d in "${daemons[@]}"; do
		if pid=$(pid_of "$d"); then
			echo "$d: running (pid $pid)"
		else
			echo "$d: stopped"
			ok=1
		fi
	done
	if [ $ok -eq 0 ]; then
		SLURM_CONF=$conf sinfo -N || ok=1
		echo "SLURM_CONF=$conf"
	fi
	return $ok
}

case ${1:-} in
start) mkdir -p "$dir" && start ;;
stop) stop_daemons ;;
status) status ;;
*)
	echo "usage: $0 start|stop|status (state in \$PHYSID_SLURM_DIR, default ${TMPDIR:-/tmp}/physid-slurm)" >&2
	exit 2
	;;
esac
