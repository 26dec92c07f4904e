// Command bareproxy is the baseline of the load harness: a bare
// httputil.ReverseProxy to --backend that answers 401 unless the request's
// Ocp-Apim-Subscription-Key header holds --key (loadbench.BareProxy). With
// --tls-listen, --tls-cert and --tls-key it serves HTTPS there too.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/tollgate/tollgate/internal/loadbench"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to listen on")
	backend := flag.String("backend", "", "URL of the backend, http://host:port")
	key := flag.String("key", loadbench.Key, "the subscription key it accepts")
	tlsListen := flag.String("tls-listen", "", "address to serve HTTPS on (with --tls-cert and --tls-key)")
	tlsCert := flag.String("tls-cert", "", "PEM certificate for HTTPS")
	tlsKey := flag.String("tls-key", "", "PEM key for HTTPS")
	flag.Parse()
	u, err := url.Parse(*backend)
	if err != nil || u.Host == "" {
		fmt.Fprintf(os.Stderr, "bareproxy: --backend %q: want http://host:port\n", *backend)
		os.Exit(2)
	}
	h := loadbench.BareProxy(u, *key)
	if *tlsListen != "" {
		tlsSrv := &http.Server{Addr: *tlsListen, Handler: h, ReadHeaderTimeout: 30 * time.Second}
		go func() {
			if err := tlsSrv.ListenAndServeTLS(*tlsCert, *tlsKey); err != nil {
				fmt.Fprintln(os.Stderr, "bareproxy:", err)
				os.Exit(1)
			}
		}()
	}
	srv := &http.Server{Addr: *listen, Handler: h, ReadHeaderTimeout: 30 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bareproxy:", err)
		os.Exit(1)
	}
}
