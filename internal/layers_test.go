// Package internal_test checks the import layering of tollgate's packages:
// each package imports only packages of lower layers, and every third-party
// module stays inside the one leaf package that owns it.
package internal_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tollgate/tollgate/"

// layers assigns every package a layer; a package may import only packages
// of lower layers. A new package must be added here.
var layers = map[string]int{
	"internal/authn/authntest":         0,
	"internal/credentials":             0,
	"internal/demo":                    0,
	"internal/diag":                    0,
	"internal/gcfloor":                 0,
	"internal/dotnet":                  0,
	"internal/graphql":                 0,
	"internal/h1client":                0,
	"internal/kql":                     0,
	"internal/llm":                     0,
	"internal/redisclient":             0,
	"internal/reqtrace":                0,
	"internal/testkit":                 0,
	"internal/watch":                   0,
	"internal/cache":                   1,
	"internal/capture":                 1,
	"internal/expr/scanner":            1,
	"internal/jsonx":                   1,
	"internal/limit":                   1,
	"internal/liquid":                  1,
	"internal/logstore":                1,
	"internal/metrics":                 1,
	"internal/xmlbody":                 1,
	"internal/authn":                   2,
	"internal/capturestore":            2,
	"internal/cache/cachetest":         2,
	"internal/cache/redisstore":        2,
	"internal/explain":                 2,
	"internal/expr/syntax":             2,
	"internal/limit/limittest":         2,
	"internal/limit/redisstore":        2,
	"internal/semcache":                2,
	"internal/validate":                2,
	"internal/xmlscan":                 2,
	"internal/admin":                   3,
	"internal/expr/value":              3,
	"internal/policy":                  3,
	"internal/config":                  4,
	"internal/expr/compile":            4,
	"internal/confdiff":                5,
	"internal/console":                 5,
	"internal/eventhub":                5,
	"internal/expr":                    5,
	"internal/lint":                    5,
	"internal/gateway":                 6,
	"internal/serve":                   6,
	"internal/loadbench":               7,
	"internal/otel":                    7,
	"internal/cli":                     8,
	"internal/loadbench/cmd/bareproxy": 8,
	"internal/loadbench/cmd/loadbench": 8,
	"internal/loadbench/cmd/loadecho":  8,
	"internal/loadbench/cmd/loadgen":   8,
	"internal/loadbench/cmd/loadsink":  8,
	"cmd/tollgate":                     9,
	"internal":                         10, // this test
}

// owners lists, for each third-party module, the only packages that may
// import it.
var owners = map[string][]string{
	"github.com/redis/go-redis/v9":             {"internal/cache/redisstore", "internal/limit/redisstore", "internal/redisclient"},
	"github.com/lestrrat-go/jwx/v3":            {"internal/authn", "internal/authn/authntest"},
	"github.com/osteele/liquid":                {"internal/liquid"},
	"github.com/spf13/cobra":                   {"internal/cli"},
	"github.com/spf13/pflag":                   {"internal/cli"},
	"go.yaml.in/yaml/v3":                       {"internal/config", "internal/credentials"},
	"github.com/go-json-experiment/json":       {"internal/config"},
	"github.com/dlclark/regexp2/v2":            {"internal/expr/value"}, // and, through tiktoken-go, internal/llm
	"github.com/santhosh-tekuri/jsonschema/v6": {"internal/validate"},
	"github.com/prometheus/client_golang":      {"internal/metrics"},
	"github.com/prometheus/common":             {"internal/metrics"},
	"github.com/fsnotify/fsnotify":             {"internal/watch"},
	"github.com/chromedp/chromedp":             {"internal/console"}, // its browser tests only
	"github.com/chromedp/cdproto":              {"internal/console"},
	"modernc.org/sqlite":                       {"internal/logstore"},
	"software.sslmate.com/src/go-pkcs12":       {"internal/serve"},
	"github.com/tiktoken-go/tokenizer":         {"internal/llm"},
	"go.opentelemetry.io/otel":                 {"internal/otel"},
	"go.opentelemetry.io/contrib":              {"internal/otel"},
	"go.opentelemetry.io/proto/otlp":           {"internal/otel"},
	"google.golang.org/protobuf":               {"internal/otel"},
	"github.com/twmb/franz-go":                 {"internal/eventhub", "internal/loadbench/cmd/loadsink"}, // the harness's Kafka broker (kfake)
	"github.com/vektah/gqlparser/v2":           {"internal/graphql"},
}

// noHTTP are the packages of the language and policy core, which must not
// know about HTTP.
var noHTTP = []string{"internal/diag", "internal/dotnet", "internal/jsonx", "internal/expr/scanner", "internal/expr/syntax",
	"internal/expr/value", "internal/expr/compile", "internal/expr", "internal/xmlscan", "internal/policy", "internal/liquid", "internal/xmlbody"}

func TestImportLayers(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", "../...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		layer, ok := layers[name]
		if !ok {
			t.Errorf("package %s has no layer: add it to the table in layers_test.go", name)
			continue
		}
		for _, imp := range p.Imports {
			if dep, internal := strings.CutPrefix(imp, module); internal {
				if l, ok := layers[dep]; ok && l >= layer {
					t.Errorf("%s (layer %d) imports %s (layer %d): a package may import only lower layers", name, layer, dep, l)
				}
				continue
			}
			if imp == "net/http" {
				for _, n := range noHTTP {
					if n == name {
						t.Errorf("%s imports net/http; the language and policy core must not", name)
					}
				}
			}
			for mod, allowed := range owners {
				if imp != mod && !strings.HasPrefix(imp, mod+"/") {
					continue
				}
				ok := false
				for _, a := range allowed {
					ok = ok || a == name
				}
				if !ok {
					t.Errorf("%s imports %s, which only %v may import", name, imp, allowed)
				}
			}
		}
	}
}
