#!/bin/sh
# restart-ignoring-stop.sh TRIES DELAY COMMAND...
# A negative control: restart.sh with the stop signals ignored, so a manual stop (SIGINT to
# the process group) ends only the current COMMAND and the script starts it again — the bug
# noRestoreAfterManualStop must catch. The harness kills it (SIGKILL) after its grace.
trap '' INT TERM
exec sh "$(dirname "$0")/restart.sh" "$@"
