//go:build race

package server_test

// raceEnabled says the race detector is on; it slows the pure-Go SQLite
// engine about sixfold, so the largest tests shrink there.
const raceEnabled = true
