package liquid

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// parseXML turns an XML document into template values. The result is an
// object with one key, the root element's local name. An element becomes:
//
//   - nil or "" when it carries xsi:nil="true" (nil when xsiNilNull);
//   - its text when it has no attributes and no child elements
//     ("" when empty);
//   - otherwise an object whose keys are "@name" for each attribute, then
//     each child element's local name in document order (repeated names
//     collect into a list at the position of the first), then "#text" for
//     the non-blank text of mixed content.
//
// Namespace prefixes are dropped and xmlns declarations are not exposed.
// Lookups in these objects fall back to a case-insensitive match.
//
// The parsed form may take up to maxMem bytes (estimated: the text it keeps
// and valueCost for every element and attribute).
func parseXML(src []byte, xsiNilNull bool, maxMem int) (any, error) {
	if len(src) > maxMem {
		return nil, bodyMemoryBudget(maxMem)
	}
	m := &meter{used: len(src), max: maxMem}
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	d.CharsetReader = charsetReader
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("no root element")
			}
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			v, err := xmlElement(d, se, xsiNilNull, 1, m)
			if err != nil {
				return nil, err
			}
			root := &object{fold: true}
			root.add(se.Name.Local, v)
			return root, nil
		}
	}
}

// meter counts the estimated bytes of a parsed body against its budget.
type meter struct{ used, max int }

func (m *meter) charge(n int) error {
	if m.used += n; m.used > m.max {
		return bodyMemoryBudget(m.max)
	}
	return nil
}

func xmlElement(d *xml.Decoder, se xml.StartElement, xsiNilNull bool, depth int, m *meter) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", maxDepth)
	}
	if err := m.charge(valueCost * (1 + len(se.Attr))); err != nil {
		return nil, err
	}
	var o *object
	isNil := false
	for _, a := range se.Attr {
		switch {
		case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
			continue
		case (a.Name.Space == xsiNamespace || a.Name.Space == "xsi") && a.Name.Local == "nil":
			isNil = strings.TrimSpace(a.Value) == "true"
			continue
		}
		if o == nil {
			o = &object{fold: true}
		}
		o.add("@"+a.Name.Local, a.Value)
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("element <%s> is not closed", se.Name.Local)
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			child, err := xmlElement(d, t, xsiNilNull, depth+1, m)
			if err != nil {
				return nil, err
			}
			if o == nil {
				o = &object{fold: true}
			}
			name := t.Name.Local
			if i := exactIndex(o, name); i >= 0 {
				if list, ok := o.entries[i].val.(xmlList); ok {
					o.entries[i].val = append(list, child)
				} else {
					o.entries[i].val = xmlList{o.entries[i].val, child}
				}
			} else {
				o.add(name, child)
			}
		case xml.CharData:
			if err := m.charge(len(t)); err != nil {
				return nil, err
			}
			text.Write(t)
		case xml.EndElement:
			if isNil {
				if xsiNilNull {
					return nil, nil
				}
				return "", nil
			}
			if o == nil {
				return text.String(), nil
			}
			for i := range o.entries {
				if l, ok := o.entries[i].val.(xmlList); ok {
					o.entries[i].val = []any(l)
				}
			}
			if s := text.String(); strings.TrimSpace(s) != "" {
				o.add("#text", s)
			}
			return o, nil
		}
	}
}

// xmlList marks a list built from repeated elements while an element is
// being read, so that a JSON-like list value is never confused with one.
type xmlList []any

func exactIndex(o *object, k string) int {
	for i := range o.entries {
		if o.entries[i].key == k {
			return i
		}
	}
	return -1
}

// charsetReader decodes the single-byte encodings an XML declaration may
// name besides UTF-8: US-ASCII and ISO-8859-1 (also used for
// windows-1252, which differs only in 0x80-0x9F).
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "iso8859-1", "latin1", "l1", "windows-1252", "cp1252":
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		out := make([]rune, len(data))
		for i, b := range data {
			out[i] = rune(b)
		}
		return strings.NewReader(string(out)), nil
	}
	return nil, fmt.Errorf("encoding %q is not supported", label)
}
