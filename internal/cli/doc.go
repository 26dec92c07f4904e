// Package cli is tollgate's command line: the command tree, flags, output
// formats and exit codes, and the wiring of configuration, gateway and demo.
// It holds no gateway logic of its own.
package cli
