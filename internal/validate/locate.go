package validate

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// findEnd returns the offset just after the value at the JSON pointer ptr
// in src, or -1.
func findEnd(src []byte, ptr string) int {
	type frame struct {
		obj     bool
		key     string
		idx     int
		wantKey bool
		ptr     string
	}
	var stack []*frame
	cur := func() string {
		var b strings.Builder
		for _, f := range stack {
			b.WriteByte('/')
			if f.obj {
				b.WriteString(strings.ReplaceAll(strings.ReplaceAll(f.key, "~", "~0"), "/", "~1"))
			} else {
				b.WriteString(strconv.Itoa(f.idx))
			}
		}
		return b.String()
	}
	done := func() {
		if n := len(stack); n > 0 {
			if top := stack[n-1]; top.obj {
				top.wantKey = true
			} else {
				top.idx++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return -1
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			if top == nil {
				return -1
			}
			stack = stack[:len(stack)-1]
			if top.ptr == ptr {
				return int(dec.InputOffset())
			}
			done()
			continue
		}
		if top != nil && top.obj && top.wantKey {
			top.key, _ = tok.(string)
			top.wantKey = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{obj: d == '{', wantKey: d == '{', ptr: cur()})
			continue
		}
		if cur() == ptr {
			return int(dec.InputOffset())
		}
		done()
	}
}
