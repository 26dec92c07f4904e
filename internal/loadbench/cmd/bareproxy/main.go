// Command bareproxy is the baseline of the load harness: a bare
// httputil.ReverseProxy to --backend that answers 401 unless the request's
// Ocp-Apim-Subscription-Key header holds --key (loadbench.BareProxy).
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
	flag.Parse()
	u, err := url.Parse(*backend)
	if err != nil || u.Host == "" {
		fmt.Fprintf(os.Stderr, "bareproxy: --backend %q: want http://host:port\n", *backend)
		os.Exit(2)
	}
	srv := &http.Server{Addr: *listen, Handler: loadbench.BareProxy(u, *key), ReadHeaderTimeout: 30 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bareproxy:", err)
		os.Exit(1)
	}
}
