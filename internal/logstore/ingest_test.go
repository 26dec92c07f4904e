package logstore

import (
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	row := newRow()
	good := `{ "TimeGenerated" : "2025-06-01T11:00:00.5Z", "ApiId":"a\"b\u00e9", "ResponseCode":200.0, "Errors":[ {"m":"x, y]"} , 1, null, true ],` +
		` "Unknown":{"deep":[[]]}, "IsRequestSuccess":true, "TotalTime":-5, "TraceRecords":null, "Url":"" }` + "\n"
	if err := parseLine([]byte(strings.TrimSpace(good)), row); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]any{
		"TimeGenerated": testNow.Add(-time1h).Add(500e6).UnixNano(), "ApiId": `a"bé`, "ResponseCode": int64(200),
		"Errors": `[{"m":"x, y]"},1,null,true]`, "IsRequestSuccess": int64(1), "TotalTime": int64(-5), "TraceRecords": nil,
		"OperationName": "", "BackendTime": nil,
	} {
		if got := row.value(columnIndex[name]); got != want {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	for _, bad := range []string{
		``, `[]`, `{}`, `{"TimeGenerated":"2025-06-01T11:00:00Z"`, `{"TimeGenerated":"2025-06-01T11:00:00Z",}`,
		`{"TimeGenerated":"2025-06-01T11:00:00Z"} x`, `{"TimeGenerated":"yesterday"}`, `{"TimeGenerated":1}`,
		`{"TimeGenerated":"2025-06-01T11:00:00Z","ResponseCode":"x"}`, `{"TimeGenerated":"2025-06-01T11:00:00Z","Errors":[1,}`,
		`{"TimeGenerated":"2025-06-01T11:00:00Z","A":tru}`, `{"TimeGenerated":"2025-06-01T11:00:00Z","ApiId":"a` + "\x01" + `"}`,
		`{"TimeGenerated":"2025-06-01T11:00:00Z","A":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
	} {
		if err := parseLine([]byte(bad), row); err == nil {
			t.Errorf("parseLine(%q) succeeded", bad)
		}
	}
}

const time1h = 3600e9

func TestAppendLines(t *testing.T) {
	got := appendLines(nil, []byte("a\n\nbc \r\n  \r\nd"))
	var want = []string{"a", "bc", "d"}
	if len(got) != len(want) {
		t.Fatalf("%q, want %q", got, want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Fatalf("%q, want %q", got, want)
		}
	}
}

// BenchmarkAppendLines splits a chunk of 32 log lines, as the writer does
// for every chunk the log writer hands over.
func BenchmarkAppendLines(b *testing.B) {
	var chunk []byte
	for range 32 {
		chunk = append(chunk, Line{ResponseCode: 200, LastErrorMessage: strings.Repeat("x", 800)}.JSON()...)
		chunk = append(chunk, '\n')
	}
	b.SetBytes(int64(len(chunk)))
	var lines [][]byte
	for b.Loop() {
		lines = appendLines(lines[:0], chunk)
	}
}

// BenchmarkParseLine parses the fixture's lines, the writer's hot loop
// before the insert.
func BenchmarkParseLine(b *testing.B) {
	lines := make([][]byte, len(fixture))
	for i, l := range fixture {
		lines[i] = []byte(strings.TrimSpace(string(l.JSON())))
	}
	row := newRow()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := parseLine(lines[i%len(lines)], row); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
