// Command loadgen is the harness's load generator when wrk is not
// installed: it sends one variant to --url for --duration with
// loadbench.Generate and prints the Result as JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tollgate/tollgate/internal/loadbench"
)

func main() {
	url := flag.String("url", "", "base URL of the target, http://host:port")
	variant := flag.String("variant", "keepalive", "the traffic to send")
	connections := flag.Int("connections", 32, "connections kept busy")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	ca := flag.String("ca", "", "PEM certificate that an https URL's server is trusted by")
	flag.Parse()
	vs, err := loadbench.LookupVariants(*variant)
	if err != nil || len(vs) != 1 {
		fmt.Fprintf(os.Stderr, "loadgen: --variant %q: want one of the variants\n", *variant)
		os.Exit(2)
	}
	r, err := loadbench.Generate(context.Background(), loadbench.Load{URL: *url, Variant: vs[0], Connections: *connections, Duration: *duration, CAFile: *ca})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(r)
}
