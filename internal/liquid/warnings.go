package liquid

import (
	"fmt"
	"strings"
)

// Warnings returns what Compile noticed that is legal but almost certainly
// not meant: filters that do nothing because APIM has no filter of that
// name (most often a Shopify lower-case name such as upcase). They carry
// the line within the template text, in source order.
func (t *Template) Warnings() []*Error { return t.warnings }

// filterWarnings scans the objects and tags of src for filter names that
// APIM does not know. Text inside raw and comment blocks is skipped.
func filterWarnings(src string, known map[string]filterFunc) []*Error {
	var out []*Error
	skipUntil := "" // the tag that ends a raw or comment block
	for i := 0; i+1 < len(src); {
		if src[i] != '{' || (src[i+1] != '{' && src[i+1] != '%') {
			i++
			continue
		}
		closer := "}}"
		if src[i+1] == '%' {
			closer = "%}"
		}
		end := strings.Index(src[i+2:], closer)
		if end < 0 {
			break
		}
		inner := src[i+2 : i+2+end]
		start := i
		i += 2 + end + 2
		if closer == "%}" {
			name, _, _ := strings.Cut(strings.TrimSpace(strings.Trim(inner, "-")), " ")
			switch {
			case skipUntil != "":
				if name == skipUntil {
					skipUntil = ""
				}
				continue
			case name == "raw" || name == "comment":
				skipUntil = "end" + name
				continue
			}
		} else if skipUntil != "" {
			continue
		}
		for _, f := range filterNames(inner) {
			if _, ok := known[f]; ok {
				continue
			}
			line := 1 + strings.Count(src[:start], "\n")
			out = append(out, &Error{Line: line, Msg: unknownFilterMessage(f, known)})
		}
	}
	return out
}

// filterNames returns the names that follow a '|' outside string literals.
func filterNames(expr string) []string {
	var names []string
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '|':
			j := i + 1
			for j < len(expr) && (expr[j] == ' ' || expr[j] == '\t' || expr[j] == '\n' || expr[j] == '\r') {
				j++
			}
			k := j
			for k < len(expr) && isIdentByte(expr[k], k == j) {
				k++
			}
			if k > j {
				names = append(names, expr[j:k])
			}
			i = k - 1
		}
	}
	return names
}

func isIdentByte(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}

func unknownFilterMessage(name string, known map[string]filterFunc) string {
	flat := strings.ReplaceAll(name, "_", "")
	for k := range known {
		if strings.EqualFold(k, flat) {
			return fmt.Sprintf("filter %q does nothing: APIM's filter names are PascalCase; use %q", name, k)
		}
	}
	return fmt.Sprintf("filter %q does nothing: APIM has no such filter and passes the input through", name)
}
