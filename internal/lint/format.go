package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// Text formats f for a terminal or a CI log:
//
//	path:line:col: warning: TG012: message
//	    path:line:col: what happens at a related position
//	    fix: what to change
//	    see: docs/rules.md#tg012, docs/troubleshooting.md#timeouts-and-retries
func (f Finding) Text() string {
	var b strings.Builder
	b.WriteString(f.String())
	b.WriteByte('\n')
	for _, r := range f.Related {
		fmt.Fprintf(&b, "    %s: %s\n", r.Position(), r.Message)
	}
	if f.Fix != "" {
		fmt.Fprintf(&b, "    fix: %s\n", f.Fix)
	}
	fmt.Fprintf(&b, "    see: docs/rules.md#%s, %s\n", strings.ToLower(f.Rule.ID), f.Rule.DocPath())
	return b.String()
}

// jsonReport is the document WriteJSON writes.
type jsonReport struct {
	Findings []jsonFinding `json:"findings"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
	Notes    int           `json:"notes"`
}

type jsonFinding struct {
	RuleID   string      `json:"ruleId"`
	Rule     string      `json:"rule"`
	Severity string      `json:"severity"`
	Code     string      `json:"code,omitempty"`
	Location jsonPlace   `json:"location"`
	Message  string      `json:"message"`
	Fix      string      `json:"fix,omitempty"`
	Help     string      `json:"help"`
	Doc      string      `json:"doc"`
	Related  []jsonPlace `json:"related,omitempty"`
}

type jsonPlace struct {
	Path      string `json:"path"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"endLine,omitempty"`
	EndColumn int    `json:"endColumn,omitempty"`
	Message   string `json:"message,omitempty"`
}

func jsonLoc(span diag.Span, pos diag.Position, msg string) jsonPlace {
	l := jsonPlace{Message: msg}
	if span.IsValid() {
		p, e := span.Pos(), span.EndPos()
		l.Path, l.Line, l.Column, l.EndLine, l.EndColumn = p.Filename, p.Line, p.Column, e.Line, e.Column
		return l
	}
	l.Path, l.Line, l.Column = pos.Filename, pos.Line, pos.Column
	return l
}

// WriteJSON writes fs as one indented JSON document with the counts of each
// severity.
func WriteJSON(w io.Writer, fs []Finding) error {
	r := jsonReport{Findings: []jsonFinding{}}
	r.Errors, r.Warnings, r.Notes = Count(fs)
	for _, f := range fs {
		j := jsonFinding{RuleID: f.Rule.ID, Rule: f.Rule.Name, Severity: f.Severity.String(), Code: f.Code,
			Location: jsonLoc(f.Span, f.Pos, ""), Message: f.Message, Fix: f.Fix,
			Help: "docs/rules.md#" + strings.ToLower(f.Rule.ID), Doc: f.Rule.DocPath()}
		for _, l := range f.Related {
			j.Related = append(j.Related, jsonLoc(l.Span, l.Pos, l.Message))
		}
		r.Findings = append(r.Findings, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// SARIF 2.1.0, the subset tollgate writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		ColumnKind string        `json:"columnKind"`
		Results    []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string           `json:"id"`
		Name                 string           `json:"name"`
		ShortDescription     sarifText        `json:"shortDescription"`
		FullDescription      sarifText        `json:"fullDescription"`
		Help                 sarifHelp        `json:"help"`
		HelpURI              string           `json:"helpUri"`
		DefaultConfiguration sarifRuleConfig  `json:"defaultConfiguration"`
		Properties           *sarifProperties `json:"properties,omitempty"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifProperties struct {
		Tags []string `json:"tags,omitempty"`
	}
	sarifResult struct {
		RuleID           string          `json:"ruleId"`
		RuleIndex        int             `json:"ruleIndex"`
		Level            string          `json:"level"`
		Message          sarifText       `json:"message"`
		Locations        []sarifLocation `json:"locations,omitempty"`
		RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
	}
	sarifLocation struct {
		ID               *int                   `json:"id,omitempty"`
		PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
		Message          *sarifText             `json:"message,omitempty"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
)

func sarifLevel(s diag.Severity) string {
	switch s {
	case diag.Error:
		return "error"
	case diag.Warning:
		return "warning"
	}
	return "note"
}

// artifactURI turns a file name into a SARIF artifact URI: relative paths
// stay relative (to the folder tollgate ran in), absolute ones become file
// URIs. It returns "" for names that are not files.
func artifactURI(name string) string {
	if name == "" || strings.HasPrefix(name, "(") {
		return ""
	}
	slashed := filepath.ToSlash(name)
	var parts []string
	for _, p := range strings.Split(slashed, "/") {
		parts = append(parts, url.PathEscape(p))
	}
	u := strings.Join(parts, "/")
	if filepath.IsAbs(name) {
		if !strings.HasPrefix(u, "/") {
			u = "/" + u
		}
		return "file://" + u
	}
	return strings.TrimPrefix(u, "./")
}

func sarifLoc(span diag.Span, pos diag.Position) *sarifPhysicalLocation {
	if span.IsValid() {
		pos = span.Pos()
	}
	uri := artifactURI(pos.Filename)
	if uri == "" {
		return nil
	}
	pl := &sarifPhysicalLocation{ArtifactLocation: sarifArtifact{URI: uri}}
	if pos.Line > 0 {
		pl.Region = &sarifRegion{StartLine: pos.Line, StartColumn: pos.Column}
		if span.IsValid() {
			if e := span.EndPos(); e.Line > 0 && (e.Line > pos.Line || e.Column > pos.Column) {
				pl.Region.EndLine, pl.Region.EndColumn = e.Line, e.Column
			}
		}
	}
	return pl
}

// WriteSARIF writes fs as a SARIF 2.1.0 log with the whole rule catalogue,
// for GitHub code scanning and SARIF viewers. version is tollgate's version.
func WriteSARIF(w io.Writer, fs []Finding, version string) error {
	index := map[*Rule]int{}
	driver := sarifDriver{Name: "tollgate", Version: version, InformationURI: "https://github.com/tollgate/tollgate"}
	for i, r := range Rules() {
		index[r] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.ID, Name: r.Name,
			ShortDescription: sarifText{r.Title},
			FullDescription:  sarifText{r.Message},
			Help: sarifHelp{Text: r.Message + " Fix: " + r.Fix,
				Markdown: fmt.Sprintf("%s\n\n**Fix:** %s\n\nSee [docs/rules.md#%s](%s) and docs/troubleshooting.md#%s. Seed: %s.",
					r.Message, r.Fix, strings.ToLower(r.ID), r.HelpURI(), r.Doc, r.Seed)},
			HelpURI:              r.HelpURI(),
			DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(r.Severity)},
			Properties:           &sarifProperties{Tags: []string{"apim", "configuration"}},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, ColumnKind: "unicodeCodePoints", Results: []sarifResult{}}
	for _, f := range fs {
		res := sarifResult{RuleID: f.Rule.ID, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message: sarifText{f.Message + ". Fix: " + f.Fix}}
		if f.Fix == "" {
			res.Message.Text = f.Message
		}
		if pl := sarifLoc(f.Span, f.Pos); pl != nil {
			res.Locations = []sarifLocation{{PhysicalLocation: pl}}
		}
		for i, l := range f.Related {
			if pl := sarifLoc(l.Span, l.Pos); pl != nil {
				id := i + 1
				res.RelatedLocations = append(res.RelatedLocations, sarifLocation{ID: &id, PhysicalLocation: pl, Message: &sarifText{l.Message}})
			}
		}
		run.Results = append(run.Results, res)
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// WriteRules lists the catalogue, one rule a line: id, severity, title.
func WriteRules(w io.Writer) error {
	for _, r := range Rules() {
		if _, err := fmt.Fprintf(w, "%s  %-7s  %s\n", r.ID, r.Severity, r.Title); err != nil {
			return err
		}
	}
	return nil
}
