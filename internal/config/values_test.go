package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestValuesFilesAndEnvironment(t *testing.T) {
	env := map[string]string{
		"TOLLGATE_NAMED_VALUE_BACKENDKEY":            "from-env-display-name", // display-name form
		"TOLLGATE_NAMED_VALUE_VAULT_KEY":             "from-env",
		"TOLLGATE_SUBSCRIPTION_TEAM_A_PRIMARY_KEY":   "env-primary",
		"TOLLGATE_SUBSCRIPTION_TEAM_B_SECONDARY_KEY": "env-secondary",
		"TOLLGATE_SUBSCRIPTION_PENDING_PRIMARY_KEY":  "", // empty counts as unset
	}
	s, diags := Load(filepath.Join("testdata", "v7"), Options{
		ValuesFiles: []string{filepath.Join("testdata", "values", "prod.yaml"), filepath.Join("testdata", "values", "override.yaml")},
		Env:         func(k string) string { return env[k] },
	})
	if diags.HasErrors() {
		t.Fatalf("errors:\n%s", diags)
	}
	nv := s.NamedValues
	for name, want := range map[string]string{
		"backend-key":      "from-env-display-name", // environment wins over the values file
		"vault-key":        "from-env",
		"environment-name": "prod-eu", // the later values file wins
	} {
		if v := nv[name]; v == nil || v.Value != want || !v.HasValue {
			t.Errorf("named value %s = %+v, want %q", name, v, want)
		}
	}
	subs := map[string]*Subscription{}
	for _, su := range s.Subscriptions {
		subs[su.Name] = su
	}
	for name, want := range map[string][2]string{
		"team-a":   {"env-primary", "values-secondary"},
		"team-b":   {"{#TEAM_B_KEY#}", "env-secondary"}, // an unreplaced placeholder is kept, with a warning
		"all-apis": {"values-primary", ""},
		"pending":  {"p", ""},
	} {
		if su := subs[name]; su.PrimaryKey != want[0] || su.SecondaryKey != want[1] {
			t.Errorf("subscription %s keys = %q, %q; want %q", name, su.PrimaryKey, su.SecondaryKey, want)
		}
	}
	pets := s.APIByID("petstore")
	if pets.ServiceURL != "https://pets.prod" || !pets.SubscriptionRequired {
		t.Errorf("api override: %+v", pets)
	}
	be := s.Backends["orders-be"]
	tls := be.Properties["tls"].(map[string]any)
	if be.URL != "https://orders.prod/api" || tls["validateCertificateName"] != true || tls["validateCertificateChain"] != true {
		t.Errorf("backend override must merge nested objects: %+v", be)
	}
	if s.Products["open"].State != "published" {
		t.Error("product override")
	}
	if lg := s.Loggers["ai"]; lg == nil || lg.Credentials["instrumentationKey"] != "{#AI_KEY#}" || lg.Type != "applicationInsights" {
		t.Errorf("logger override: %+v", lg)
	}
	// What remains: the unknown entry and the unknown section.
	want := `testdata/values/override.yaml:5:1: warning: unknown values-file section "surprise"; it is ignored [unknown-field]
testdata/values/prod.yaml:9:11: warning: values file names named value "not-there", which is not in the configuration folder; the entry is ignored [unknown-entity]
testdata/values/prod.yaml:21:19: warning: subscription team-b: primaryKey holds the pipeline placeholder {#TEAM_B_KEY#}; supply the key with TOLLGATE_SUBSCRIPTION_TEAM_B_PRIMARY_KEY or replace the placeholder [unreplaced-token]
`
	if got := filepath.ToSlash(diags.String()); got != want {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
}

func TestValuesFileErrors(t *testing.T) {
	s, diags := Load(filepath.Join("testdata", "v7"), Options{
		ValuesFiles: []string{filepath.Join("testdata", "values", "bad.yaml"), filepath.Join("testdata", "values", "missing.yaml")},
	})
	if d := s.Fragments["correlation"].Description; d != "overridden" {
		t.Errorf("fragment description = %q", d)
	}
	got := filepath.ToSlash(diags.String())
	for _, want := range []string{
		"testdata/values/bad.yaml:3:17: error: properties must be a mapping, found array [invalid-field]",
		"testdata/values/bad.yaml:4:5: error: namedValues entry has no name [invalid-field]",
		"testdata/values/bad.yaml:8:14: warning: named value environment-name holds the pipeline placeholder {#ENV_NAME#}; supply the value with TOLLGATE_NAMED_VALUE_ENVIRONMENT_NAME or replace the placeholder [unreplaced-token]",
		"testdata/values/bad.yaml:10:5: warning: namedValues entry vault-key has no properties; put value under properties [invalid-field]",
		"testdata/values/bad.yaml:11:16: error: subscriptions must be a list of entries, found object [invalid-field]",
		"testdata/values/bad.yaml:19:19: error: serviceUrl must be a string, found array [invalid-field]",
		"testdata/values/missing.yaml: error: cannot read values file: no such file or directory [read-error]",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestSecretWarningsName(t *testing.T) {
	_, diags := Load(filepath.Join("testdata", "v7"), Options{Env: func(string) string { return "" }})
	got := diags.String()
	for _, want := range []string{
		"secret named value backend-key has no value; supply it with TOLLGATE_NAMED_VALUE_BACKEND_KEY",
		"subscription all-apis has no keys; supply them with TOLLGATE_SUBSCRIPTION_ALL_APIS_PRIMARY_KEY",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
