// Command loadecho is the echo backend of the load harness: it serves
// loadbench.Echo on --listen until it is stopped.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/tollgate/tollgate/internal/loadbench"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address to listen on")
	flag.Parse()
	srv := &http.Server{Addr: *listen, Handler: loadbench.Echo(), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "loadecho:", err)
		os.Exit(1)
	}
}
