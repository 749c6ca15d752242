//go:build linux && !race

package rtmpconn

// raceRelease and raceAcquire order socket writes before reads for the race detector; without
// it they do nothing.
func raceRelease() {}

func raceAcquire() {}
