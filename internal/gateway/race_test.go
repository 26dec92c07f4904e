//go:build race

package gateway

// raceEnabled reports a test binary built with the race detector, which
// makes every allocation several times larger and every loop many times
// slower.
const raceEnabled = true
