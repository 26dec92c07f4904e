package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiagnosticEntities(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("diagnostics/applicationinsights/diagnosticInformation.json", `{"properties":{
  "alwaysLog": "allErrors",
  "loggerId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/z/loggers/appinsights",
  "sampling": {"samplingType": "fixed", "percentage": 12.5},
  "verbosity": "Information"}}`)
	write("diagnostics/azuremonitor/diagnosticInformation.json", `{"properties":{"sampling":{"samplingType":"fixed","percentage":250},"verbosity":"loud"}}`)
	os.MkdirAll(filepath.Join(dir, "diagnostics", "empty"), 0o755)
	write("apis/shop/apiInformation.json", `{"properties":{"path":"shop","serviceUrl":"http://127.0.0.1:1"}}`)
	write("apis/shop/diagnostics/applicationinsights/diagnosticInformation.json", `{"properties":{"sampling":{"samplingType":"fixed","percentage":"5"},"verbosity":"error"}}`)

	snap, diags := Load(dir, Options{})
	if diags.HasErrors() {
		t.Fatalf("errors: %v", diags)
	}
	ai := snap.DiagnosticEntities["applicationinsights"]
	if ai == nil || ai.SamplingPercentage == nil || *ai.SamplingPercentage != 12.5 || ai.Verbosity != "information" || ai.AlwaysLog != "allErrors" || !strings.HasSuffix(ai.LoggerID, "/loggers/appinsights") {
		t.Errorf("applicationinsights: %+v", ai)
	}
	if len(snap.APIs) != 1 {
		t.Fatalf("%d APIs", len(snap.APIs))
	}
	shop := snap.APIs[0].DiagnosticEntities["applicationinsights"]
	if shop == nil || shop.SamplingPercentage == nil || *shop.SamplingPercentage != 5 || shop.Verbosity != "error" {
		t.Errorf("the API's applicationinsights: %+v", shop)
	}
	am := snap.DiagnosticEntities["azuremonitor"]
	if am == nil || am.SamplingPercentage != nil || am.Verbosity != "" {
		t.Errorf("azuremonitor with a bad percentage and verbosity: %+v", am)
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"azuremonitor/diagnosticInformation.json:1:64: warning: sampling percentage must be a number from 0 to 100, found 250; it is ignored [invalid-field]",
		`azuremonitor/diagnosticInformation.json:1:81: warning: verbosity must be verbose, information or error, found "loud"; every trace message is sent [invalid-field]`,
		"empty: warning: folder has no diagnosticInformation.json; it is ignored [missing-file]",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in:\n%s", want, all)
		}
	}
}
