package serve

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate/tollgate/internal/config"
)

const deployDir = "../../deploy"

// TestStaticBuild builds tollgate as the Dockerfile does, without cgo, and
// checks that the binary needs no dynamic loader or shared library.
func TestStaticBuild(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tollgate")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/tollgate")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./cmd/tollgate: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names a dynamic loader")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	version, err := exec.Command(out, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(version), "tollgate") {
		t.Errorf("the static binary does not run: %v %s", err, version)
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{
		"CGO_ENABLED=0 go build", "./cmd/tollgate", "FROM gcr.io/distroless/static", "USER nonroot",
		`ENTRYPOINT ["tollgate","run","/config"]`,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	if strings.Count(df, "\nFROM ") < 2 {
		t.Error("Dockerfile is not multi-stage")
	}
}

func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir, "tollgate.service"))
	if err != nil {
		t.Fatal(err)
	}
	section, keys := "", map[string]string{}
	for i, line := range strings.Split(strings.ReplaceAll(string(b), "\\\n", " "), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Errorf("tollgate.service:%d: not a key=value line in a section: %q", i+1, line)
			}
			keys[section+"."+k] = v
		}
	}
	for k, want := range map[string]string{
		"Service.ExecStart": "/usr/local/bin/tollgate run ", "Service.ExecReload": "kill -HUP", "Service.KillSignal": "SIGTERM",
		"Service.DynamicUser": "yes", "Install.WantedBy": "multi-user.target",
	} {
		if !strings.Contains(keys[k], want) {
			t.Errorf("%s = %q, want %q in it", k, keys[k], want)
		}
	}
}

// manifest is one Kubernetes object, with the file it came from.
type manifest struct {
	file string
	obj  map[string]any
}

func (m manifest) kind() string { s, _ := m.obj["kind"].(string); return s }
func (m manifest) name() string { s, _ := dig(m.obj, "metadata", "name").(string); return s }

// dig walks maps by key and lists by index (an int key).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func readManifests(t *testing.T, dir string) []manifest {
	t.Helper()
	var out []manifest
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var obj map[string]any
			if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("%s: %v", p, err)
				break
			}
			if obj["apiVersion"] == nil || obj["kind"] == nil {
				t.Errorf("%s: an object without apiVersion or kind", p)
			}
			out = append(out, manifest{p, obj})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestKubernetesManifests(t *testing.T) {
	dir := filepath.Join(deployDir, "kubernetes")
	all := readManifests(t, dir)
	deployments := map[string]manifest{}
	configMaps := map[string]manifest{}
	for _, m := range all {
		switch m.kind() {
		case "Kustomization":
			// Every resource is a file, or a folder with its own kustomization.
			for _, r := range dig(m.obj, "resources").([]any) {
				p := filepath.Join(filepath.Dir(m.file), r.(string))
				if fi, err := os.Stat(p); err != nil {
					t.Errorf("%s: resource %s: %v", m.file, r, err)
				} else if fi.IsDir() {
					if _, err := os.Stat(filepath.Join(p, "kustomization.yaml")); err != nil {
						t.Errorf("%s: resource %s is a folder without kustomization.yaml", m.file, r)
					}
				}
			}
		case "Deployment":
			deployments[m.file+":"+m.name()] = m
		case "ConfigMap":
			configMaps[m.name()] = m
		}
	}
	var tollgates int
	for key, d := range deployments {
		if d.name() != "tollgate" {
			continue
		}
		tollgates++
		if r := dig(d.obj, "spec", "replicas"); r != 3 {
			t.Errorf("%s: replicas %v, want 3", key, r)
		}
		spec := dig(d.obj, "spec", "template", "spec")
		if dig(spec, "securityContext", "runAsNonRoot") != true {
			t.Errorf("%s: not runAsNonRoot", key)
		}
		c := dig(spec, "containers", 0)
		if dig(c, "name") != "tollgate" {
			t.Fatalf("%s: first container %v", key, dig(c, "name"))
		}
		if p, port := dig(c, "livenessProbe", "httpGet", "path"), dig(c, "livenessProbe", "httpGet", "port"); p != "/status-0123456789abcdef" || port != 8080 {
			t.Errorf("%s: liveness probe %v on %v", key, p, port)
		}
		if p, port := dig(c, "readinessProbe", "httpGet", "path"), dig(c, "readinessProbe", "httpGet", "port"); p != "/ready" || port != 9090 {
			t.Errorf("%s: readiness probe %v on %v", key, p, port)
		}
		grace, _ := dig(spec, "terminationGracePeriodSeconds").(int)
		if grace <= 30 {
			t.Errorf("%s: terminationGracePeriodSeconds %d leaves no room for the 30s drain", key, grace)
		}
		args := dig(c, "args").([]any)
		var joined []string
		for _, a := range args {
			joined = append(joined, a.(string))
		}
		for _, want := range []string{"--listen=0.0.0.0:8080", "--redis=tollgate-redis:6379", "--tls-cert=/tls/tls.crt", "--tls-key=/tls/tls.key"} {
			if !strings.Contains(strings.Join(joined, " "), want) {
				t.Errorf("%s: args %v lack %s", key, joined, want)
			}
		}
		if strings.Contains(key, "git-sync") {
			if dig(spec, "containers", 1, "name") != "git-sync" || dig(spec, "shareProcessNamespace") != true {
				t.Errorf("%s: no git-sync sidecar sharing the process namespace", key)
			}
			continue
		}
		checkConfigMapFolder(t, key, spec, configMaps)
	}
	if tollgates != 2 {
		t.Errorf("%d tollgate Deployments, want 2 (ConfigMap and git-sync)", tollgates)
	}
	var redis bool
	for _, d := range deployments {
		redis = redis || d.name() == "tollgate-redis"
	}
	if !redis {
		t.Error("no Redis Deployment")
	}
}

// checkConfigMapFolder lays out the ConfigMap volume as the kubelet would
// and loads it as tollgate would: it must load without errors.
func checkConfigMapFolder(t *testing.T, key string, spec any, configMaps map[string]manifest) {
	t.Helper()
	var vol any
	for _, v := range dig(spec, "volumes").([]any) {
		if dig(v, "name") == "apiops" {
			vol = v
		}
	}
	cm, ok := configMaps[dig(vol, "configMap", "name").(string)]
	if !ok {
		t.Fatalf("%s: the apiops volume names no ConfigMap of these manifests", key)
	}
	data := dig(cm.obj, "data").(map[string]any)
	folder := t.TempDir()
	mapped := map[string]bool{}
	for _, it := range dig(vol, "configMap", "items").([]any) {
		k, p := dig(it, "key").(string), dig(it, "path").(string)
		v, ok := data[k].(string)
		if !ok {
			t.Errorf("%s: item %s is no key of ConfigMap %s", key, k, cm.name())
			continue
		}
		mapped[k] = true
		target := filepath.Join(folder, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(target), 0o755)
		if err := os.WriteFile(target, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for k := range data {
		if !mapped[k] {
			t.Errorf("%s: ConfigMap key %s is not mapped to a path in the volume", key, k)
		}
	}
	snap, diags := config.Load(folder, config.Options{})
	if diags.HasErrors() {
		t.Errorf("the ConfigMap's folder does not load:\n%v", diags)
	}
	if len(snap.APIs) != 1 {
		t.Errorf("the ConfigMap's folder has %d APIs, want 1", len(snap.APIs))
	}
}
