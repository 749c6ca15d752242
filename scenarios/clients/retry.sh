#!/bin/sh
# retry.sh TRIES DELAY COMMAND...
# A client that retries what failed: runs COMMAND until it succeeds (exit status 0), up to
# TRIES runs in all, DELAY seconds apart. SIGINT or SIGTERM (a manual stop: the harness
# signals the whole process group, so COMMAND gets it too) end it for good.
tries=$1 delay=$2
shift 2
trap 'exit 130' INT TERM
run=1
while :; do
	"$@"
	status=$?
	echo "retry.sh: run $run of $tries exited with status $status"
	[ "$status" -eq 0 ] && exit 0
	[ "$run" -ge "$tries" ] && exit "$status"
	run=$((run + 1))
	sleep "$delay"
done
