package confdiff

import (
	"path/filepath"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

// Side is one of the two configurations being compared.
type Side struct {
	// Name is the side as the user named it: a folder, or "git:REV".
	Name string
	// Root is the folder its files were read from. It is removed from the
	// file names of findings and policy annotations, so that the same file
	// has the same name on both sides.
	Root string
	// Snapshot is the loaded configuration, with its Policies loaded.
	Snapshot *config.Snapshot
	// Findings are the problems found in it: the diagnostics of loading it
	// today, and whatever other checks the caller adds.
	Findings []Finding
}

// NewSide returns the Side of snap, loaded from root and named name, with the
// diagnostics of loading it as its findings.
func NewSide(name, root string, snap *config.Snapshot, diags diag.List) *Side {
	s := &Side{Name: name, Root: root, Snapshot: snap}
	for _, d := range diags {
		s.Findings = append(s.Findings, s.Finding(d))
	}
	return s
}

// Finding is one problem found in a configuration: a diagnostic of loading
// it, or a rule's finding. Two findings are the same finding when they have
// the same severity, rule, file and message; positions may move.
type Finding struct {
	Severity string // "error", "warning" or "note"
	Rule     string // the diagnostic code or rule name, e.g. "unknown-named-value"
	File     string // slash-separated, relative to the side's root; "." for the folder itself
	Line     int    // 1-based; 0 when the finding has no line
	Column   int    // 1-based; 0 when unknown
	Message  string
}

// Finding converts a diagnostic of this side into a Finding with a file
// name relative to the side's root.
func (s *Side) Finding(d diag.Diagnostic) Finding {
	p := d.Position()
	return Finding{
		Severity: d.Severity.String(),
		Rule:     d.Code,
		File:     s.Rel(p.Filename),
		Line:     p.Line,
		Column:   p.Column,
		Message:  s.stripRoot(d.Message),
	}
}

// String formats f as "file:line:col: severity: message [rule]".
func (f Finding) String() string {
	d := diag.Diagnostic{
		Severity: severity(f.Severity),
		Pos:      diag.Position{Filename: f.File, Line: f.Line, Column: f.Column},
		Code:     f.Rule,
		Message:  f.Message,
	}
	return d.String()
}

func severity(s string) diag.Severity {
	switch s {
	case "error":
		return diag.Error
	case "warning":
		return diag.Warning
	}
	return diag.Note
}

// key identifies a finding across the two sides.
func (f Finding) key() string {
	return f.Severity + "\x00" + f.Rule + "\x00" + f.File + "\x00" + f.Message
}

// Rel returns name, a file name of this side, relative to its root and
// slash-separated; "." for the root itself.
func (s *Side) Rel(name string) string {
	if name == "" {
		return ""
	}
	root := filepath.Clean(s.Root)
	name = filepath.Clean(name)
	if name == root {
		return "."
	}
	if root != "." {
		if rel, ok := strings.CutPrefix(name, root+string(filepath.Separator)); ok {
			name = rel
		}
	}
	return filepath.ToSlash(name)
}

// stripRoot removes the side's root from file names quoted in text.
func (s *Side) stripRoot(text string) string {
	root := filepath.Clean(s.Root)
	if root == "." || root == "" {
		return text
	}
	return strings.ReplaceAll(text, root+string(filepath.Separator), "")
}
