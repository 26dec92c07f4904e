package logstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxQueryBody bounds the body of a query request.
const maxQueryBody = 1 << 20

// QueryHandler serves the Log Analytics query API over the store:
// POST /v1/query (and /v1/workspaces/{id}/query, so that scripts written for
// Log Analytics need only a new base URL) with the body
// {"query": "...", "timespan": "PT1H"}, and GET with the query parameters
// query and timespan. tollgate adds maxRows (in the body or as a
// parameter): the most rows the caller wants, below the store's MaxRows;
// a result cut there says so in its error, as one cut at MaxRows does. It
// answers 200 with a Result, or 400 with
// {"error": {"code": "BadArgumentError", "message": "query:1:34: ..."}}.
func (s *Store) QueryHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/query", s.serveQuery)
	mux.HandleFunc("/v1/workspaces/{workspace}/query", s.serveQuery)
	return mux
}

type queryRequest struct {
	Query    string `json:"query"`
	Timespan string `json:"timespan"`
	MaxRows  int    `json:"maxRows"`
}

func (s *Store) serveQuery(w http.ResponseWriter, r *http.Request) {
	var req queryRequest
	switch r.Method {
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxQueryBody))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "BadArgumentError", fmt.Sprintf("the request body is larger than %d bytes", maxQueryBody))
			return
		}
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, http.StatusBadRequest, "BadArgumentError", "the body must be JSON: {\"query\": \"...\", \"timespan\": \"PT1H\"}: "+err.Error())
			return
		}
	case http.MethodGet:
		req.Query = r.URL.Query().Get("query")
		req.Timespan = r.URL.Query().Get("timespan")
		if v := r.URL.Query().Get("maxRows"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "BadArgumentError", fmt.Sprintf("maxRows %q is not a whole number", v))
				return
			}
			req.MaxRows = n
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST with a JSON body, or GET with ?query=")
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "the query is empty")
		return
	}
	if req.MaxRows < 0 {
		writeError(w, http.StatusBadRequest, "BadArgumentError", fmt.Sprintf("maxRows %d is negative; leave it out for the store's limit", req.MaxRows))
		return
	}
	var span time.Duration
	if req.Timespan != "" {
		d, err := ParseISODuration(req.Timespan)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error())
			return
		}
		span = d
	}
	res, err := s.QueryRows(r.Context(), req.Query, span, req.MaxRows)
	if err != nil {
		var ee *ExecError
		switch {
		case IsQueryError(err):
			writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error())
		case errors.As(err, &ee) && strings.Contains(ee.Error(), "did not finish in time"):
			writeError(w, http.StatusGatewayTimeout, "GatewayTimeout", err.Error())
		default:
			writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
		}
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(res)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]ResultError{"error": {Code: code, Message: msg}})
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseISODuration parses an ISO 8601 duration as the Log Analytics API's
// timespan takes it: PT1H, P1D, P7DT12H, PT30M, PT0.5S, P1W.
func ParseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, fmt.Errorf("timespan %q is not an ISO 8601 duration such as PT1H, P1D or P7DT12H", s)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total float64
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		f, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return 0, fmt.Errorf("timespan %q: %v", s, err)
		}
		total += f * float64(u)
	}
	if total <= 0 || total > math.MaxInt64/2 {
		return 0, fmt.Errorf("timespan %q must be positive and at most a few centuries", s)
	}
	return time.Duration(total), nil
}
