#!/bin/sh
# restart.sh TRIES DELAY COMMAND...
# A client that recovers: runs COMMAND, and each time it exits runs it again, up to TRIES runs
# in all, DELAY seconds apart (its backoff). SIGINT or SIGTERM (a manual stop: the harness
# signals the whole process group, so COMMAND gets it too) end it for good.
tries=$1 delay=$2
shift 2
trap 'exit 130' INT TERM
run=1
while :; do
	"$@"
	echo "restart.sh: run $run of $tries exited with status $?"
	[ "$run" -ge "$tries" ] && exit 1
	run=$((run + 1))
	sleep "$delay"
done
