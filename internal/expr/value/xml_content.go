package value

import (
	"math"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// ToXName converts a string ("{ns}local" or "local") or XName to an XName.
func ToXName(v Value, param string) XName {
	switch x := v.(type) {
	case XName:
		return x
	case string:
		if strings.HasPrefix(x, "{") {
			if i := strings.IndexByte(x, '}'); i > 0 && i < len(x)-1 {
				return XName{NS: x[1:i], Local: x[i+1:]}
			}
		}
		if x == "" {
			Throw(ExArgument, "The empty string '' is not a valid name.")
		}
		return XName{Local: x}
	case nil:
		panic(&Exception{Type: ExArgNull, Message: "Value cannot be null. (Parameter '" + param + "')", Pos: -1, End: -1})
	}
	ThrowCast(v, "System.Xml.Linq.XName")
	return XName{}
}

func optName(c Call, i int) *XName {
	if !c.Has(i) {
		return nil
	}
	n := ToXName(c.Args[i], "name")
	return &n
}

// xmlString converts a value to text as XContainer.Add and XAttribute do
// (XmlConvert for booleans, numbers and dates).
func xmlString(v Value) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		switch {
		case math.IsInf(x, 1):
			return "INF"
		case math.IsInf(x, -1):
			return "-INF"
		}
		return FormatDouble(x)
	case time.Time:
		return FormatDateTime(x, "yyyy-MM-ddTHH:mm:ss.FFFFFFFK")
	case DateTimeOffset:
		return FormatDateTimeOffset(x, "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz")
	case TimeSpan:
		return xmlDuration(x)
	}
	return ToString(v)
}

// xmlDuration formats ts as XmlConvert.ToString(TimeSpan): an xs:duration.
func xmlDuration(ts TimeSpan) string {
	var b strings.Builder
	mag := uint64(ts)
	if ts < 0 {
		b.WriteByte('-')
		mag = -mag // MinValue's magnitude, 2^63, fits a uint64
	}
	days := int64(mag / uint64(dotnet.TicksPerDay))
	ticks := int64(mag % uint64(dotnet.TicksPerDay))
	b.WriteByte('P')
	if days > 0 {
		b.WriteString(itoa(days) + "D")
	}
	if ticks > 0 || days == 0 {
		b.WriteByte('T')
		h, m := ticks/dotnet.TicksPerHour, ticks/dotnet.TicksPerMinute%60
		s, f := ticks/dotnet.TicksPerSecond%60, ticks%dotnet.TicksPerSecond
		if h > 0 {
			b.WriteString(itoa(h) + "H")
		}
		if m > 0 {
			b.WriteString(itoa(m) + "M")
		}
		if s > 0 || f > 0 || h == 0 && m == 0 {
			b.WriteString(itoa(s))
			if f > 0 {
				fs := strings.TrimRight(strings.TrimLeft(itoa(f+dotnet.TicksPerSecond), "1"), "0")
				b.WriteString("." + fs)
			}
			b.WriteByte('S')
		}
	}
	return b.String()
}

func itoa(n int64) string { return ToString(n) }

// addContent adds content to a container as XContainer.Add does.
func addContent(n *XNode, v Value, first bool) {
	var add []*XNode
	emptyText := false
	var collect func(v Value)
	collect = func(v Value) {
		switch x := v.(type) {
		case nil:
		case *XNode:
			if x.Kind == XDocumentNode {
				Throw(ExArgument, "An XObject cannot be used as a value.")
			}
			if x.Parent != nil {
				x = x.Clone()
			}
			add = append(add, x)
		case *XAttr:
			if n.Kind != XElementNode {
				Throw(ExArgument, "An attribute cannot be added to content.")
			}
			if n.Attr(x.Name) != nil {
				Throw(ExInvalidOp, "Duplicate attribute.")
			}
			if x.Parent != nil {
				x = &XAttr{Name: x.Name, Value: x.Value}
			}
			x.Parent = n
			n.Attrs = append(n.Attrs, x)
		case string:
			if x == "" {
				emptyText = true
				return
			}
			add = append(add, &XNode{Kind: XTextNode, Text: x})
		case *XDecl:
			Throw(ExArgument, "An XObject cannot be used as a value.")
		case *Array, *List, *Seq:
			Each(x, func(e Value) bool { collect(e); return true })
		default:
			add = append(add, &XNode{Kind: XTextNode, Text: xmlString(v)})
		}
	}
	collect(v)
	if first {
		old := n.Nodes
		n.Nodes = nil
		for _, c := range add {
			n.appendNode(c)
		}
		for _, c := range old {
			n.appendNode(c)
		}
	} else {
		for _, c := range add {
			if n.Kind == XDocumentNode && c.Kind == XTextNode {
				if isXMLSpace(c.Text) {
					continue
				}
				Throw(ExArgument, "Non-whitespace characters cannot be added to content.")
			}
			if n.Kind == XDocumentNode && c.Kind == XElementNode && n.Root() != nil {
				Throw(ExInvalidOp, "This operation would create an incorrectly structured document.")
			}
			n.appendNode(c)
		}
	}
	if n.Kind == XElementNode && len(n.Nodes) == 0 && emptyText {
		n.Full = true
	}
}

// insertSiblings adds content next to n (AddAfterSelf, AddBeforeSelf).
func insertSiblings(n *XNode, v Value, after bool) {
	p := n.Parent
	if p == nil {
		Throw(ExInvalidOp, "The parent is missing.")
	}
	tmp := &XNode{Kind: XElementNode}
	addContent(tmp, v, false)
	i := n.index()
	if after {
		i++
	}
	for _, c := range tmp.Nodes {
		c.Parent = p
	}
	p.Nodes = append(p.Nodes[:i], append(tmp.Nodes, p.Nodes[i:]...)...)
}

func nodeSeq(t *Type, ns []*XNode) *Seq {
	out := make([]Value, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return &Seq{T: t, Items: out}
}

func parseXMLValue(s string, preserve bool) *XNode {
	doc, err := ParseXML(s, preserve)
	if err != nil {
		panic(err)
	}
	return doc
}

// loadOptions reads a LoadOptions argument: PreserveWhitespace is 1.
func loadPreserve(c Call, i int) bool {
	if e, ok := c.Args[i].(Enum); ok && i < len(c.Args) {
		return e.V&1 != 0
	}
	return false
}

// detach removes n from its parent and returns it.
func (n *XNode) detach() *XNode {
	if n.Parent != nil {
		n.Remove()
	}
	return n
}

func attrSibling(a *XAttr, d int) Value {
	if a.Parent == nil {
		return nil
	}
	for i, b := range a.Parent.Attrs {
		if b == a {
			if j := i + d; j >= 0 && j < len(a.Parent.Attrs) {
				return a.Parent.Attrs[j]
			}
			return nil
		}
	}
	return nil
}

// argsContent returns the content arguments of Add and similar methods as
// one value (a single argument, or an array of them).
func argsContent(c Call) Value { return argsFrom(c, 0) }

func argsFrom(c Call, i int) Value {
	if len(c.Args)-i == 1 {
		return c.Args[i]
	}
	return &Array{T: Universe().Object, Items: append([]Value(nil), c.Args[i:]...)}
}

// snapshot copies lazily shared content so that removing nodes first does
// not change it (ReplaceNodes(element.Elements())).
func snapshot(v Value) Value {
	switch x := v.(type) {
	case *XNode:
		if x.Parent != nil {
			return x.Clone()
		}
	case *Array, *List, *Seq:
		var out []Value
		Each(x, func(e Value) bool { out = append(out, snapshot(e)); return true })
		return &Array{T: Universe().Object, Items: out}
	}
	return v
}

// xmlConvert converts the text of an element or attribute for an explicit
// cast; ok is false when t is not a conversion target.
func xmlConvert(s string, t *Type) (Value, bool) {
	u := Universe()
	t = Underlying(t)
	trimmed := strings.Trim(s, " \t\r\n")
	switch t {
	case u.String:
		return s, true
	case u.Bool:
		switch trimmed {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
		Throw(ExFormat, "The string '%s' is not a valid Boolean value.", s)
	case u.Int, u.Long:
		bits := 32
		if t == u.Long {
			bits = 64
		}
		n, err := dotnet.ParseInt(trimmed, bits)
		if err != nil {
			throwDotnet(err)
		}
		if t == u.Int {
			return int32(n), true
		}
		return n, true
	case u.Double:
		switch trimmed {
		case "INF":
			return math.Inf(1), true
		case "-INF":
			return math.Inf(-1), true
		case "NaN":
			return math.NaN(), true
		}
		f, err := dotnet.ParseDouble(trimmed)
		if err != nil {
			throwDotnet(err)
		}
		return f, true
	case u.DateTime:
		tm, ok := ParseDateTime(trimmed)
		if !ok {
			Throw(ExFormat, "The string '%s' is not a valid AllXsd value.", s)
		}
		return tm, true
	case u.Guid:
		g, ok := ParseGuid(trimmed)
		if !ok {
			Throw(ExFormat, "Unrecognized Guid format.")
		}
		return g, true
	}
	if u.Decimal != nil && t == u.Decimal {
		d, err := dotnet.ParseDecimal(trimmed)
		if err != nil {
			throwDotnet(err)
		}
		return d, true
	}
	return nil, false
}

// xmlExplicit handles (T)element and (T)attribute.
func xmlExplicit(v Value, t *Type) (Value, bool) {
	var s string
	switch x := v.(type) {
	case string:
		u := Universe()
		switch t {
		case u.X.XName:
			return ToXName(x, "expandedName"), true
		case u.X.XNamespace:
			return XNamespace{URI: x}, true
		}
		return nil, false
	case *XNode:
		if x.Kind != XElementNode {
			return nil, false
		}
		s = x.Value()
	case *XAttr:
		s = x.Value
	default:
		return nil, false
	}
	return xmlConvert(s, t)
}

// HasExplicitConversion reports whether C# defines an explicit conversion
// operator from type from to type to beyond the numeric and reference
// conversions (XElement and XAttribute to string, numbers, bool, DateTime).
func HasExplicitConversion(from, to *Type) bool {
	u := Universe()
	if from == u.String && (to == u.X.XName || to == u.X.XNamespace) {
		return true
	}
	if from != u.X.XElement && from != u.X.XAttribute {
		return false
	}
	to = Underlying(to)
	switch to {
	case u.String, u.Bool, u.Int, u.Long, u.Double, u.DateTime, u.Guid:
		return true
	}
	return u.Decimal != nil && to == u.Decimal
}

// XNodeOrderComparer is an XNodeDocumentOrderComparer (the value of
// XNode.DocumentOrderComparer).
type XNodeOrderComparer struct{}

// DotnetType implements Typed.
func (XNodeOrderComparer) DotnetType(u *Lib) *Type { return u.Types["XNodeDocumentOrderComparer"] }

// docType is the declaration of an XDocumentType; nil fields are absent.
type docType struct {
	Name                       string
	PublicID, SystemID, Subset *string
}

// String returns the declaration as the text of the node (without <! and
// >), the way XmlWriter.WriteDocType writes it.
func (d docType) String() string {
	var b strings.Builder
	b.WriteString("DOCTYPE " + d.Name)
	if d.PublicID != nil {
		sys := ""
		if d.SystemID != nil {
			sys = *d.SystemID
		}
		b.WriteString(` PUBLIC "` + *d.PublicID + `" "` + sys + `"`)
	} else if d.SystemID != nil {
		b.WriteString(` SYSTEM "` + *d.SystemID + `"`)
	}
	if d.Subset != nil {
		b.WriteString(" [" + *d.Subset + "]")
	}
	return b.String()
}

// parseDocType reads the text of a DOCTYPE node: DOCTYPE name, then
// PUBLIC "p" "s" or SYSTEM "s", then [subset].
func parseDocType(s string) docType {
	s = strings.TrimSpace(strings.TrimPrefix(s, "DOCTYPE"))
	var d docType
	end := strings.IndexAny(s, " \t\r\n[")
	if end < 0 {
		end = len(s)
	}
	d.Name, s = s[:end], strings.TrimSpace(s[end:])
	quoted := func() *string {
		s = strings.TrimSpace(s)
		if s == "" || s[0] != '"' && s[0] != '\'' {
			return nil
		}
		i := strings.IndexByte(s[1:], s[0])
		if i < 0 {
			return nil
		}
		q := s[1 : i+1]
		s = s[i+2:]
		return &q
	}
	if rest, ok := strings.CutPrefix(s, "PUBLIC"); ok {
		s = rest
		d.PublicID = quoted()
		d.SystemID = quoted()
	} else if rest, ok := strings.CutPrefix(s, "SYSTEM"); ok {
		s = rest
		d.SystemID = quoted()
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		sub := strings.TrimSuffix(strings.TrimSpace(s[1:]), "]")
		d.Subset = &sub
	}
	return d
}
