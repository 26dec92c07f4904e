package policy

import (
	"strings"

	"github.com/tollgate/tollgate/internal/xmlscan"
)

// InvokeDaprBinding is <invoke-dapr-binding>: a POST to the Dapr sidecar's
// output binding name, with <metadata> items and <data>.
type InvokeDaprBinding struct {
	Name                 Value // binding name; expressions allowed
	Operation            Value // literal
	IgnoreError          Bool  // literal, default false
	ResponseVariableName Value // literal
	Timeout              Int   // seconds, 1–240, default 5
	ContentType          Value // application/json or absent
	Metadata             []Param
	Data                 *SetBody // the <data> text; Template "liquid" when template="Liquid"
}

// PolicyName implements Policy.
func (*InvokeDaprBinding) PolicyName() string { return "invoke-dapr-binding" }

func parseInvokeDaprBinding(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &InvokeDaprBinding{Name: a.str("name", req|expr), Operation: a.str("operation", opt),
		IgnoreError: a.boolean("ignore-error", false, opt), ResponseVariableName: a.str("response-variable-name", opt),
		Timeout: a.integer("timeout", 5, 1, 240, expr), ContentType: a.enum("content-type", opt, "application/json")}
	template := l.messageTemplate(a)
	a.done()
	p.Data = &SetBody{Template: template}
	for _, k := range l.elems(e, "metadata", "data") {
		if k.Name == "data" {
			l.attrs(k, false).done()
			p.Data.Body = l.text(k, p.Data.Liquid())
			continue
		}
		for _, it := range l.elems(k, "item") {
			b := l.attrs(it, false)
			p.Metadata = append(p.Metadata, Param{Name: b.str("key", req), Value: l.text(it, false)})
			b.done()
		}
	}
	return p
}

// messageTemplate reads the template attribute of the Dapr policies. APIM
// documents "Liquid" as its only value; any other is read as no template,
// with a warning, since the body is then sent as written.
func (l *loader) messageTemplate(a *attrReader) Value {
	v := a.str("template", opt)
	if v.Set && !v.missing && !strings.EqualFold(strings.TrimSpace(v.Resolved()), "liquid") {
		l.diags.Warnf(v.Span, "invalid-value", "attribute \"template\" of <%s> is %q, and only \"liquid\" is a template engine: the content is sent as written", a.e.Name, v.String())
	}
	return v
}

// PublishToDapr is <publish-to-dapr>: a POST of the element's text to the
// Dapr sidecar's pub/sub component pubsub-name, topic topic.
type PublishToDapr struct {
	PubSubName           Value // expressions allowed
	Topic                Value // expressions allowed
	IgnoreError          Bool
	ResponseVariableName Value
	Timeout              Int // seconds, 1–240, default 5
	ContentType          Value
	Body                 *SetBody
}

// PolicyName implements Policy.
func (*PublishToDapr) PolicyName() string { return "publish-to-dapr" }

func parsePublishToDapr(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &PublishToDapr{PubSubName: a.str("pubsub-name", req|expr), Topic: a.str("topic", req|expr),
		IgnoreError: a.boolean("ignore-error", false, opt), ResponseVariableName: a.str("response-variable-name", opt),
		Timeout: a.integer("timeout", 5, 1, 240, expr), ContentType: a.enum("content-type", opt, "application/json")}
	template := l.messageTemplate(a)
	a.done()
	p.Body = &SetBody{Template: template}
	p.Body.Body = l.text(e, p.Body.Liquid())
	return p
}

// SendServiceBusMessage is <send-service-bus-message>: the <payload> sent to
// a Service Bus queue or topic with <message-properties>, authenticated by
// the gateway's managed identity (client-id names a user-assigned one).
type SendServiceBusMessage struct {
	QueueName, TopicName Value // exactly one; expressions allowed
	Namespace            Value // the namespace's host name, e.g. contoso.servicebus.windows.net
	ClientID             Value
	Properties           []Param
	Payload              Value
}

// PolicyName implements Policy.
func (*SendServiceBusMessage) PolicyName() string { return "send-service-bus-message" }

func parseSendServiceBusMessage(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &SendServiceBusMessage{QueueName: a.str("queue-name", expr), TopicName: a.str("topic-name", expr),
		Namespace: a.str("namespace", req|expr), ClientID: a.str("client-id", expr)}
	a.exactlyOne([]string{"queue-name", "topic-name"}, p.QueueName, p.TopicName)
	a.done()
	for _, k := range l.elems(e, "message-properties", "payload") {
		if k.Name == "payload" {
			l.attrs(k, false).done()
			p.Payload = l.text(k, false)
			continue
		}
		for _, mp := range l.elems(k, "message-property") {
			b := l.attrs(mp, false)
			p.Properties = append(p.Properties, Param{Name: b.str("name", req), Value: l.text(mp, false)})
			b.done()
		}
	}
	if !p.Payload.Set {
		l.diags.Errorf(e.NameSpan, "missing-element", "<send-service-bus-message> requires a <payload>")
	}
	return p
}

// ValidateODataRequest is <validate-odata-request>: the OData version
// headers, system query options and payload size of a request to an OData
// API.
type ValidateODataRequest struct {
	ErrorVariableName Value
	DefaultVersion    Value // default 4.0
	MinVersion        Value
	MaxVersion        Value
	MaxSize           Int // bytes; 0 means no limit
}

// PolicyName implements Policy.
func (*ValidateODataRequest) PolicyName() string { return "validate-odata-request" }

// odataVersions are the OData versions the policy knows.
var odataVersions = []string{"4.0", "4.01"}

func parseValidateODataRequest(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateODataRequest{ErrorVariableName: a.str("error-variable-name", opt),
		DefaultVersion: a.enum("default-odata-version", opt, odataVersions...),
		MinVersion:     a.enum("min-odata-version", opt, odataVersions...),
		MaxVersion:     a.enum("max-odata-version", opt, odataVersions...),
		MaxSize:        a.integer("max-size", 0, 0, maxInt, expr)}
	a.done()
	l.leaf(e)
	return p
}

// ValidateGraphQLRequest is <validate-graphql-request> with its
// <authorize> rules.
type ValidateGraphQLRequest struct {
	ErrorVariableName Value
	MaxSize           Int // bytes, required, ≤ 102400
	MaxDepth          Int // default 6
	MaxTotalDepth     Int // 0: no limit
	MaxComplexity     Int // 0: no limit
	Rules             []GraphQLRule
}

// GraphQLRule is one <rule path action> of validate-graphql-request.
type GraphQLRule struct {
	Path   Value // literal /Type/field
	Action Value // allow (default) | remove | reject | ignore; expressions allowed
}

// PolicyName implements Policy.
func (*ValidateGraphQLRequest) PolicyName() string { return "validate-graphql-request" }

func parseValidateGraphQLRequest(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateGraphQLRequest{ErrorVariableName: a.str("error-variable-name", expr),
		MaxSize:       a.integer("max-size", 0, 1, 102400, req|expr),
		MaxDepth:      a.integer("max-depth", 6, 1, maxInt, expr),
		MaxTotalDepth: a.integer("max-total-depth", 0, 1, maxInt, expr),
		MaxComplexity: a.integer("max-complexity", 0, 1, maxInt, expr)}
	a.done()
	for _, k := range l.elems(e, "authorize") {
		l.attrs(k, false).done()
		for _, r := range l.elems(k, "rule") {
			b := l.attrs(r, false)
			p.Rules = append(p.Rules, GraphQLRule{Path: b.str("path", req), Action: b.str("action", expr)})
			b.done()
			l.leaf(r)
		}
	}
	return p
}
