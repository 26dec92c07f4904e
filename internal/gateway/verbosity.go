package gateway

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// The severities of the trace policy, in order; a diagnostic's verbosity
// is the least one it keeps.
const (
	severityVerbose uint8 = iota
	severityInformation
	severityError
)

// severityRank orders a trace message's severity or a diagnostic's
// verbosity; anything else counts as verbose.
func severityRank(s string) uint8 {
	switch {
	case strings.EqualFold(s, "error"):
		return severityError
	case strings.EqualFold(s, "information"):
		return severityInformation
	}
	return severityVerbose
}

// azureMonitor is the diagnostic of APIM's resource logs, the gateway log
// line's counterpart.
const azureMonitor = "azuremonitor"

// logVerbosity is the least severity of the trace messages on the log line
// (TraceRecords), as the folder's azuremonitor diagnostics set it: APIM
// writes a message to its resource logs only at or above the verbosity of
// the service's diagnostic, or of the API's own. Without one, every
// message is on the line.
type logVerbosity struct {
	service uint8
	apis    map[string]uint8 // by API id: the API's own diagnostic
}

func newLogVerbosity(snap *config.Snapshot) logVerbosity {
	var v logVerbosity
	if e := snap.DiagnosticEntities[azureMonitor]; e != nil {
		v.service = severityRank(e.Verbosity)
	}
	for _, api := range snap.APIs {
		if e := api.DiagnosticEntities[azureMonitor]; e != nil && e.Verbosity != "" {
			if v.apis == nil {
				v.apis = map[string]uint8{}
			}
			v.apis[api.ID] = severityRank(e.Verbosity)
		}
	}
	return v
}

func (v logVerbosity) forAPI(id string) uint8 {
	if s, ok := v.apis[id]; ok {
		return s
	}
	return v.service
}

// setLogVerbosity sets the record's log-line verbosity for its API and
// notes the trace messages it leaves out, which the request's trace and
// capture keep.
func (x *exchange) setLogVerbosity() {
	least := x.st.logVerbosity.forAPI(x.rec.APIID)
	if least == severityVerbose || len(x.rec.TraceRecords) == 0 {
		return
	}
	x.rec.logVerbosity = least
	left := 0
	for i := range x.rec.TraceRecords {
		if severityRank(x.rec.TraceRecords[i].Severity) < least {
			left++
		}
	}
	if left > 0 {
		x.rec.Notes = append(x.rec.Notes, fmt.Sprintf("%d trace message(s) below the azuremonitor diagnostic's verbosity (%s) are left out of TraceRecords, as APIM leaves them out of its resource logs; the request's trace and capture keep them",
			left, [...]string{"verbose", "information", "error"}[least]))
	}
}
