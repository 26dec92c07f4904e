package cli

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/admin"
	cacheredis "github.com/tollgate/tollgate/internal/cache/redisstore"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/capturestore"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/credentials"
	"github.com/tollgate/tollgate/internal/demo"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/gcfloor"
	limitredis "github.com/tollgate/tollgate/internal/limit/redisstore"
	"github.com/tollgate/tollgate/internal/metrics"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/reqtrace"
	"github.com/tollgate/tollgate/internal/serve"
	"github.com/tollgate/tollgate/internal/watch"
)

type runFlags struct {
	listen       string
	logFile      string
	values       []string
	allAccessKey string
	redis        string
	storeOutage  string
	identity     string
	dapr         string
	serviceBus   string
	certificates []string
	// authorizations is the credential manager's file (--authorizations).
	authorizations string

	// data is the state directory as given (--data): "" for the default,
	// "none" for memory only. dataDir is what it resolved to, "" for none.
	data    string
	dataDir string
	// admin is the admin listener's address, "none" or "" for none;
	// adminSet says it was given explicitly.
	admin       string
	adminSet    bool
	adminToken  string
	traceSample float64
	captureBody int
	// gcFloor is --gc-floor: what the heap may grow by between collections
	// at least, "0" for Go's default.
	gcFloor string
	watch   bool
	// logRetention and logMaxSize bound the log store.
	logRetention string
	logMaxSize   string
	clientCRL    string
	logStore     bool
	// serve holds the listener settings; its Listen comes from listen.
	serve serve.Options
	// capture false turns failure capture off, to measure what it costs
	// (docs/performance.md); hidden.
	capture bool
}

func newRunCmd(stdout, stderr io.Writer) *cobra.Command {
	f := runFlags{}
	cmd := &cobra.Command{
		Use:   "run [DIR]",
		Short: "Serve a configuration folder (or the built-in demo) as a gateway",
		Long: `run serves DIR, a folder written by APIM's APIOps extractor (or by hand in the
same layout), as an API gateway. With no DIR it serves a built-in demo with an
in-process echo backend and prints what to try.

The built-in all-access subscription (APIM's "master" subscription) accepts the
key given by --all-access-key or $TOLLGATE_ALL_ACCESS_KEY; when neither is set a
random key is generated and printed.

Each request writes one JSON line to --log-file (standard output when none),
with the column names of APIM's ApiManagementGatewayLogs. Send SIGHUP to reload
DIR (it also reloads when a file of DIR changes, unless --watch=false); a
configuration with errors is reported and never replaces the one being served.

Every failed request is kept with its full trace (successful ones too with
--trace-sample) in the state directory (--data) and on the admin listener
(--admin): "tollgate why ID" explains one, "tollgate failures" groups them,
"tollgate replay ID" sends one again.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			var err error
			if f.dataDir, err = resolveDataDir(f.data); err != nil {
				return err
			}
			f.adminSet = cmd.Flags().Changed("admin")
			if f.adminToken == "" {
				f.adminToken = getenv("TOLLGATE_ADMIN_TOKEN")
			}
			floor, err := gcFloor(f.gcFloor)
			if err != nil {
				return err
			}
			defer gcfloor.Start(floor).Stop()
			return run(cmd.Context(), dir, f, stdout, stderr)
		},
	}
	cmd.Flags().StringVar(&f.gcFloor, "gc-floor", "32MiB", "least the heap may grow by between garbage collections (0: Go's default, GOGC percent of the live heap); a gateway's live heap is a few MiB, and this makes collections rarer under load for at most this much memory; ignored when GOGC is set")
	cmd.Flags().StringVar(&f.data, "data", "", "state directory keeping log lines and captured failures across restarts (default $XDG_STATE_HOME/tollgate, else ~/.local/state/tollgate; none: memory only)")
	cmd.Flags().StringVar(&f.admin, "admin", "127.0.0.1:9090", "address of the admin listener (captured failures, queries, readiness); none: off")
	cmd.Flags().StringVar(&f.adminToken, "admin-token", "", "bearer token the admin listener requires (default $TOLLGATE_ADMIN_TOKEN); needed unless it listens on loopback")
	cmd.Flags().Float64Var(&f.traceSample, "trace-sample", 0, "share of successful requests whose full trace is kept too, 0 to 1 (failed requests are always kept)")
	cmd.Flags().StringVar(&f.logRetention, "log-retention", "7d", "how long log lines are kept in the state directory's log store (e.g. 24h, 7d)")
	cmd.Flags().StringVar(&f.logMaxSize, "log-max-size", "", "size of the log store above which the oldest lines are deleted (e.g. 500MiB, 1GiB; default 1GiB, 64MiB with --data none, where the store is in memory); lines a busy gateway has not stored yet wait in a journal of up to half of it")
	addServeFlags(cmd.Flags(), &f.serve)
	cmd.Flags().BoolVar(&f.logStore, "log-store", true, "keep every log line in the state directory's log store for tollgate logs, /v1/query and the console (false: only the log file or standard output, and captured failures)")
	cmd.Flags().StringVar(&f.clientCRL, "client-crl", "", "certificate revocation list (PEM or DER) validate-client-certificate checks client certificates against")
	cmd.Flags().BoolVar(&f.watch, "watch", true, "reload when a file of the folder changes (SIGHUP reloads too)")
	cmd.Flags().IntVar(&f.captureBody, "capture-body-bytes", 16<<10, "how many bytes of a failed request's and its response's bodies are kept")
	cmd.Flags().BoolVar(&f.capture, "capture", true, "capture failed requests with their trace (false only to measure what capture costs)")
	cmd.Flags().MarkHidden("capture")
	cmd.Flags().StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&f.logFile, "log-file", "", "append gateway log lines to this file instead of standard output")
	cmd.Flags().StringArrayVar(&f.values, "values", nil, "APIOps override file (configuration.<env>.yaml) supplying secrets and keys; repeatable")
	cmd.Flags().StringVar(&f.allAccessKey, "all-access-key", "", "key of the built-in all-access subscription (default $TOLLGATE_ALL_ACCESS_KEY, else random)")
	cmd.Flags().StringVar(&f.redis, "redis", "", "Redis server (host:port or redis://...) shared by replicas for rate limits, quotas and the external cache (default $TOLLGATE_REDIS; none: in memory)")
	cmd.Flags().StringVar(&f.dapr, "dapr-endpoint", "", "base URL of the Dapr sidecar for invoke-dapr-binding and publish-to-dapr (default $DAPR_HTTP_ENDPOINT, else http://127.0.0.1:$DAPR_HTTP_PORT or port 3500)")
	cmd.Flags().StringVar(&f.serviceBus, "service-bus-endpoint", "", "base URL that replaces https://NAMESPACE for send-service-bus-message (an emulator)")
	cmd.Flags().StringVar(&f.identity, "managed-identity-endpoint", "", "endpoint giving authentication-managed-identity its tokens, App Service protocol (default $IDENTITY_ENDPOINT; $TOLLGATE_MANAGED_IDENTITY_TOKEN gives a fixed token)")
	cmd.Flags().StringArrayVar(&f.certificates, "certificate", nil, "certificate for certificate-id or thumbprint references: ID=FILE, PEM (with key) or PKCS#12 (password in $TOLLGATE_CERTIFICATE_<ID>_PASSWORD); repeatable")
	cmd.Flags().StringVar(&f.authorizations, "authorizations", "", "JSON or YAML file of access tokens for get-authorization-context (tokens in $TOLLGATE_AUTHORIZATION_<PROVIDER>_<ID> win over it)")
	cmd.Flags().StringVar(&f.storeOutage, "store-outage", "open", "when Redis is unreachable, throttling policies fail \"open\" (admit) or \"closed\" (503)")
	return cmd
}

// gcFloor reads --gc-floor: a size, or 0 for none.
func gcFloor(s string) (int64, error) {
	if strings.TrimSpace(s) == "0" {
		return 0, nil
	}
	n, err := parseSize(s)
	if err != nil {
		return 0, fmt.Errorf("--gc-floor %q: %v", s, err)
	}
	return n, nil
}

func run(ctx context.Context, dir string, f runFlags, stdout, stderr io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// SIGHUP is caught from the start: before the reload loop runs, its
	// default action would end the process, and a reload asked for while
	// tollgate starts waits for it.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	isDemo := dir == ""
	if isDemo {
		backend, stopEcho, err := demo.StartEcho()
		if err != nil {
			return fmt.Errorf("starting the demo backend: %w", err)
		}
		defer stopEcho()
		tmp, err := os.MkdirTemp("", "tollgate-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := demo.WriteTree(tmp, backend); err != nil {
			return fmt.Errorf("writing the demo configuration: %w", err)
		}
		dir = tmp
	} else if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			return fmt.Errorf("%s is a file, not a configuration folder (tollgate check FILE checks one policy file)", dir)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no configuration folder %s: give the folder APIOps' extractor writes, or no folder for the built-in demo", dir)
		}
		return err
	}

	// The watcher watches before the first load, so that no change written
	// after it is missed; one written during it costs a reload.
	var watcher *watch.Watcher
	if f.watch {
		w, err := watch.New(dir, watch.Options{OnError: func(err error) {
			fmt.Fprintf(stderr, "tollgate: watching %s: %v\n", dir, err)
		}})
		if err != nil {
			return fmt.Errorf("watching %s: %w", dir, err)
		}
		watcher = w
		defer func() {
			if watcher != nil { // never run
				watcher.Close()
			}
		}()
	}

	snap, diags := loadConfig(dir, f.values)
	if diags.HasErrors() {
		printDiagnostics(stderr, diags)
		fmt.Fprintf(stderr, "tollgate: %s has %d error(s); nothing is served\n", dir, diags.Errors())
		return exitError{1}
	}
	printDiagnostics(stderr, diags)

	logOut := stdout
	if f.logFile != "" {
		lf, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("opening the log file: %w", err)
		}
		defer lf.Close()
		logOut = lf
	}
	key := f.allAccessKey
	if key == "" {
		key = getenv("TOLLGATE_ALL_ACCESS_KEY")
	}
	if key == "" {
		key = randomKey()
	}
	certs, err := loadCertificates(f.certificates)
	if err != nil {
		return err
	}
	authz, err := credentials.New(f.authorizations, nil)
	if err != nil {
		return fmt.Errorf("--authorizations: %w", err)
	}
	opts := gateway.Options{AllAccessKey: key, Log: gateway.NewLogWriter(logOut), Traces: reqtrace.NewStore(100), ManagedIdentity: identitySource(f.identity),
		Certificates: certs, Authorizations: authz, Dapr: f.dapr, ServiceBus: f.serviceBus}
	switch f.storeOutage {
	case "open":
		opts.Outage = gateway.FailOpen
	case "closed":
		opts.Outage = gateway.FailClosed
	default:
		return fmt.Errorf("--store-outage %q: want open or closed", f.storeOutage)
	}
	redisAddr := f.redis
	if redisAddr == "" {
		redisAddr = getenv("TOLLGATE_REDIS")
	}
	if redisAddr != "" {
		client, err := redisclient.Dial(redisAddr, 0)
		if err != nil {
			return err
		}
		defer client.Close()
		limits := limitredis.New(client, limitredis.Options{})
		opts.Limits, opts.ExternalCache = limits, cacheredis.New(client, cacheredis.Options{})
		if err := limits.Ping(ctx); err != nil {
			fmt.Fprintf(stderr, "tollgate: warning: Redis at %s does not answer (%v); throttling policies fail %s until it does\n", redisAddr, err, f.storeOutage)
		}
	}
	store, err := openLogStore(f)
	if err != nil {
		return err
	}
	defer store.Close()
	// Every log line also goes to the store, off the request path, unless
	// --log-store=false keeps the store to captured failures.
	if f.logStore {
		opts.Log = gateway.NewLogWriter(io.MultiWriter(logOut, store))
	}
	live := &liveConfig{dir: dir}
	live.loaded(dir, snap)
	persisted := capturestore.Persisted{Store: store}
	captures := capture.NewStore(capture.Options{Sample: f.traceSample, MaxBody: f.captureBody, Config: live.ref, Persist: persisted})
	defer captures.Close()
	if f.capture {
		opts.Capture = captures
	}
	met := metrics.New()
	registerCaptureMetrics(met, captures)
	registerStoreMetrics(met, store)
	opts.Observer = gateway.MetricsObserver{M: met}
	// validate-client-certificate trusts the listener's --client-ca, read
	// from the server once it exists (and again after a reload).
	var srv *serve.Server
	trust := &gateway.ClientTrust{Roots: func() *x509.CertPool {
		if srv == nil {
			return nil
		}
		return srv.ClientCAs()
	}}
	if f.clientCRL != "" {
		if trust.Revoked, err = loadCRL(f.clientCRL); err != nil {
			return err
		}
	}
	opts.ClientTrust = trust
	opts.EnforceProtocols = len(f.serve.Certificates) > 0
	tele, err := startTelemetry(ctx, snap, &opts, met, stderr)
	if err != nil {
		return err
	}
	defer tele.stop()
	gw, err := gateway.New(snap, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	source := capturestore.Layered{Mem: captures, Disk: persisted}
	ui := console.Handler(console.Options{Captures: source, Query: console.HandlerQuerier(store.QueryHandler()), Config: live.snapshot, Live: live.console, Check: gateway.Check, Token: f.adminToken})
	adminAddr, stopAdmin, err := startAdmin(f, admin.Options{Token: f.adminToken, Captures: source, Ready: live.readiness,
		Query: store.QueryHandler(), Mount: map[string]http.Handler{"GET /metrics": met.Handler(), "/": ui}}, stderr)
	if err != nil {
		return err
	}
	defer stopAdmin()

	so := f.serve
	so.Listen, so.Log = f.listen, stderr
	srv, err = serve.New(gw, so)
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%w (another program holds that address: give tollgate another with --listen or --tls-listen)", err)
		}
		return err
	}
	registerServeMetrics(met, srv)
	base := ""
	if a := srv.PlainAddr(); a != "" {
		base = "http://" + a
	}
	if a := srv.TLSAddr(); a != "" {
		if base == "" {
			base = "https://" + a
		}
		fmt.Fprintf(stderr, "tollgate: HTTPS on https://%s\n", a)
	}
	if f.dataDir != "" {
		fmt.Fprintf(stderr, "tollgate: state directory %s (log lines and captured failures)\n", f.dataDir)
	} else {
		fmt.Fprintln(stderr, "tollgate: log lines and captured failures kept in memory only (--data none)")
	}

	if adminAddr != "" {
		fmt.Fprintf(stderr, "tollgate: console and admin endpoints at http://%s/ (explain a failure: tollgate why ID --server http://%s)\n", adminAddr, adminAddr)
	}
	if isDemo {
		printDemo(stderr, base, key)
		from := ""
		if f.dataDir == "" {
			from = " --server http://" + adminAddr
		} else if f.data != "" {
			from = " --data " + f.dataDir
		}
		fmt.Fprintf(stderr, `Explain a failed request (its Tollgate-Correlation-Id, or the first characters of it):
  tollgate why ID%[1]s          what failed, where, with which input, and what to change
  tollgate failures%[1]s        recent failures grouped by cause
  tollgate replay ID%[1]s       send it again through the folder as it is now
`, from)
		if adminAddr != "" {
			fmt.Fprintf(stderr, "  console: http://%s/\n", adminAddr)
		}
		fmt.Fprintf(stderr, "\nThe demo's folder is %s: edit it and tollgate reloads it.\n\n", dir)
	} else {
		fmt.Fprintf(stderr, "tollgate: serving %s (%d APIs) on %s\n", dir, len(snap.APIs), base)
		if redisAddr != "" {
			fmt.Fprintf(stderr, "tollgate: counters and external cache in Redis at %s\n", redisAddr)
		}
		fmt.Fprintf(stderr, "tollgate: all-access key: %s\n", key)
	}

	// Reloads come from SIGHUP and from the folder watcher; one at a time.
	var reloadMu sync.Mutex
	reload := func(why string) {
		reloadMu.Lock()
		defer reloadMu.Unlock()
		next, diags := loadConfig(dir, f.values)
		printDiagnostics(stderr, diags)
		if diags.HasErrors() {
			fmt.Fprintf(stderr, "tollgate: reload of %s (%s) failed with %d error(s); still serving the previous configuration\n", dir, why, diags.Errors())
			live.refused(dir, diags)
			met.Reloaded(false)
			return
		}
		if err := gw.Swap(next); err != nil {
			fmt.Fprintf(stderr, "tollgate: reload of %s (%s) failed: %v; still serving the previous configuration\n", dir, why, err)
			live.refusedErr(dir, err)
			met.Reloaded(false)
			return
		}
		live.loaded(dir, next)
		tele.reload(next)
		met.Reloaded(true)
		fmt.Fprintf(stderr, "tollgate: reloaded %s (%s), configuration %s\n", dir, why, live.ref().Hash)
	}
	go func() {
		for range hup {
			reload("SIGHUP")
			if err := srv.ReloadCertificates(); err != nil {
				fmt.Fprintf(stderr, "tollgate: reloading certificates: %v; still serving the previous ones\n", err)
			}
		}
	}()
	if watcher != nil {
		go watcher.Run(ctx, func() { reload("files changed") })
		watcher = nil
	}

	select {
	case err := <-srv.Err():
		return err
	case <-ctx.Done():
		fmt.Fprintln(stderr, "tollgate: shutting down: draining requests in flight")
		if err := srv.Shutdown(context.Background()); err != nil {
			fmt.Fprintf(stderr, "tollgate: %v\n", err)
		}
		return nil
	}
}

func randomKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func printDemo(w io.Writer, base, allAccess string) {
	var b strings.Builder
	fmt.Fprintf(&b, `tollgate is serving its built-in demo on %[1]s

  APIs      echo (key required)   %[1]s/echo/resource
            open (no key)         %[1]s/open/hello
            orders v1 and v2      %[1]s/orders/v1/orders/42
  product   starter (echo, orders): 20 calls a minute, subscription "starter-demo"
  demo key  %[2]s
  all-access key (APIM's master subscription)  %[3]s

Try:
  curl -i %[1]s/echo/resource -H 'Ocp-Apim-Subscription-Key: %[2]s'
  curl -i '%[1]s/echo/resource?subscription-key=%[2]s&param1=x'
  curl -i %[1]s/open/hello
  curl -i '%[1]s/open/hello?name=tollgate'                    # answered by a policy (return-response)
  curl -i %[1]s/orders/v2/orders/42 -H 'Ocp-Apim-Subscription-Key: %[2]s'
  curl -i '%[1]s/echo/resource?status=500' -H 'Ocp-Apim-Subscription-Key: %[2]s'   # backend 500, passed through
  curl -i %[1]s/echo/resource                                  # 401: missing key
  curl -i %[1]s/echo/resource -H 'Authorization: Bearer %[2]s' # 401: the key is in the wrong header
  curl -i -X DELETE %[1]s/echo/resource -H 'Ocp-Apim-Subscription-Key: %[2]s'  # 404: no such operation
  curl -i %[1]s/orders/v9/orders/42 -H 'Ocp-Apim-Subscription-Key: %[2]s'      # 404: unknown version

See a request step by step (trace):
  curl -i %[1]s/echo/resource -H 'Ocp-Apim-Subscription-Key: %[3]s' -H 'Ocp-Apim-Trace: true'
  then open the URL in its Ocp-Apim-Trace-Location header. Or, without a server:
  tollgate test <folder> GET /echo/resource --trace

Every request writes one JSON log line below; its CorrelationId is also in the
response header %[4]s. "tollgate help" lists every command
(why, failures, logs, check, test, ...). Press Ctrl+C to stop.

`, base, demo.Key, allAccess, gateway.CorrelationHeader)
	io.WriteString(w, b.String())
}

// identitySource configures where authentication-managed-identity gets its
// tokens: an endpoint speaking the App Service managed identity protocol
// (the flag, else $IDENTITY_ENDPOINT with $IDENTITY_HEADER, as Azure sets
// them), or a fixed token from $TOLLGATE_MANAGED_IDENTITY_TOKEN. Nil when
// none is configured.
func identitySource(endpoint string) gateway.TokenSource {
	if endpoint == "" {
		endpoint = getenv("IDENTITY_ENDPOINT")
	}
	if endpoint != "" {
		return gateway.EndpointTokenSource{Endpoint: endpoint, Header: getenv("IDENTITY_HEADER")}
	}
	if tok := getenv("TOLLGATE_MANAGED_IDENTITY_TOKEN"); tok != "" {
		return gateway.StaticTokenSource(tok)
	}
	return nil
}

// loadCertificates reads --certificate ID=FILE flags.
func loadCertificates(flags []string) ([]gateway.Certificate, error) {
	var out []gateway.Certificate
	for _, f := range flags {
		id, path, ok := strings.Cut(f, "=")
		if !ok || id == "" || path == "" {
			return nil, fmt.Errorf("--certificate %q: want ID=FILE", f)
		}
		c, err := gateway.LoadCertificate(id, path, getenv("TOLLGATE_CERTIFICATE_"+envName(id)+"_PASSWORD"))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// envName upper-cases s and replaces every character that is not a letter
// or digit with an underscore, as environment variable names need.
func envName(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// loadCRL reads a certificate revocation list in PEM or DER.
func loadCRL(path string) (*x509.RevocationList, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--client-crl: %w", err)
	}
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	crl, err := x509.ParseRevocationList(b)
	if err != nil {
		return nil, fmt.Errorf("--client-crl %s: %w", path, err)
	}
	return crl, nil
}
