package serve

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Messages of the answers this package gives itself. APIM's gateway leaves
// these to its web server (Kestrel), whose wording they follow.
const (
	msgHeadersTooLarge = "Request headers too long."
	msgLineTooLong     = "Request line too long."
	msgBodyTooLarge    = "Request body too large."
	msgHeadersTimeout  = "Reading the request headers timed out."
	msgBodySlow        = "Reading the request body timed out due to data arriving too slowly."
	msgTooManyConns    = "The server has reached its maximum number of connections."
	msgHTTPToHTTPS     = "Client sent an HTTP request to an HTTPS server."
)

// errorBody renders APIM's error body: { "statusCode": N, "message": "..." }.
func errorBody(status int, message string) string {
	return `{ "statusCode": ` + strconv.Itoa(status) + `, "message": ` + jsonString(message) + ` }`
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// rawAnswer renders a whole HTTP/1.1 response that closes the connection,
// for answers written on the connection itself, outside any handler.
func rawAnswer(status int, message string) []byte {
	body := errorBody(status, message)
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) +
		"\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " + strconv.Itoa(len(body)) +
		"\r\nConnection: close\r\n\r\n" + body)
}

// writeAnswer sends an error answer from a handler.
func writeAnswer(w http.ResponseWriter, status int, message string, closeConn bool) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if closeConn {
		h.Set("Connection", "close")
	}
	body := errorBody(status, message)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// logLimiter writes at most burst lines a second, then counts the lines
// it drops and says how many with the next line it writes.
type logLimiter struct {
	w       io.Writer
	burst   int
	mu      sync.Mutex
	second  int64
	written int
	dropped int
}

func (l *logLimiter) printf(format string, args ...any) {
	now := time.Now().Unix()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now != l.second {
		l.second, l.written = now, 0
	}
	if l.written >= l.burst {
		l.dropped++
		return
	}
	l.written++
	line := "tollgate: " + fmt.Sprintf(format, args...)
	if l.dropped > 0 {
		line += fmt.Sprintf(" (and %d similar lines not shown)", l.dropped)
		l.dropped = 0
	}
	io.WriteString(l.w, line+"\n")
}
