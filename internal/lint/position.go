package lint

import (
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// jsonValueSpan returns the span of the value of the first member named key
// in the JSON text of file, or an empty span at the start of the file when
// there is none (the value may then come from a values file).
func jsonValueSpan(file diag.Span, key string) diag.Span {
	f := file.File
	if f == nil {
		return file
	}
	src := string(f.Src)
	needle := `"` + key + `"`
	for off := 0; ; {
		i := strings.Index(src[off:], needle)
		if i < 0 {
			return diag.Span{File: f}
		}
		i += off + len(needle)
		j := i
		for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r' || src[j] == '\n') {
			j++
		}
		if j >= len(src) || src[j] != ':' {
			off = i
			continue
		}
		j++
		for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r' || src[j] == '\n') {
			j++
		}
		return diag.Span{File: f, Start: j, End: valueEnd(src, j)}
	}
}

// valueEnd returns the end of the JSON scalar or the opening bracket at i.
func valueEnd(src string, i int) int {
	if i >= len(src) {
		return i
	}
	switch src[i] {
	case '"':
		for j := i + 1; j < len(src); j++ {
			switch src[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(src)
	case '[', '{':
		return i + 1
	}
	j := i
	for j < len(src) && !strings.ContainsRune(",}] \t\r\n", rune(src[j])) {
		j++
	}
	return j
}

// jsonLocation is a related location at the value of key in a JSON file.
func jsonLocation(file diag.Span, key, msg string) Location {
	return Location{Span: jsonValueSpan(file, key), Message: msg}
}

// textSpan returns the span of the first occurrence of text in the file of
// file, or file itself when text does not occur.
func textSpan(file diag.Span, text string) diag.Span {
	if file.File == nil || text == "" {
		return file
	}
	i := strings.Index(string(file.File.Src), text)
	if i < 0 {
		return file
	}
	return diag.Span{File: file.File, Start: i, End: i + len(text)}
}
