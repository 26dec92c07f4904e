package cli

import (
	"errors"
	"os"
	"path/filepath"
)

// resolveDataDir turns the --data flag into tollgate's state directory:
// "none" means memory only (""), an empty flag the default
// $XDG_STATE_HOME/tollgate or else ~/.local/state/tollgate, anything else
// the directory named.
func resolveDataDir(flag string) (dir string, err error) {
	switch flag {
	case "none":
		return "", nil
	case "":
		if x := getenv("XDG_STATE_HOME"); x != "" {
			return filepath.Join(x, "tollgate"), nil
		}
		home := getenv("HOME")
		if home == "" {
			if home, err = os.UserHomeDir(); err != nil || home == "" {
				return "", errors.New("no state directory: set --data DIR, $XDG_STATE_HOME or $HOME")
			}
		}
		return filepath.Join(home, ".local", "state", "tollgate"), nil
	}
	return flag, nil
}
