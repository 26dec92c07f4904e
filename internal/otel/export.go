package otel

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"
)

// signal describes what an exporter sends: spans or log records.
type signal struct {
	name  string // "traces", "logs"
	noun  string // "spans", "log records"
	env   string // "TRACES", "LOGS"
	batch string // "OTEL_BSP_", "OTEL_BLRP_"
	delay time.Duration
}

var (
	traces = signal{name: "traces", noun: "spans", env: "TRACES", batch: "OTEL_BSP_", delay: 5 * time.Second}
	logs   = signal{name: "logs", noun: "log records", env: "LOGS", batch: "OTEL_BLRP_", delay: time.Second}
)

// exporter batches finished spans or log records and sends them to the
// collector's /v1/traces or /v1/logs over OTLP/HTTP, configured as the
// SDK's batch processors and OTLP/HTTP exporters are: OTEL_BSP_* (spans) or
// OTEL_BLRP_* (log records) SCHEDULE_DELAY, MAX_QUEUE_SIZE,
// MAX_EXPORT_BATCH_SIZE and EXPORT_TIMEOUT, and
// OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]ENDPOINT, _HEADERS, _TIMEOUT,
// _COMPRESSION, _CERTIFICATE, _CLIENT_CERTIFICATE and _CLIENT_KEY.
//
// The request path encodes a finished span or record while it is still in
// the core's cache and appends the bytes to the queue; the exporter's
// goroutine frames a batch and sends it. A span is then back in its pool as
// soon as it ends, where it used to wait for its batch's export, and the
// queue holds some hundred bytes a span rather than a kilobyte. A full
// queue drops what comes, counted and reported, and never blocks a request.
type exporter struct {
	sig      signal
	endpoint string
	header   http.Header
	gzip     bool
	client   *http.Client
	poster   *poster       // plain HTTP without a proxy; else client posts
	timeout  time.Duration // of one export with its retries

	maxQueue, batchSize int
	delay               time.Duration

	// prefix is the encoded Resource and InstrumentationScope, the same in
	// every request.
	resource  []byte
	scope     []byte
	schemaURL string
	// room is the bytes every batch keeps before its items for the
	// request's framing (encode), so that the items are never copied.
	room int

	mu         sync.Mutex
	queue      []*batch // oldest first; only the last one fills
	free       []*batch // sent batches, kept for their buffers
	queued     int      // spans or records in queue
	dropped    atomic.Uint64
	kick       chan struct{}
	stop       chan struct{}
	stopped    chan struct{}
	cancelLoop context.CancelFunc
	closed     atomic.Bool

	exportMu sync.Mutex // one export at a time; guards the fields below
	hdr      []byte     // encode's framing
	zbuf     bytes.Buffer
	zw       *gzip.Writer
	reported uint64 // drops already reported
	errors   func(error)
}

// A batch is up to batchSize encoded spans or records, each a message of
// field 2 of its scope (ScopeSpans.spans, ScopeLogs.log_records), one after
// the other, after exporter.room bytes kept for the request's framing.
type batch struct {
	items []byte
	n     int
}

// maxKeptBatch bounds the buffer of a sent batch kept for the next one: a
// batch of unusually large spans is not held for ever.
const maxKeptBatch = 4 << 20

func newExporter(sig signal, getenv func(string) string, res *resource.Resource, errs func(error)) (*exporter, error) {
	env := func(name string) string {
		if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + sig.env + "_" + name)); v != "" {
			return v
		}
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + name))
	}
	e := &exporter{
		sig:       sig,
		header:    http.Header{"Content-Type": {"application/x-protobuf"}, "User-Agent": {"tollgate-otlp"}},
		maxQueue:  2048,
		batchSize: 512,
		delay:     sig.delay,
		timeout:   30 * time.Second,
		kick:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		stopped:   make(chan struct{}),
		errors:    errs,
	}
	if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + sig.env + "_ENDPOINT")); v != "" {
		e.endpoint = v
	} else {
		e.endpoint = strings.TrimRight(strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")), "/") + "/v1/" + sig.name
	}
	u, err := url.Parse(e.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTLP %s endpoint %q: want an http:// or https:// URL", sig.name, e.endpoint)
	}
	var errs2 []error
	millis := func(name string, def time.Duration) time.Duration {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs2 = append(errs2, fmt.Errorf("%s=%q: want milliseconds", name, v))
			return def
		}
		return time.Duration(n) * time.Millisecond
	}
	count := func(name string, def int) int {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs2 = append(errs2, fmt.Errorf("%s=%q: want a positive number", name, v))
			return def
		}
		return n
	}
	e.delay = millis(sig.batch+"SCHEDULE_DELAY", e.delay)
	e.timeout = millis(sig.batch+"EXPORT_TIMEOUT", e.timeout)
	e.maxQueue = count(sig.batch+"MAX_QUEUE_SIZE", e.maxQueue)
	e.batchSize = min(count(sig.batch+"MAX_EXPORT_BATCH_SIZE", e.batchSize), e.maxQueue)
	attempt := 10 * time.Second
	if v := getenv("OTEL_EXPORTER_OTLP_" + sig.env + "_TIMEOUT"); strings.TrimSpace(v) != "" {
		attempt = millis("OTEL_EXPORTER_OTLP_"+sig.env+"_TIMEOUT", attempt)
	} else {
		attempt = millis("OTEL_EXPORTER_OTLP_TIMEOUT", attempt)
	}
	switch c := strings.ToLower(env("COMPRESSION")); c {
	case "", "none":
	case "gzip":
		e.gzip = true
		e.header.Set("Content-Encoding", "gzip")
	default:
		errs2 = append(errs2, fmt.Errorf("OTEL_EXPORTER_OTLP_COMPRESSION=%q: want gzip or none", c))
	}
	for _, kv := range strings.Split(env("HEADERS"), ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			continue
		}
		if dk, err := url.PathUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.PathUnescape(v); err == nil {
			v = dv
		}
		e.header.Set(k, v)
	}
	tlsConfig, err := tlsFromEnv(env)
	if err != nil {
		errs2 = append(errs2, err)
	}
	if err := errors.Join(errs2...); err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsConfig
	tr.DisableCompression = true
	e.client = &http.Client{Transport: tr, Timeout: attempt}
	e.poster = newPoster(e.endpoint, e.header, attempt, tr.Proxy)

	e.setPrefix(res)
	ctx, cancel := context.WithCancel(context.Background())
	e.cancelLoop = cancel
	go e.loop(ctx)
	return e, nil
}

// setPrefix encodes the resource and scope of every request, and keeps
// room for them before every batch's items.
func (e *exporter) setPrefix(res *resource.Resource) {
	if res != nil {
		for _, kv := range res.Attributes() {
			e.resource = appendAttribute(e.resource, 1, kv)
		}
		e.schemaURL = res.SchemaURL()
	}
	e.scope = appendStringField(nil, 1, instrumentation)
	// Two tags and lengths (a length of a batch takes at most five bytes),
	// the resource and the scope.
	e.room = 2*(1+binary.MaxVarintLen32) + fieldLen(1, len(e.resource)) + fieldLen(1, len(e.scope))
}

// tlsFromEnv reads the CA and client certificate files, nil when none is
// set.
func tlsFromEnv(env func(string) string) (*tls.Config, error) {
	ca, cert, key := env("CERTIFICATE"), env("CLIENT_CERTIFICATE"), env("CLIENT_KEY")
	if ca == "" && cert == "" && key == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CERTIFICATE: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CERTIFICATE: %s holds no PEM certificate", ca)
		}
	}
	if cert != "" || key != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and _CLIENT_KEY: %w", err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

// enqueue hands one encoded span or record to the exporter; it never
// blocks. It copies item, which the caller may reuse at once.
func (e *exporter) enqueue(item []byte) {
	if b := e.reserve(); b != nil {
		b.items = append(b.items, item...)
		e.commit(b)
	}
}

// reserve returns the batch the next span or record is appended to, with
// e.mu held until commit; nil, with e.mu released and the item counted as
// dropped, when the queue is full or the exporter closed. A span is
// encoded straight into its batch, where it is sent from: its bytes are
// written once.
func (e *exporter) reserve() *batch {
	e.mu.Lock()
	if e.queued >= e.maxQueue || e.closed.Load() {
		e.mu.Unlock()
		e.dropped.Add(1)
		return nil
	}
	var last *batch
	if n := len(e.queue); n > 0 && e.queue[n-1].n < e.batchSize {
		last = e.queue[n-1]
	} else {
		if n := len(e.free); n > 0 {
			last, e.free = e.free[n-1], e.free[:n-1]
		} else {
			last = new(batch)
		}
		last.items = append(last.items[:0], make([]byte, e.room)...)
		e.queue = append(e.queue, last)
	}
	return last
}

// commit counts the item appended to b, which reserve returned, and
// releases e.mu.
func (e *exporter) commit(b *batch) {
	b.n++
	e.queued++
	full := b.n >= e.batchSize
	e.mu.Unlock()
	if full {
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

// loop exports a batch when one is full or the schedule delay has passed,
// until stop is closed; ctx ends an export in progress when shutdown's
// own context ends first.
func (e *exporter) loop(ctx context.Context) {
	defer close(e.stopped)
	timer := time.NewTimer(e.delay)
	defer timer.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-e.kick:
		case <-timer.C:
		}
		e.export(ctx, false)
		timer.Reset(e.delay)
	}
}

// export sends the queued spans in batches: all of them when all is set,
// else the full batches and, when the queue holds less than a batch, what
// it holds.
func (e *exporter) export(ctx context.Context, all bool) error {
	e.exportMu.Lock()
	defer e.exportMu.Unlock()
	var errs []error
	for {
		e.mu.Lock()
		if len(e.queue) == 0 {
			e.mu.Unlock()
			break
		}
		next := e.queue[0]
		copy(e.queue, e.queue[1:])
		e.queue[len(e.queue)-1] = nil
		e.queue = e.queue[:len(e.queue)-1]
		e.queued -= next.n
		rest := e.queued
		e.mu.Unlock()
		if err := e.send(ctx, next); err != nil {
			errs = append(errs, err)
			if e.errors != nil {
				e.errors(err)
			}
		}
		next.items, next.n = next.items[:0], 0
		if cap(next.items) <= maxKeptBatch {
			e.mu.Lock()
			e.free = append(e.free, next)
			e.mu.Unlock()
		}
		if ctx.Err() != nil || (!all && rest < e.batchSize) {
			break
		}
	}
	if d := e.dropped.Load(); d > e.reported && e.errors != nil {
		e.errors(fmt.Errorf("%d %s dropped: the export queue (%sMAX_QUEUE_SIZE=%d) was full", d-e.reported, e.sig.noun, e.sig.batch, e.maxQueue))
		e.reported = d
	}
	return errors.Join(errs...)
}

// encode makes b the ExportTraceServiceRequest or ExportLogsServiceRequest
// of its items, and returns it: both are one resource (field 1) holding one
// scope (field 2) holding the spans or records (field 2). The framing goes
// in the room the batch kept before its items, which are not copied.
func (e *exporter) encode(b *batch) []byte {
	items := len(b.items) - e.room
	scopeLen := fieldLen(1, len(e.scope)) + items
	resLen := fieldLen(1, len(e.resource)) + fieldLen(2, scopeLen)
	if e.schemaURL != "" {
		resLen += fieldLen(3, len(e.schemaURL))
	}
	h := e.hdr[:0]
	h = appendLen(h, 1, resLen) // resource_spans, resource_logs
	h = appendBytesField(h, 1, e.resource)
	h = appendLen(h, 2, scopeLen) // scope_spans, scope_logs
	h = appendBytesField(h, 1, e.scope)
	e.hdr = h
	start := e.room - len(h)
	copy(b.items[start:], h)
	b.items = appendStringField(b.items, 3, e.schemaURL)
	return b.items[start:]
}

// send posts one batch, retrying as the OTLP/HTTP exporter does on 429,
// 502, 503, 504 and on a failed connection, within the export timeout.
func (e *exporter) send(ctx context.Context, batch *batch) error {
	body := e.encode(batch)
	if e.gzip {
		e.zbuf.Reset()
		if e.zw == nil {
			e.zw = gzip.NewWriter(&e.zbuf)
		} else {
			e.zw.Reset(&e.zbuf)
		}
		e.zw.Write(body)
		e.zw.Close()
		body = e.zbuf.Bytes()
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	backoff := time.Second
	for {
		var retry time.Duration
		status, retryAfter, err := e.post(ctx, body)
		if err == nil {
			switch {
			case status >= 200 && status < 300:
				return nil
			case status == 429 || status == 502 || status == 503 || status == 504:
				err = fmt.Errorf("%s export: %s answered %d %s", e.sig.name, e.endpoint, status, http.StatusText(status))
				if s, perr := strconv.Atoi(retryAfter); perr == nil && s > 0 {
					retry = time.Duration(s) * time.Second
				}
			default:
				return fmt.Errorf("%s export: %s answered %d %s; %d %s lost", e.sig.name, e.endpoint, status, http.StatusText(status), batch.n, e.sig.noun)
			}
		} else {
			err = fmt.Errorf("%s export: %w", e.sig.name, err)
		}
		if retry == 0 {
			retry, backoff = backoff, min(2*backoff, 10*time.Second)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; %d %s lost", err, batch.n, e.sig.noun)
		case <-time.After(retry):
		}
	}
}

// post sends one request's body, by the poster or by net/http, and
// returns the collector's status and Retry-After header.
func (e *exporter) post(ctx context.Context, body []byte) (status int, retryAfter string, err error) {
	if e.poster != nil {
		return e.poster.post(ctx, body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header = e.header.Clone()
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After"), nil
}

// flush exports everything queued now.
func (e *exporter) flush(ctx context.Context) error {
	return e.export(ctx, true)
}

// shutdown stops the goroutine and exports what is queued; what comes later
// is dropped.
func (e *exporter) shutdown(ctx context.Context) error {
	if e.closed.Swap(true) {
		return nil
	}
	// An export in progress finishes, as long as ctx allows.
	close(e.stop)
	select {
	case <-e.stopped:
	case <-ctx.Done():
		e.cancelLoop()
		<-e.stopped
	}
	e.cancelLoop()
	err := e.flush(ctx)
	e.exportMu.Lock()
	if e.poster != nil {
		e.poster.close()
	}
	e.exportMu.Unlock()
	return err
}
