//go:build !race

package gateway

// raceEnabled reports a test binary built with the race detector.
const raceEnabled = false
