//go:build race

package scenarios_test

// raceEnabled tells whether the suite is built with the race detector.
const raceEnabled = true
