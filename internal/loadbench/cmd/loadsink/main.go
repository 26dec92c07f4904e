// Command loadsink is the receiving end of the load harness's
// tollgate-sinks target: an OTLP/HTTP receiver on --otlp, a Kafka broker
// (kfake, which acknowledges records without keeping them) on --kafka with
// the topic loadbench.SinksTopic, and a scraper of --scrape (tollgate's
// /metrics) every loadbench.ScrapeInterval. GET /stats on the OTLP address
// answers what each sink received, as JSON. It runs until it is stopped.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tollgate/tollgate/internal/loadbench"
)

func main() {
	otlp := flag.String("otlp", "127.0.0.1:4318", "address of the OTLP/HTTP receiver")
	kafka := flag.String("kafka", "127.0.0.1:9092", "address of the Kafka broker (loopback)")
	scrape := flag.String("scrape", "", "URL of the /metrics endpoint to scrape; empty scrapes nothing")
	interval := flag.Duration("scrape-interval", loadbench.ScrapeInterval, "how often --scrape is scraped")
	flag.Parse()
	if err := run(*otlp, *kafka, *scrape, *interval); err != nil {
		fmt.Fprintln(os.Stderr, "loadsink:", err)
		os.Exit(1)
	}
}

func run(otlp, kafka, scrape string, interval time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sinks := &loadbench.Sinks{}

	_, port, err := net.SplitHostPort(kafka)
	if err != nil {
		return fmt.Errorf("--kafka %q: %v", kafka, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("--kafka %q: %v", kafka, err)
	}
	broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(p), kfake.SeedTopics(4, loadbench.SinksTopic), kfake.BlackholeProduce())
	if err != nil {
		return fmt.Errorf("kafka broker: %v", err)
	}
	defer broker.Close()
	broker.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		n := 0
		for _, t := range req.(*kmsg.ProduceRequest).Topics {
			for _, part := range t.Partitions {
				n += loadbench.RecordsInBatches(part.Records)
			}
		}
		sinks.AddProduce(n)
		return nil, nil, false // counted; the broker answers as usual
	})

	if scrape != "" {
		go sinks.Scrape(ctx, scrape, interval)
	}
	srv := &http.Server{Addr: otlp, Handler: sinks.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	fmt.Fprintln(os.Stderr, "loadsink:", sinks.Stats())
	return nil
}
