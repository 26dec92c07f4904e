package policy

import (
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// Trace is <trace source severity> with a <message> (or, in the older form,
// the message as the element text) and <metadata name value> children.
type Trace struct {
	Source   Value // literal
	Severity Value // verbose (default) | information | error
	Message  Value
	Metadata []Param
}

// PolicyName implements Policy.
func (*Trace) PolicyName() string { return "trace" }

func parseTrace(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &Trace{Source: a.str("source", req), Severity: a.enum("severity", opt, "verbose", "information", "error")}
	a.done()
	var kids []*xmlscan.Element
	if len(e.Elements()) == 0 {
		p.Message = l.text(e, false) // older form: the message is the text
	} else {
		kids = l.elems(e, "message", "metadata")
	}
	for _, k := range kids {
		if k.Name == "message" {
			l.attrs(k, false).done()
			p.Message = l.text(k, false)
			continue
		}
		b := l.attrs(k, false)
		p.Metadata = append(p.Metadata, Param{Name: b.str("name", req), Value: b.str("value", req|expr)})
		b.done()
		l.leaf(k)
	}
	if !p.Message.Set {
		l.diags.Errorf(e.NameSpan, "missing-element", "<trace> requires a <message>")
	}
	return p
}

// EmitMetric is <emit-metric name value namespace> with <dimension> children.
type EmitMetric struct {
	Name       Value
	Value      Value // double, default 1
	Namespace  Value // default "API Management"
	Dimensions []Param
}

// PolicyName implements Policy.
func (*EmitMetric) PolicyName() string { return "emit-metric" }

func parseEmitMetric(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &EmitMetric{Name: a.str("name", req), Value: a.str("value", expr), Namespace: a.str("namespace", opt)}
	a.done()
	// APIM's documentation calls <dimension> required, but its gateway
	// accepts an emit-metric without one (Microsoft's GenAI gateway toolkit
	// deploys such policies and reads the metrics back in its end-to-end
	// tests): the metric is emitted with no custom dimensions.
	p.Dimensions = l.dimensions(e, 0, maxCustomDimensions)
	return p
}

// maxCustomDimensions is the number of custom dimensions APIM accepts on a
// metric policy (emit-metric and the token metric policies alike): Azure
// Monitor's limit of 10 dimension keys per metric.
const maxCustomDimensions = 10

func (l *loader) dimensions(e *xmlscan.Element, least, limit int) []Param {
	var out []Param
	for _, k := range l.elems(e, "dimension") {
		b := l.attrs(k, false)
		out = append(out, Param{Name: b.str("name", req), Value: b.str("value", expr)})
		b.done()
		l.leaf(k)
	}
	if len(out) < least {
		l.diags.Errorf(e.NameSpan, "missing-element", "<%s> requires at least one <dimension>", e.Name)
	}
	if len(out) > limit {
		l.diags.Errorf(e.NameSpan, "too-many-elements", "<%s> allows at most %d <dimension> elements, found %d", e.Name, limit, len(out))
	}
	return out
}

// LLMEmitTokenMetric is <llm-emit-token-metric> and
// <azure-openai-emit-token-metric>.
type LLMEmitTokenMetric struct {
	Element    string
	Namespace  Value
	Dimensions []Param
}

// PolicyName implements Policy.
func (p *LLMEmitTokenMetric) PolicyName() string { return p.Element }

func parseLLMEmitTokenMetric(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &LLMEmitTokenMetric{Element: e.Name, Namespace: a.str("namespace", opt)}
	a.done()
	// The token metric policies once documented 5 dimensions at most; the
	// documentation and the gateway now allow 10, as for emit-metric.
	p.Dimensions = l.dimensions(e, 1, maxCustomDimensions)
	return p
}

// LogToEventHub is <log-to-eventhub logger-id partition-id partition-key>
// with the message as its text.
type LogToEventHub struct {
	LoggerID     Value
	PartitionID  Value
	PartitionKey Value
	Message      Value
}

// PolicyName implements Policy.
func (*LogToEventHub) PolicyName() string { return "log-to-eventhub" }

func parseLogToEventHub(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &LogToEventHub{LoggerID: a.str("logger-id", req), PartitionID: a.str("partition-id", opt), PartitionKey: a.str("partition-key", expr)}
	a.done()
	if p.PartitionID.Set && p.PartitionKey.Set {
		l.diags.Errorf(p.PartitionKey.Span, "conflicting-attributes", "<log-to-eventhub> takes \"partition-id\" or \"partition-key\", not both")
	}
	p.Message = l.text(e, false)
	return p
}
