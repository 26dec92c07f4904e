package cli

import (
	"fmt"

	"github.com/tollgate/tollgate/internal/capture"
)

// openStateCaptures opens the captured requests of a state directory.
func openStateCaptures(dir string) (capture.Source, func(), error) {
	return nil, nil, fmt.Errorf("reading %s: the state directory's log store is not built into this binary", dir)
}
