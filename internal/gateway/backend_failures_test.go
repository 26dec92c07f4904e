package gateway

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The 5xx scenarios of the troubleshooting guide (seed 004): each backend
// failure answers APIM's 500 and logs the message APIM logs for it, with
// tollgate's cause.
func TestBackendFailureScenarios(t *testing.T) {
	tlsBackend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer tlsBackend.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer plain.Close()
	// A backend that accepts the connection and closes it without answering.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1024)
			c.Read(buf)
			c.Close()
		}
	}()
	cases := []struct {
		name, serviceURL, message, cause string
	}{
		{"connection refused", closedURL(t), "Unable to connect to the remote server", "connection refused"},
		{"unknown host", "http://backend.invalid", "The remote name could not be resolved: 'backend.invalid'", "DNS lookup"},
		{"untrusted certificate", tlsBackend.URL, "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.", "certificate"},
		{"https to a plain HTTP port", strings.Replace(plain.URL, "http:", "https:", 1), "Authentication failed because the remote party has closed the transport stream.", "does not speak TLS"},
		{"connection closed without an answer", "http://" + ln.Addr().String(), "The underlying connection was closed: The connection was closed unexpectedly.", "closed the connection"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSite(t, map[string]string{"apis/test/apiInformation.json": `{"properties":{"path":"test","serviceUrl":"` + c.serviceURL + `"}}`}, Options{})
			got := s.do(t, "GET", "/test/items", keyHeader, productKey)
			if got.status != 500 || !strings.Contains(got.body, `"message": "Internal server error"`) {
				t.Fatalf("got %d %s", got.status, got.body)
			}
			line := s.lastLog(t)
			if line["LastErrorReason"] != "BackendConnectionFailure" || line["LastErrorSource"] != "forward-request" || line["LastErrorSection"] != "backend" {
				t.Errorf("log: %v", line)
			}
			if line["LastErrorMessage"] != c.message {
				t.Errorf("LastErrorMessage %q, want %q", line["LastErrorMessage"], c.message)
			}
			if !strings.Contains(str(line["LastErrorCause"]), c.cause) {
				t.Errorf("LastErrorCause %q lacks %q", line["LastErrorCause"], c.cause)
			}
			if line["BackendResponseCode"] != 0.0 || line["ResponseCode"] != 500.0 {
				t.Errorf("codes: backend %v, response %v", line["BackendResponseCode"], line["ResponseCode"])
			}
		})
	}
}
