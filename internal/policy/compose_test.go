package policy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

var docNames = [4]string{"policy.xml", "products/starter/policy.xml", "apis/echo/policy.xml", "apis/echo/operations/get/policy.xml"}

// inboundNames composes and returns "scope:name" for each inbound step.
func inboundNames(e *Effective) []string {
	var out []string
	for _, s := range e.Sections[Inbound] {
		out = append(out, s.Scope.String()+":"+s.Name)
	}
	return out
}

func loadScopes(t *testing.T, srcs [4]string) [4]*Document {
	t.Helper()
	var docs [4]*Document
	for i, src := range srcs {
		if src == "" {
			continue
		}
		d, diags := load(t, docNames[i], src, Scope(i), testEnv())
		if diags.HasErrors() {
			t.Fatalf("%s:\n%s", docNames[i], diags)
		}
		docs[i] = d
	}
	return docs
}

const corsStmt = `<cors><allowed-origins><origin>https://app.example</origin></allowed-origins></cors>`

func TestComposeInheritance(t *testing.T) {
	global := wrap("inbound", corsStmt)
	withBase := wrap("inbound", `<base /><set-header name="X-Mine" />`)
	noBase := wrap("inbound", `<set-header name="X-Mine" />`)
	product := wrap("inbound", `<rate-limit calls="5" renewal-period="60" /><quota calls="100" renewal-period="3600" /><base />`)
	productBaseFirst := wrap("inbound", `<base /><rate-limit calls="5" renewal-period="60" />`)
	emptyInbound := "<policies><inbound /></policies>"
	noInbound := "<policies><outbound><base /></outbound></policies>"
	cases := []struct {
		name  string
		docs  [4]string
		want  []string
		codes []string // composition diagnostics
	}{
		{"global only", [4]string{global}, []string{"global:cors"}, nil},
		{"nothing", [4]string{}, nil, nil},
		{"api and operation absent", [4]string{global, "", "", ""}, []string{"global:cors"}, nil},
		{"api with base", [4]string{global, "", withBase, ""}, []string{"global:cors", "api:set-header"}, []string{"cors-not-first"}[:0]},
		{"seed 003 scenario 2: api drops base", [4]string{global, "", noBase, withBase}, []string{"api:set-header", "operation:set-header"}, []string{"inheritance-cut"}},
		{"seed 003 scenario 2: operation drops base", [4]string{global, "", withBase, noBase}, []string{"operation:set-header"}, []string{"inheritance-cut"}},
		{"empty section cuts", [4]string{global, "", emptyInbound, ""}, nil, []string{"inheritance-cut"}},
		{"absent section inherits", [4]string{global, "", noInbound, noInbound}, []string{"global:cors"}, nil},
		{"seed 003 scenario 4: product before cors", [4]string{global, product, withBase, ""},
			[]string{"product:rate-limit", "product:quota", "global:cors", "api:set-header"}, []string{"cors-not-first"}},
		{"seed 003 scenario 4: no product context", [4]string{global, "", withBase, ""}, []string{"global:cors", "api:set-header"}, nil},
		{"seed 003 scenario 4: product base first", [4]string{global, productBaseFirst, withBase, ""},
			[]string{"global:cors", "product:rate-limit", "api:set-header"}, nil},
		{"product without base", [4]string{global, wrap("inbound", `<rate-limit calls="5" renewal-period="60" />`), withBase, ""},
			[]string{"product:rate-limit", "api:set-header"}, []string{"inheritance-cut"}},
		{"seed 003 scenario 5: two cors", [4]string{global, "", wrap("inbound", "<base />"+corsStmt), ""},
			[]string{"global:cors", "api:cors"}, []string{"cors-shadowed"}},
		{"api cors before base", [4]string{global, "", wrap("inbound", corsStmt+"<base />"), ""},
			[]string{"api:cors", "global:cors"}, []string{"cors-shadowed"}},
		{"base at global is a no-op", [4]string{wrap("inbound", "<base />"+corsStmt)}, []string{"global:cors"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := loadScopes(t, c.docs)
			e := Compose(d[0], d[1], d[2], d[3])
			if got := inboundNames(e); !slices.Equal(got, c.want) {
				t.Errorf("inbound = %q, want %q", got, c.want)
			}
			var codes []string
			for _, x := range e.Diagnostics {
				if x.Code != "no-forward-request" && !slices.Contains(codes, x.Code) {
					codes = append(codes, x.Code)
				}
			}
			if !slices.Equal(codes, c.codes) {
				t.Errorf("composition diagnostics %q, want %q\n%s", codes, c.codes, e.Diagnostics)
			}
		})
	}
}

func TestComposePaths(t *testing.T) {
	api := wrap("inbound", `<base /><choose><when condition="false" /><when condition="true"><set-variable name="a" value="b" /><retry condition="false" count="1" interval="1"><set-header name="x" /></retry></when><otherwise><set-status code="200" /></otherwise></choose>`)
	d := loadScopes(t, [4]string{wrap("inbound", corsStmt), "", api, ""})
	e := Compose(d[0], d[1], d[2], d[3])
	var got []string
	e.Walk(Inbound, func(s *Step) { got = append(got, s.Path) })
	want := []string{`cors[1]`, `choose[2]`, `choose[2]\when[2]\set-variable[1]`, `choose[2]\when[2]\retry[2]`,
		`choose[2]\when[2]\retry[2]\set-header[1]`, `choose[2]\otherwise[3]\set-status[1]`}
	if !slices.Equal(got, want) {
		t.Errorf("paths\n got %q\nwant %q", got, want)
	}
}

// TestEffectiveGolden composes the documents of each testdata/effective
// archive and compares the printed effective policy, the diagnostics and
// the LastError paths with the archive's want sections.
func TestEffectiveGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "effective", "*.txtar"))
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := parseArchive(string(data))
			env := testEnv()
			for _, f := range a.files {
				if name, ok := strings.CutPrefix(f.name, "fragment:"); ok {
					env.Fragments[name] = diag.NewFile("fragments/"+name+"/policy.xml", []byte(f.data))
				}
			}
			var docs [4]*Document
			var diags diag.List
			for i, name := range []string{"global.xml", "product.xml", "api.xml", "operation.xml"} {
				if src, ok := a.get(name); ok {
					d, l := LoadDocument(diag.NewFile(docNames[i], []byte(src)), Scope(i), env)
					docs[i] = d
					diags.Append(l)
				}
			}
			e := Compose(docs[0], docs[1], docs[2], docs[3])
			diags.Append(e.Diagnostics)
			var out bytes.Buffer
			if err := e.Format(&out); err != nil {
				t.Fatal(err)
			}
			var dl strings.Builder
			for _, d := range diags {
				dl.WriteString(d.String() + "\n")
				for _, n := range d.Notes {
					dl.WriteString("\t" + n + "\n")
				}
			}
			var paths strings.Builder
			for _, s := range AllSections() {
				e.Walk(s, func(st *Step) {
					fmt.Fprintf(&paths, "%s %s %s id=%q\n", s, st.Scope, st.Path, st.ID)
				})
			}
			got := map[string]string{"want.xml": out.String(), "diagnostics": dl.String(), "paths": paths.String()}
			for _, name := range []string{"want.xml", "diagnostics", "paths"} {
				want, _ := a.get(name)
				if *update {
					a.set(name, got[name])
					continue
				}
				if got[name] != want {
					t.Errorf("%s differs:\n--- got ---\n%s--- want ---\n%s", name, got[name], want)
				}
			}
			if *update {
				if err := os.WriteFile(file, []byte(a.format()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Contains(out.String(), "s3cr3t-value") || strings.Contains(dl.String(), "s3cr3t-value") {
				t.Error("secret printed")
			}
		})
	}
}

func TestDefaultGlobal(t *testing.T) {
	g := DefaultGlobal()
	e := Compose(g, nil, nil, nil)
	if len(e.Sections[Backend]) != 1 || e.Sections[Backend][0].Name != "forward-request" || len(e.Diagnostics) != 0 {
		t.Errorf("default global: %+v %s", e.Sections, e.Diagnostics)
	}
}
