package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/policy"
)

// daprEndpoint returns the base URL of the Dapr sidecar: configured, else
// from Dapr's own environment variables, else Dapr's default port.
func daprEndpoint(configured string) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	if e := os.Getenv("DAPR_HTTP_ENDPOINT"); e != "" {
		return strings.TrimRight(e, "/")
	}
	port := os.Getenv("DAPR_HTTP_PORT")
	if port == "" {
		port = "3500"
	}
	return "http://127.0.0.1:" + port
}

// messageBody evaluates the body of a messaging policy: an expression or
// text, or a Liquid template rendered against the request.
func (x *exchange) messageBody(st *policy.Step, b *policy.SetBody, h http.Header) (string, *Error) {
	if b == nil || !b.Body.Set {
		return "", nil
	}
	if b.Liquid() {
		return x.renderLiquid(st, b, *x.bodyFor(), h)
	}
	return x.str(st, b.Body)
}

func (x *exchange) execInvokeDaprBinding(st *policy.Step, p *policy.InvokeDaprBinding, began time.Time) *Error {
	name, err := x.str(st, p.Name)
	if err != nil {
		return err
	}
	timeout, err := x.integer(st, p.Timeout)
	if err != nil {
		return err
	}
	data, err := x.messageBody(st, p.Data, x.req.header)
	if err != nil {
		return err
	}
	meta, err := x.paramValues(st, p.Metadata)
	if err != nil {
		return err
	}
	// Dapr takes the binding's data as any JSON value: JSON text goes as
	// it is, anything else as a JSON string.
	var dataJSON json.RawMessage
	if json.Valid([]byte(data)) && strings.TrimSpace(data) != "" {
		dataJSON = json.RawMessage(data)
	} else {
		dataJSON, _ = json.Marshal(data)
	}
	payload, _ := json.Marshal(struct {
		Data      json.RawMessage   `json:"data"`
		Metadata  map[string]string `json:"metadata,omitempty"`
		Operation string            `json:"operation,omitempty"`
	}{dataJSON, meta, p.Operation.Resolved()})
	target := x.g.dapr + "/v1.0/bindings/" + url.PathEscape(name)
	return x.sideCall(st, sideCall{source: "invoke-dapr-binding", what: "Dapr binding " + name, target: target,
		contentType: "application/json", payload: payload, timeout: timeout, ignoreError: p.IgnoreError.B,
		responseVariable: p.ResponseVariableName.Resolved()}, began)
}

func (x *exchange) execPublishToDapr(st *policy.Step, p *policy.PublishToDapr, began time.Time) *Error {
	pubsub, err := x.str(st, p.PubSubName)
	if err != nil {
		return err
	}
	topic, err := x.str(st, p.Topic)
	if err != nil {
		return err
	}
	timeout, err := x.integer(st, p.Timeout)
	if err != nil {
		return err
	}
	body, err := x.messageBody(st, p.Body, x.req.header)
	if err != nil {
		return err
	}
	ct := p.ContentType.Resolved()
	if ct == "" {
		ct = contentTypeOf(body)
	}
	target := x.g.dapr + "/v1.0/publish/" + url.PathEscape(pubsub) + "/" + url.PathEscape(topic)
	return x.sideCall(st, sideCall{source: "publish-to-dapr", what: "Dapr topic " + pubsub + "/" + topic, target: target,
		contentType: ct, payload: []byte(body), timeout: timeout, ignoreError: p.IgnoreError.B,
		responseVariable: p.ResponseVariableName.Resolved()}, began)
}

// contentTypeOf is the content type of a message written in a policy:
// JSON when it is JSON text, plain text otherwise.
func contentTypeOf(body string) string {
	if json.Valid([]byte(body)) {
		return "application/json"
	}
	return "text/plain"
}

// serviceBusResource is the audience of Service Bus access tokens.
const serviceBusResource = "https://servicebus.azure.net"

func (x *exchange) execSendServiceBusMessage(st *policy.Step, p *policy.SendServiceBusMessage, began time.Time) *Error {
	entity := p.QueueName
	if !entity.Set {
		entity = p.TopicName
	}
	name, err := x.str(st, entity)
	if err != nil {
		return err
	}
	ns, err := x.str(st, p.Namespace)
	if err != nil {
		return err
	}
	clientID, err := x.str(st, p.ClientID)
	if err != nil {
		return err
	}
	payload, err := x.str(st, p.Payload)
	if err != nil {
		return err
	}
	props, err := x.paramValues(st, p.Properties)
	if err != nil {
		return err
	}
	h := http.Header{}
	for name, v := range props {
		// Service Bus reads headers it does not know as the message's
		// application properties; a quoted value is a string.
		h.Set(name, strconv.Quote(v))
	}
	ns = strings.TrimSpace(ns)
	base := x.g.serviceBus
	if base == "" {
		base = "https://" + ns
	}
	tok, terr := x.identityToken(st, serviceBusResource, clientID, false, began)
	if terr != nil {
		terr.Cause = "send-service-bus-message to " + ns + " authenticates with the gateway's managed identity: " + terr.Cause
		return terr
	}
	h.Set("Authorization", "Bearer "+tok)
	return x.sideCall(st, sideCall{source: "send-service-bus-message", what: "Service Bus entity " + name + " of " + ns,
		target: base + "/" + url.PathEscape(name) + "/messages", header: h, contentType: contentTypeOf(payload), payload: []byte(payload),
		timeout: 30, serviceBus: true}, began)
}

// sideCall is one POST a messaging policy makes: to the Dapr sidecar or to
// Service Bus.
type sideCall struct {
	source, what, target string
	header               http.Header
	contentType          string
	payload              []byte
	timeout              int // seconds
	ignoreError          bool
	responseVariable     string
	serviceBus           bool // failures are the gateway's (500), not the caller's answer
}

// sideCall sends c and handles its answer. A Dapr error fails the request
// with the sidecar's answer returned verbatim, as APIM does, unless
// ignore-error; a Service Bus error fails it with 500.
func (x *exchange) sideCall(st *policy.Step, c sideCall, began time.Time) *Error {
	u, perr := url.Parse(c.target)
	if perr != nil || u.Host == "" {
		return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Invalid URI: The format of the URI could not be determined.",
			Cause: fmt.Sprintf("%s: %q is not a URL to send to", c.source, c.target)}
	}
	h := c.header
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", c.contentType)
	call := x.startCall(c.source, http.MethodPost, u, h)
	var callStart time.Time
	if call != nil {
		callStart = time.Now()
	}
	resp, serr := roundTrip(x.r.Context(), x.g.transport, &backendRequest{method: http.MethodPost, url: u, header: h,
		body: io.NopCloser(bytes.NewReader(c.payload)), length: int64(len(c.payload)), timeout: time.Duration(c.timeout) * time.Second})
	var status int
	var data []byte
	if serr == nil {
		status = resp.StatusCode
		data, _ = io.ReadAll(io.LimitReader(resp.Body, maxBodyBuffer))
		resp.Body.Close()
	}
	if call != nil {
		call.End(status, serr, callStart, time.Now())
	}
	if c.responseVariable != "" {
		var v any
		if serr == nil {
			v = responseValue(resp, data)
		}
		x.vars().Set(c.responseVariable, v)
	}
	stored := ""
	if c.responseVariable != "" {
		stored = fmt.Sprintf("; stored in context.Variables[%q]", c.responseVariable)
	}
	failed := serr != nil || status >= 400
	if !failed {
		x.tracePolicy(st, began, "POST %s: %s answered %d (%d bytes)%s", u.Redacted(), c.what, status, len(data), stored)
		return nil
	}
	why := ""
	if serr != nil {
		why = serr.Cause
		if why == "" {
			why = serr.Message
		}
	} else {
		why = fmt.Sprintf("answered %d: %s", status, snippet(data))
	}
	if c.ignoreError {
		x.tracePolicy(st, began, "POST %s: %s failed (%s); ignore-error=\"true\"%s", u.Redacted(), c.what, why, stored)
		return nil
	}
	hint := ""
	if !c.serviceBus {
		hint = "; tollgate sends Dapr calls to " + x.g.dapr + " (set DAPR_HTTP_PORT or DAPR_HTTP_ENDPOINT where the sidecar listens elsewhere)"
	}
	switch {
	case serr != nil && c.serviceBus:
		return &Error{Source: st.Name, Reason: "ServiceBusUnreachable", Status: 500, Message: "The message could not be sent to Service Bus.",
			Cause: fmt.Sprintf("POST %s: %s", u.Redacted(), why)}
	case serr != nil:
		return &Error{Source: st.Name, Reason: "DaprRuntimeUnreachable", Status: 500, Message: "The Dapr runtime could not be reached.",
			Cause: fmt.Sprintf("POST %s: %s%s", u.Redacted(), why, hint)}
	case c.serviceBus:
		return &Error{Source: st.Name, Reason: "ServiceBusSendFailure", Status: 500, Message: "The message could not be sent to Service Bus.",
			Cause: fmt.Sprintf("POST %s: %s %s", u.Redacted(), c.what, why)}
	}
	e := &Error{Source: st.Name, Reason: "DaprRuntimeError", Status: status, Message: "The Dapr runtime answered with an error.",
		Body: string(data), Cause: fmt.Sprintf("POST %s: %s %s", u.Redacted(), c.what, why)}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		e.Header = http.Header{"Content-Type": {ct}}
	}
	return e
}
