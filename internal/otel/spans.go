package otel

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/gateway"
)

// A request's spans are recorded by tollgate itself: the request path
// writes ids, times and a fixed set of attributes into a pooled span, which
// is encoded at its end to OTLP protobuf into the exporter's batch, where
// it is posted from. The OpenTelemetry SDK's spans cost a request more than the rest
// of the gateway (an attribute slice per call, deduplication, a snapshot,
// then a generated protobuf message per attribute at export).

// Span kinds, as OTLP numbers them.
const (
	kindServer   = 2
	kindClient   = 3
	kindProducer = 4
)

// maxAttrs bounds the attributes a span holds: a call's span sets at most
// 7. The server span holds none: its attributes are encoded at its end
// from its request and log record.
const maxAttrs = 8

// spanAttr is one span attribute; key is one of the constant keys.
type spanAttr struct {
	key   string
	str   string
	num   int64
	isNum bool
	isURL bool // url.full, written from the span's url fields
}

// spanEvent is a span event (a LastError, an exception).
type spanEvent struct {
	time  time.Time
	name  string
	attrs []spanAttr
}

// span is one recorded span. The ids are fixed at its start; a child reads
// them from its parent while the parent's request runs. At its end it is
// encoded into the exporter's batch and returned to the pool.
type span struct {
	traceID      trace.TraceID
	spanID       trace.SpanID
	parentID     trace.SpanID // zero for a root span
	remoteParent bool
	sampled      bool
	traceState   string // as the caller sent it, validated

	kind        uint8
	name        string // a method, or "send " + topic
	route       string // the server span's route, appended to name
	start, end  time.Time
	errorStatus bool
	statusMsg   string

	// url.full of a client span in parts: the exporter joins them.
	urlScheme, urlHost, urlPath string

	nattrs int
	attrs  [maxAttrs]spanAttr
	events []spanEvent

	tel *Telemetry
	// req is the request of a server span, and rec its log record while
	// the span ends: their attributes are encoded from them, after the
	// span's own (attrs).
	req *http.Request
	rec *gateway.LogRecord
	// path and userAgent are the server span's url.path and
	// user_agent.original, read at its start.
	path, userAgent string
}

var spans = sync.Pool{New: func() any { return new(span) }}

// newSpan returns a cleared span from the pool; releaseSpan clears what
// a span used, so that a span of a thousand bytes is not zeroed whole on
// every request. The attributes are not cleared: nattrs says which hold
// this span's, and the setters overwrite them whole.
func newSpan() *span {
	return spans.Get().(*span)
}

func releaseSpan(s *span) {
	clear(s.events)
	events := s.events[:0]
	if cap(events) > 8 {
		events = nil
	}
	s.traceID, s.spanID, s.parentID = trace.TraceID{}, trace.SpanID{}, trace.SpanID{}
	s.remoteParent, s.sampled, s.traceState = false, false, ""
	s.kind, s.name, s.route = 0, "", ""
	s.start, s.end = time.Time{}, time.Time{}
	s.errorStatus, s.statusMsg = false, ""
	s.urlScheme, s.urlHost, s.urlPath = "", "", ""
	s.nattrs, s.events, s.tel, s.req, s.rec = 0, events, nil, nil, nil
	s.path, s.userAgent = "", ""
	spans.Put(s)
}

// setString and the other setters write an attribute's fields one by one:
// storing a whole spanAttr, while the collector runs, takes a bulk write
// barrier over the struct, which cost a request more than the encoding.
// Every field is written, as releaseSpan does not clear the attributes.
func (s *span) setString(key, v string) {
	if s.nattrs < maxAttrs {
		a := &s.attrs[s.nattrs]
		a.key, a.str, a.num, a.isNum, a.isURL = key, v, 0, false, false
		s.nattrs++
	}
}

func (s *span) setInt(key string, v int64) {
	if s.nattrs < maxAttrs {
		a := &s.attrs[s.nattrs]
		a.key, a.str, a.num, a.isNum, a.isURL = key, "", v, true, false
		s.nattrs++
	}
}

// setURLFull sets url.full: u without its query string, which may carry
// keys, and without user information.
func (s *span) setURLFull(u *url.URL) {
	if s.nattrs < maxAttrs {
		s.urlScheme, s.urlHost, s.urlPath = u.Scheme, u.Host, u.EscapedPath()
		a := &s.attrs[s.nattrs]
		a.key, a.str, a.num, a.isNum, a.isURL = keyURLFull, "", 0, false, true
		s.nattrs++
	}
}

// appendURLFull appends the span's url.full as url.URL.String writes it.
func appendURLFull(b []byte, s *span) []byte {
	if s.urlScheme != "" {
		b = append(b, s.urlScheme...)
		b = append(b, ':')
	}
	if s.urlScheme != "" || s.urlHost != "" {
		b = append(b, "//"...)
		b = append(b, s.urlHost...)
	}
	if s.urlPath != "" && s.urlPath[0] != '/' && s.urlHost != "" {
		b = append(b, '/')
	}
	return append(b, s.urlPath...)
}

// spanContext is the span's identity in the API's terms, for log records.
func (s *span) spanContext() trace.SpanContext {
	var flags trace.TraceFlags
	if s.sampled {
		flags = trace.FlagsSampled
	}
	ts, _ := trace.ParseTraceState(s.traceState)
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: s.traceID, SpanID: s.spanID, TraceFlags: flags, TraceState: ts})
}

// newSpanID returns a random span id, never zero.
func newSpanID() trace.SpanID {
	var id trace.SpanID
	for !id.IsValid() {
		v := rand.Uint64()
		for i := range id {
			id[i] = byte(v >> (8 * i))
		}
	}
	return id
}

// newTraceID returns a random trace id, never zero.
func newTraceID() trace.TraceID {
	var id trace.TraceID
	for !id.IsValid() {
		hi, lo := rand.Uint64(), rand.Uint64()
		for i := range 8 {
			id[i] = byte(hi >> (8 * i))
			id[8+i] = byte(lo >> (8 * i))
		}
	}
	return id
}

// parseTraceparent reads a W3C traceparent header: version 00 exactly, a
// later version with at least its fields; anything else is no parent.
func parseTraceparent(h string) (tid trace.TraceID, sid trace.SpanID, sampled, ok bool) {
	if len(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return tid, sid, false, false
	}
	version := h[0:2]
	if !lowerHex(version) || version == "ff" {
		return tid, sid, false, false
	}
	if version == "00" && len(h) != 55 || len(h) > 55 && h[55] != '-' {
		return tid, sid, false, false
	}
	if !lowerHex(h[3:35]) || !lowerHex(h[36:52]) || !lowerHex(h[53:55]) {
		return tid, sid, false, false
	}
	decodeHex(tid[:], h[3:35])
	decodeHex(sid[:], h[36:52])
	var flags [1]byte
	decodeHex(flags[:], h[53:55])
	if !tid.IsValid() || !sid.IsValid() {
		return tid, sid, false, false
	}
	return tid, sid, flags[0]&1 == 1, true
}

// decodeHex decodes s, lower-case hex of twice dst's length.
func decodeHex(dst []byte, s string) {
	nibble := func(c byte) byte {
		if c <= '9' {
			return c - '0'
		}
		return c - 'a' + 10
	}
	for i := range dst {
		dst[i] = nibble(s[2*i])<<4 | nibble(s[2*i+1])
	}
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

const traceparentLen = 55

// appendTraceparent appends the traceparent header of span sid of trace
// tid.
func appendTraceparent(b []byte, tid trace.TraceID, sid trace.SpanID, sampled bool) []byte {
	const digits = "0123456789abcdef"
	b = append(b, '0', '0', '-')
	for _, c := range tid {
		b = append(b, digits[c>>4], digits[c&15])
	}
	b = append(b, '-')
	for _, c := range sid {
		b = append(b, digits[c>>4], digits[c&15])
	}
	if sampled {
		return append(b, '-', '0', '1')
	}
	return append(b, '-', '0', '0')
}

// headerValue is a header's one value and its bytes in one allocation.
type headerValue struct {
	values [1]string
	bytes  [traceparentLen]byte
}

// traceparentHeader returns the values of the traceparent header of span
// sid of trace tid: one allocation where a string and a slice would be
// two. The bytes are never written again once the string is made.
func traceparentHeader(tid trace.TraceID, sid trace.SpanID, sampled bool) []string {
	v := new(headerValue)
	appendTraceparent(v.bytes[:0], tid, sid, sampled)
	v.values[0] = unsafe.String(&v.bytes[0], traceparentLen)
	return v.values[:]
}

// sampler decides which traces are recorded, per OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG.
type sampler struct {
	parentBased bool
	// root decides a span without a parent (every span when not parent
	// based): always, never, or by the trace id below bound.
	always, never bool
	bound         uint64
}

// newSampler reads the sampler variables. Unknown samplers are an error,
// as the SDK reports them; the default is parentbased_always_on, or, when
// percentage is not nil, parentbased_traceidratio at percentage/100.
func newSampler(getenv func(string) string, percentage *float64) (sampler, error) {
	name := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")))
	arg := strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER_ARG"))
	if name == "" && percentage != nil {
		name, arg = "parentbased_traceidratio", strconv.FormatFloat(*percentage/100, 'g', -1, 64)
	}
	s := sampler{parentBased: strings.HasPrefix(name, "parentbased_")}
	switch strings.TrimPrefix(name, "parentbased_") {
	case "", "always_on":
		s.parentBased = s.parentBased || name == ""
		s.always = true
	case "always_off":
		s.never = true
	case "traceidratio":
		ratio := 1.0
		if arg != "" {
			r, err := strconv.ParseFloat(arg, 64)
			if err != nil || r < 0 || r > 1 {
				return s, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG=%q: want a ratio from 0 to 1", arg)
			}
			ratio = r
		}
		switch {
		case ratio >= 1:
			s.always = true
		case ratio <= 0:
			s.never = true
		default:
			s.bound = uint64(ratio * (1 << 63))
		}
	default:
		return s, fmt.Errorf("OTEL_TRACES_SAMPLER=%q: tollgate samples always_on, always_off, traceidratio and their parentbased_ forms", name)
	}
	return s, nil
}

// sample decides a span of trace tid whose parent, when hasParent, was
// sampled or not.
func (s sampler) sample(tid trace.TraceID, hasParent, parentSampled bool) bool {
	if s.parentBased && hasParent {
		return parentSampled
	}
	switch {
	case s.always:
		return true
	case s.never:
		return false
	}
	x := uint64(tid[8])<<56 | uint64(tid[9])<<48 | uint64(tid[10])<<40 | uint64(tid[11])<<32 |
		uint64(tid[12])<<24 | uint64(tid[13])<<16 | uint64(tid[14])<<8 | uint64(tid[15])
	return x>>1 < s.bound
}

// appendSpan appends s as a Span message of field 2 (ScopeSpans.spans).
func appendSpan(b []byte, s *span) []byte {
	// A span takes 128 to 16383 bytes: two bytes of length, written when
	// its end is known.
	b, start := beginMessageReserved(b, 2, 2)
	b = appendBytesField(b, 1, s.traceID[:])
	b = appendBytesField(b, 2, s.spanID[:])
	b = appendStringField(b, 3, s.traceState)
	if s.parentID.IsValid() {
		b = appendBytesField(b, 4, s.parentID[:])
	}
	// name: the method and the route, joined without a string per span.
	n := len(s.name)
	if s.route != "" {
		n += 1 + len(s.route)
	}
	b = appendTag(b, 5, wireBytes)
	b = binary.AppendUvarint(b, uint64(n))
	b = append(b, s.name...)
	if s.route != "" {
		b = append(b, ' ')
		b = append(b, s.route...)
	}
	b = appendVarintField(b, 6, uint64(s.kind))
	b = appendFixed64Field(b, 7, uint64(s.start.UnixNano()))
	b = appendFixed64Field(b, 8, uint64(s.end.UnixNano()))
	for i := range s.nattrs {
		a := &s.attrs[i]
		if a.isURL {
			var kv, val, str int
			b, kv = beginMessageReserved(b, 9, 1)
			b = appendStringField(b, 1, a.key)
			b, val = beginMessageReserved(b, 2, 1)
			b, str = beginMessageReserved(b, 1, 1)
			b = appendURLFull(b, s)
			b = endMessageReserved(endMessageReserved(endMessageReserved(b, str, 1), val, 1), kv, 1)
			continue
		}
		b = appendAttr(b, 9, a)
	}
	if s.req != nil {
		b = appendRequestAttrs(b, s)
	}
	if s.rec != nil {
		b = appendRecordAttrs(b, s.rec, s.route)
	}
	for _, e := range s.events {
		var ev int
		b, ev = beginMessage(b, 11)
		b = appendFixed64Field(b, 1, uint64(e.time.UnixNano()))
		b = appendStringField(b, 2, e.name)
		for i := range e.attrs {
			b = appendAttr(b, 3, &e.attrs[i])
		}
		b = endMessage(b, ev)
	}
	if s.errorStatus {
		var st int
		b, st = beginMessage(b, 15)
		b = appendStringField(b, 2, s.statusMsg)
		b = appendVarintField(b, 3, 2) // STATUS_CODE_ERROR
		b = endMessage(b, st)
	}
	// flags: the trace flags and whether the parent is remote.
	flags := uint32(0x100)
	if s.remoteParent {
		flags |= 0x200
	}
	if s.sampled {
		flags |= 1
	}
	b = appendFixed32Field(b, 16, flags)
	return endMessageReserved(b, start, 2)
}

func appendAttr(b []byte, field int, a *spanAttr) []byte {
	if a.isNum {
		return appendIntKV(b, field, a.key, a.num)
	}
	return appendStringKV(b, field, a.key, a.str)
}

// logRecord is one message of the trace policy, an OTLP log record in the
// request's trace.
type logRecord struct {
	time         time.Time
	traceID      trace.TraceID
	spanID       trace.SpanID
	sampled      bool
	severity     int // OTLP's SeverityNumber
	severityText string
	body         string
	attrs        []spanAttr
}

// Severity numbers of OTLP.
const (
	severityDebug = 5
	severityInfo  = 9
	severityError = 17
)

// appendLogRecord appends r as a LogRecord message of field 2
// (ScopeLogs.log_records).
func appendLogRecord(b []byte, r *logRecord) []byte {
	b, start := beginMessageReserved(b, 2, 2)
	b = appendFixed64Field(b, 1, uint64(r.time.UnixNano()))
	b = appendVarintField(b, 2, uint64(r.severity))
	b = appendStringField(b, 3, r.severityText)
	var body int
	b, body = beginMessage(b, 5)
	b = appendStringAlways(b, 1, r.body)
	b = endMessage(b, body)
	for i := range r.attrs {
		b = appendAttr(b, 6, &r.attrs[i])
	}
	if r.sampled {
		b = appendFixed32Field(b, 8, 1)
	}
	if r.traceID.IsValid() {
		b = appendBytesField(b, 9, r.traceID[:])
		b = appendBytesField(b, 10, r.spanID[:])
	}
	b = appendFixed64Field(b, 11, uint64(r.time.UnixNano()))
	b = appendStringField(b, 12, "tollgate.trace")
	return endMessageReserved(b, start, 2)
}
