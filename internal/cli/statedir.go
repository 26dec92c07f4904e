package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// resolveDataDir turns --data into the state directory: "none" keeps
// everything in memory (""), "" is the user's state directory
// ($XDG_STATE_HOME/tollgate, else ~/.local/state/tollgate).
func resolveDataDir(flag string) (string, error) {
	switch flag {
	case "none":
		return "", nil
	case "":
		if x := getenv("XDG_STATE_HOME"); x != "" {
			return filepath.Join(x, "tollgate"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the default state directory: %v; give --data DIR or --data none", err)
		}
		return filepath.Join(home, ".local", "state", "tollgate"), nil
	}
	return flag, nil
}
