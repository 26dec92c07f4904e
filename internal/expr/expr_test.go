package expr

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testContext builds the Context used by the language tests.
func testContext(t testing.TB) *Context {
	c, err := NewTestContext(TestRequest{
		Method:  "POST",
		URL:     "https://gw.example.com:8443/orders/42?a=1&b=x&b=y",
		Headers: []string{"X-Id: abc", "Accept: a", "Accept: b", "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyLCJhdWQiOlsiYSIsImIiXSwiZXhwIjoxOTAwMDAwMDAwfQ.sig", "Content-Type: application/json"},
		Body:    `{"a": 1, "b": {"c": "deep"}, "list": [1, 2, 3], "s": "text"}`,
		Vars:    []string{"x=hello", "n=5"},
		Now:     time.Date(2024, 3, 15, 10, 30, 45, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Variables.Set("i", int32(7))
	c.Variables.Set("b", true)
	c.Variables.Set("resp", &Response{StatusCode: 200, StatusReason: "OK", Headers: PairHeaders{{Name: "Location", Values: []string{"/x"}}}, Body: &BytesBody{Data: []byte(`{"access_token":"tok","expires_in":3600}`)}})
	c.Request.MatchedParameters["id"] = "42"
	c.Product = &Product{Id: "starter", Name: "Starter", State: "Published"}
	// Certificate fixtures for testdata/crypto.txt (a self-signed RSA 2048
	// certificate, its key, and PKCS#12 files with password "test" and "").
	for name, file := range map[string]string{"pfx": "cert.pfx", "pfxNoPass": "cert-nopass.pfx", "certPem": "cert.pem", "keyPem": "key.pem"} {
		data, err := os.ReadFile(filepath.Join("testdata", "crypto", file))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(file, ".pfx") {
			c.Variables.Set(name, base64.StdEncoding.EncodeToString(data))
		} else {
			c.Variables.Set(name, string(data))
		}
	}
	return c
}

// chunk is one case of a testdata file.
type chunk struct {
	file      string
	line      int
	src       string
	want      string
	wantErr   *regexp.Regexp
	isCompile bool
}

var expectRE = regexp.MustCompile(`(?m)^\s*// (=>|ERROR|COMPILE ERROR) ?(.*)$`)

func readChunks(t *testing.T, path string) []chunk {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []chunk
	line := 1
	for _, part := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		start := line
		line += strings.Count(part, "\n")
		m := expectRE.FindStringSubmatchIndex(part)
		if m == nil {
			if strings.TrimSpace(part) != "" {
				t.Errorf("%s:%d: case without expectation", path, start)
			}
			continue
		}
		c := chunk{file: filepath.Base(path), line: start, src: strings.TrimSpace(part[:m[0]])}
		kind, arg := part[m[2]:m[3]], part[m[4]:m[5]]
		switch kind {
		case "=>":
			c.want = arg
			if len(arg) >= 2 && arg[0] == '"' && arg[len(arg)-1] == '"' {
				c.want = arg[1 : len(arg)-1]
			}
		default:
			c.isCompile = kind == "COMPILE ERROR"
			c.wantErr = regexp.MustCompile(strings.Trim(strings.TrimSpace(arg), `"`))
		}
		out = append(out, c)
	}
	return out
}

func TestLanguage(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	n := 0
	for _, f := range files {
		for _, c := range readChunks(t, f) {
			n++
			src := c.src
			if !strings.HasPrefix(src, "@(") && !strings.HasPrefix(src, "@{") {
				src = "@(" + src + ")"
			}
			prog, diags := Compile(src, nil)
			where := c.file + ":" + itoa(c.line)
			if diags.HasErrors() {
				if c.wantErr != nil && c.isCompile {
					if !c.wantErr.MatchString(diags.String() + strings.Join(diags[0].Notes, "\n")) {
						t.Errorf("%s: compile error %q does not match %q", where, diags.String(), c.wantErr)
					}
					continue
				}
				t.Errorf("%s: %s: unexpected compile error: %s %v", where, src, diags.String(), diags[0].Notes)
				continue
			}
			if c.isCompile {
				t.Errorf("%s: %s: compiled, want compile error %q", where, src, c.wantErr)
				continue
			}
			prog.Now = func() time.Time { return time.Date(2024, 3, 15, 10, 30, 45, 0, time.UTC) }
			v, err := prog.Eval(context.Background(), testContext(t))
			switch {
			case c.wantErr != nil && err == nil:
				t.Errorf("%s: %s: got %q, want error %q", where, src, ToString(v), c.wantErr)
			case c.wantErr != nil:
				full := err.Error()
				if ee, ok := err.(*EvalError); ok {
					full = ee.Type + ": " + full + " @" + ee.Text()
				}
				if !c.wantErr.MatchString(full) {
					t.Errorf("%s: %s: error %q does not match %q", where, src, full, c.wantErr)
				}
			case err != nil:
				t.Errorf("%s: %s: unexpected error: %v", where, src, err)
			default:
				got := ToString(v)
				got = strings.ReplaceAll(got, "\r\n", "\\n")
				got = strings.ReplaceAll(got, "\n", "\\n")
				if got != c.want {
					t.Errorf("%s: %s:\n got %q\nwant %q", where, src, got, c.want)
				}
			}
		}
	}
	t.Logf("%d cases", n)
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + func() string {
		s := ""
		if n == 0 {
			return "0"
		}
		for n > 0 {
			s = string(rune('0'+n%10)) + s
			n /= 10
		}
		return s
	}())
}
