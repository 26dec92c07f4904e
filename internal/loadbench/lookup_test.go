package loadbench

import (
	"slices"
	"strings"
	"testing"
)

func TestLookupVariants(t *testing.T) {
	all, err := LookupVariants("all")
	if err != nil || len(all) != len(Variants) {
		t.Fatalf("all: %v %v", all, err)
	}
	vs, err := LookupVariants("failing, keepalive")
	if err != nil || len(vs) != 2 || vs[0].Name != "failing" || vs[1].Name != "keepalive" {
		t.Fatalf("failing,keepalive: %v %v", vs, err)
	}
	short := DefaultVariants(true)
	if len(short) != len(Variants)-2 || slices.ContainsFunc(short, func(v Variant) bool { return v.TLS }) || len(DefaultVariants(false)) != len(Variants) {
		t.Errorf("default variants: the short run must leave out tls and tls-h2 only: %v", short)
	}
	if _, err := LookupVariants("keepalive,http3"); err == nil || !strings.Contains(err.Error(), `"http3"`) {
		t.Errorf("unknown variant: %v", err)
	}
	if got := Variants[0].Target(); got != "/load/items/42" {
		t.Errorf("keepalive target %q", got)
	}
}

func TestTargets(t *testing.T) {
	extra, err := ParseExtraTarget(Targets, "tollgate-data=--data /tmp/tg  --admin 127.0.0.1:9000")
	if err != nil {
		t.Fatal(err)
	}
	if extra.Name != "tollgate-data" || extra.Kind != Tollgate || !slices.Equal(extra.Args, []string{"--data", "/tmp/tg", "--admin", "127.0.0.1:9000"}) {
		t.Errorf("extra target %+v", extra)
	}
	gc, err := ParseExtraTarget(Targets, "gogc=GOGC=400 GODEBUG=gctrace=1 --log-store=false")
	if err != nil || !slices.Equal(gc.Env, []string{"GOGC=400", "GODEBUG=gctrace=1"}) || !slices.Equal(gc.Args, []string{"--log-store=false"}) {
		t.Errorf("extra target with environment: %+v %v", gc, err)
	}
	known := append(slices.Clone(Targets), extra)
	ts, err := LookupTargets(known, "tollgate-data,bare")
	if err != nil || len(ts) != 2 || ts[0].Name != "tollgate-data" || ts[1].Kind != Bare {
		t.Errorf("lookup: %v %v", ts, err)
	}
	for _, bad := range []string{"tollgate=--data x", "no-equals", "=--data x", "a,b=--x"} {
		if _, err := ParseExtraTarget(Targets, bad); err == nil {
			t.Errorf("ParseExtraTarget(%q) accepted", bad)
		}
	}
	all, err := LookupTargets(Targets, "all")
	if err != nil || slices.ContainsFunc(all, func(t Target) bool { return t.NamedOnly }) || len(all) != 3 {
		t.Errorf("all = %v, %v; want every target but %s", all, err, SinksName)
	}
	if ts, err := LookupTargets(Targets, "tollgate,"+SinksName); err != nil || len(ts) != 2 || ts[1].Sinks != AllSinks {
		t.Errorf("named %s: %v, %v", SinksName, ts, err)
	}
	for _, bad := range []string{"tollgate,tollgate", "traefik"} {
		if _, err := LookupTargets(Targets, bad); err == nil {
			t.Errorf("LookupTargets(%q) accepted", bad)
		}
	}
}
