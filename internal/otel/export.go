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

// signal describes what an exporter sends: spans or log records.
type signal[T any] struct {
	name  string // "traces", "logs"
	noun  string // "spans", "log records"
	env   string // "TRACES", "LOGS"
	batch string // "OTEL_BSP_", "OTEL_BLRP_"
	delay time.Duration
	// encode appends one span or record to its scope's message; release
	// returns it to its pool once sent or dropped.
	encode  func([]byte, T) []byte
	release func(T)
}

var traces = signal[*span]{name: "traces", noun: "spans", env: "TRACES", batch: "OTEL_BSP_", delay: 5 * time.Second,
	encode: appendSpan, release: releaseSpan}

var logs = signal[*logRecord]{name: "logs", noun: "log records", env: "LOGS", batch: "OTEL_BLRP_", delay: time.Second,
	encode: appendLogRecord, release: func(*logRecord) {}}

// exporter batches finished spans or log records and sends them to the
// collector's /v1/traces or /v1/logs over OTLP/HTTP, configured as the
// SDK's batch processors and OTLP/HTTP exporters are: OTEL_BSP_* (spans) or
// OTEL_BLRP_* (log records) SCHEDULE_DELAY, MAX_QUEUE_SIZE,
// MAX_EXPORT_BATCH_SIZE and EXPORT_TIMEOUT, and
// OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]ENDPOINT, _HEADERS, _TIMEOUT,
// _COMPRESSION, _CERTIFICATE, _CLIENT_CERTIFICATE and _CLIENT_KEY.
//
// The request path only appends to the queue; encoding and sending happen
// in the exporter's goroutine. A full queue drops what comes, counted and
// reported, and never blocks a request.
type exporter[T any] struct {
	sig      signal[T]
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
	queue   []T
	dropped atomic.Uint64
	kick    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
	closed  atomic.Bool

	exportMu sync.Mutex // one export at a time; guards the fields below
	batch    []T
	buf      []byte
	zbuf     bytes.Buffer
	zw       *gzip.Writer
	reported uint64 // drops already reported
	errors   func(error)
}

func newExporter[T any](sig signal[T], getenv func(string) string, res *resource.Resource, errs func(error)) (*exporter[T], error) {
	env := func(name string) string {
		if v := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + sig.env + "_" + name)); v != "" {
			return v
		}
		return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + name))
	}
	e := &exporter[T]{
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

	if res != nil {
		for _, kv := range res.Attributes() {
			e.resource = appendAttribute(e.resource, 1, kv)
		}
		e.schemaURL = res.SchemaURL()
	}
	e.scope = appendStringField(nil, 1, instrumentation)
	e.queue = make([]T, 0, e.batchSize)
	e.batch = make([]T, 0, e.batchSize)
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

// enqueue hands a finished span or record to the exporter; it never
// blocks.
func (e *exporter[T]) enqueue(s T) {
	e.mu.Lock()
	if len(e.queue) >= e.maxQueue || e.closed.Load() {
		e.mu.Unlock()
		e.dropped.Add(1)
		e.sig.release(s)
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
func (e *exporter[T]) loop() {
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
func (e *exporter[T]) export(ctx context.Context, all bool) error {
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
		for _, s := range e.batch {
			e.sig.release(s)
		}
		clear(e.batch)
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

// encode builds the ExportTraceServiceRequest or ExportLogsServiceRequest
// of batch in e.buf: both are one resource (field 1) holding one scope
// (field 2) holding the spans or records (field 2).
func (e *exporter[T]) encode(batch []T) []byte {
	b := e.buf[:0]
	b, rs := beginMessage(b, 1) // resource_spans, resource_logs
	b = appendBytesField(b, 1, e.resource)
	b, ss := beginMessage(b, 2) // scope_spans, scope_logs
	b = appendBytesField(b, 1, e.scope)
	for _, s := range batch {
		b = e.sig.encode(b, s)
	}
	b = endMessage(b, ss)
	b = appendStringField(b, 3, e.schemaURL)
	b = endMessage(b, rs)
	e.buf = b
	return b
}

// send posts one batch, retrying as the OTLP/HTTP exporter does on 429,
// 502, 503, 504 and on a failed connection, within the export timeout.
func (e *exporter[T]) send(ctx context.Context, batch []T) error {
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
			return fmt.Errorf("%s export: %w", e.sig.name, err)
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
				err = fmt.Errorf("%s export: %s answered %s", e.sig.name, e.endpoint, resp.Status)
				if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
					retry = time.Duration(s) * time.Second
				}
			default:
				return fmt.Errorf("%s export: %s answered %s; %d %s lost", e.sig.name, e.endpoint, resp.Status, len(batch), e.sig.noun)
			}
		} else {
			err = fmt.Errorf("%s export: %w", e.sig.name, err)
		}
		if retry == 0 {
			retry, backoff = backoff, min(2*backoff, 10*time.Second)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; %d %s lost", err, len(batch), e.sig.noun)
		case <-time.After(retry):
		}
	}
}

// flush exports everything queued now.
func (e *exporter[T]) flush(ctx context.Context) error {
	return e.export(ctx, true)
}

// shutdown stops the goroutine and exports what is queued; what comes later
// is dropped.
func (e *exporter[T]) shutdown(ctx context.Context) error {
	if e.closed.Swap(true) {
		return nil
	}
	close(e.stop)
	<-e.stopped
	return e.flush(ctx)
}
