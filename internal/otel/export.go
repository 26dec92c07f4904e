package otel

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
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

// spanExporter batches finished spans and sends them to the collector's
// /v1/traces over OTLP/HTTP, configured as the SDK's batch span processor
// and OTLP/HTTP exporter are: OTEL_BSP_SCHEDULE_DELAY,
// OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
// OTEL_BSP_EXPORT_TIMEOUT, and OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT,
// _HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE, _CLIENT_CERTIFICATE and
// _CLIENT_KEY.
//
// The request path only appends a span to the queue; encoding and sending
// happen in the exporter's goroutine. A full queue drops spans, counted and
// reported, and never blocks a request.
type spanExporter struct {
	endpoint string
	header   http.Header
	gzip     bool
	client   *http.Client
	timeout  time.Duration // of one export with its retries

	maxQueue, batchSize int
	delay               time.Duration

	// prefix is the encoded Resource and InstrumentationScope, the same in
	// every request.
	resource  []byte
	scope     []byte
	schemaURL string

	mu      sync.Mutex
	queue   []*span
	dropped atomic.Uint64
	kick    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
	closed  atomic.Bool

	exportMu sync.Mutex // one export at a time; guards the fields below
	batch    []*span
	buf      []byte
	zbuf     bytes.Buffer
	zw       *gzip.Writer
	reported uint64 // drops already reported
	errors   func(error)
}

func newSpanExporter(getenv func(string) string, res *resource.Resource, errs func(error)) (*spanExporter, error) {
	env := func(name string) string {
		if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_" + name)); v != "" {
			return v
		}
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + name))
	}
	e := &spanExporter{
		header:    http.Header{"Content-Type": {"application/x-protobuf"}, "User-Agent": {"tollgate-otlp"}},
		maxQueue:  2048,
		batchSize: 512,
		delay:     5 * time.Second,
		timeout:   30 * time.Second,
		kick:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		stopped:   make(chan struct{}),
		errors:    errs,
	}
	if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")); v != "" {
		e.endpoint = v
	} else {
		e.endpoint = strings.TrimRight(strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")), "/") + "/v1/traces"
	}
	u, err := url.Parse(e.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTLP traces endpoint %q: want an http:// or https:// URL", e.endpoint)
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
	e.delay = millis("OTEL_BSP_SCHEDULE_DELAY", e.delay)
	e.timeout = millis("OTEL_BSP_EXPORT_TIMEOUT", e.timeout)
	e.maxQueue = count("OTEL_BSP_MAX_QUEUE_SIZE", e.maxQueue)
	e.batchSize = min(count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", e.batchSize), e.maxQueue)
	attempt := 10 * time.Second
	if v := getenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"); strings.TrimSpace(v) != "" {
		attempt = millis("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", attempt)
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

	if res != nil {
		for _, kv := range res.Attributes() {
			e.resource = appendAttribute(e.resource, 1, kv)
		}
		e.schemaURL = res.SchemaURL()
	}
	e.scope = appendStringField(nil, 1, instrumentation)
	e.queue = make([]*span, 0, e.batchSize)
	e.batch = make([]*span, 0, e.batchSize)
	go e.loop()
	return e, nil
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

// enqueue hands a finished span to the exporter; it never blocks.
func (e *spanExporter) enqueue(s *span) {
	e.mu.Lock()
	if len(e.queue) >= e.maxQueue || e.closed.Load() {
		e.mu.Unlock()
		e.dropped.Add(1)
		releaseSpan(s)
		return
	}
	e.queue = append(e.queue, s)
	full := len(e.queue) >= e.batchSize
	e.mu.Unlock()
	if full {
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

// loop exports a batch when one is full or the schedule delay has passed.
func (e *spanExporter) loop() {
	defer close(e.stopped)
	timer := time.NewTimer(e.delay)
	defer timer.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-e.stop
		cancel()
	}()
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
func (e *spanExporter) export(ctx context.Context, all bool) error {
	e.exportMu.Lock()
	defer e.exportMu.Unlock()
	var errs []error
	for {
		e.mu.Lock()
		n := min(len(e.queue), e.batchSize)
		e.batch = append(e.batch[:0], e.queue[:n]...)
		rest := copy(e.queue, e.queue[n:])
		clear(e.queue[rest:])
		e.queue = e.queue[:rest]
		e.mu.Unlock()
		if n == 0 {
			break
		}
		if err := e.send(ctx, e.batch); err != nil {
			errs = append(errs, err)
			if e.errors != nil {
				e.errors(err)
			}
		}
		for i, s := range e.batch {
			releaseSpan(s)
			e.batch[i] = nil
		}
		if ctx.Err() != nil || (!all && rest < e.batchSize) {
			break
		}
	}
	if d := e.dropped.Load(); d > e.reported && e.errors != nil {
		e.errors(fmt.Errorf("%d spans dropped: the export queue (OTEL_BSP_MAX_QUEUE_SIZE=%d) was full", d-e.reported, e.maxQueue))
		e.reported = d
	}
	return errors.Join(errs...)
}

// encode builds the ExportTraceServiceRequest of batch in e.buf.
func (e *spanExporter) encode(batch []*span) []byte {
	b := e.buf[:0]
	b, rs := beginMessage(b, 1) // resource_spans
	b = appendBytesField(b, 1, e.resource)
	b, ss := beginMessage(b, 2) // scope_spans
	b = appendBytesField(b, 1, e.scope)
	for _, s := range batch {
		b = appendSpan(b, s)
	}
	b = endMessage(b, ss)
	b = appendStringField(b, 3, e.schemaURL)
	b = endMessage(b, rs)
	e.buf = b
	return b
}

// send posts one batch, retrying as the OTLP/HTTP exporter does on 429,
// 502, 503, 504 and on a failed connection, within the export timeout.
func (e *spanExporter) send(ctx context.Context, batch []*span) error {
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
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("traces export: %w", err)
		}
		req.Header = e.header.Clone()
		var retry time.Duration
		resp, err := e.client.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			switch {
			case resp.StatusCode >= 200 && resp.StatusCode < 300:
				return nil
			case resp.StatusCode == 429 || resp.StatusCode == 502 || resp.StatusCode == 503 || resp.StatusCode == 504:
				err = fmt.Errorf("traces export: %s answered %s", e.endpoint, resp.Status)
				if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
					retry = time.Duration(s) * time.Second
				}
			default:
				return fmt.Errorf("traces export: %s answered %s; %d spans lost", e.endpoint, resp.Status, len(batch))
			}
		} else {
			err = fmt.Errorf("traces export: %w", err)
		}
		if retry == 0 {
			retry, backoff = backoff, min(2*backoff, 10*time.Second)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; %d spans lost", err, len(batch))
		case <-time.After(retry):
		}
	}
}

// flush exports every span queued now.
func (e *spanExporter) flush(ctx context.Context) error {
	return e.export(ctx, true)
}

// shutdown stops the goroutine and exports what is queued; later spans are
// dropped.
func (e *spanExporter) shutdown(ctx context.Context) error {
	if e.closed.Swap(true) {
		return nil
	}
	close(e.stop)
	<-e.stopped
	return e.flush(ctx)
}
