package config

import (
	"os"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// values holds the entries of the values files: per section ("namedValues",
// "subscriptions", ...) and resource name, the properties objects to merge
// over the folder's, in file order.
type values struct {
	sections map[string]map[string][]*valueEntry
}

type valueEntry struct {
	section string
	name    *node
	props   *node
	used    bool
}

// usedSections are the values-file sections tollgate applies; entries in
// them that name no entity of the folder are reported.
func isUsedSection(s string) bool {
	switch s {
	case "namedValues", "subscriptions", "backends", "apis", "products",
		"versionSets", "groups", "policyFragments", "users", "loggers":
		return true
	}
	return false
}

// isKnownSection reports whether s is a top-level key of an APIOps
// configuration file.
func isKnownSection(s string) bool {
	if isUsedSection(s) {
		return true
	}
	switch s {
	case "apimServiceName", "policies", "diagnostics", "gateways",
		"workspaces", "tags":
		return true
	}
	return false
}

// sectionNoun names the entity kind of a section in messages.
func sectionNoun(s string) string {
	switch s {
	case "namedValues":
		return "named value"
	case "subscriptions":
		return "subscription"
	case "backends":
		return "backend"
	case "apis":
		return "api"
	case "products":
		return "product"
	case "versionSets":
		return "version set"
	case "groups":
		return "group"
	case "policyFragments":
		return "policy fragment"
	case "users":
		return "user"
	case "loggers":
		return "logger"
	}
	return s
}

// readValues parses Options.ValuesFiles.
func (l *loader) readValues() *values {
	v := &values{sections: map[string]map[string][]*valueEntry{}}
	for _, path := range l.opts.ValuesFiles {
		src, err := os.ReadFile(path)
		if err != nil {
			l.diags.ErrorAt(diag.Position{Filename: path}, "read-error", "cannot read values file: %v", unwrapPathError(err))
			continue
		}
		f := diag.NewFile(path, src)
		root, serr := parseYAML(f)
		if serr != nil {
			serr.add(&l.diags)
			continue
		}
		if root.kind == kNull {
			continue
		}
		if root.kind != kObject {
			l.diags.Errorf(root.span(), "invalid-field", "a values file must be a mapping, found %s", root.kind)
			continue
		}
		for i, k := range root.keys {
			sec := k.text
			val := root.elems[i]
			if !isKnownSection(sec) {
				l.diags.Warnf(k.span(), "unknown-field", "unknown values-file section %q; it is ignored", sec)
				continue
			}
			if !isUsedSection(sec) || val.kind == kNull {
				continue
			}
			if val.kind != kArray {
				l.diags.Errorf(val.span(), "invalid-field", "%s must be a list of entries, found %s", sec, val.kind)
				continue
			}
			for _, e := range val.elems {
				if e.kind != kObject {
					l.diags.Errorf(e.span(), "invalid-field", "%s entry must be a mapping with name and properties, found %s", sec, e.kind)
					continue
				}
				name := e.get("name")
				if name == nil || !name.isScalar() || name.text == "" {
					l.diags.Errorf(e.span(), "invalid-field", "%s entry has no name", sec)
					continue
				}
				props := e.get("properties")
				if props == nil && (sec == "namedValues" || sec == "subscriptions") && len(e.keys) > 1 {
					l.diags.Warnf(e.keys[len(e.keys)-1].span(), "invalid-field",
						"%s entry %s has no properties; put %s under properties", sec, name.text, e.keys[len(e.keys)-1].text)
				}
				if props == nil || props.kind == kNull {
					props = &node{kind: kObject, file: f, start: e.start, end: e.start}
				} else if props.kind != kObject {
					l.diags.Errorf(props.span(), "invalid-field", "properties must be a mapping, found %s", props.kind)
					continue
				}
				if v.sections[sec] == nil {
					v.sections[sec] = map[string][]*valueEntry{}
				}
				v.sections[sec][name.text] = append(v.sections[sec][name.text], &valueEntry{section: sec, name: name, props: props})
			}
		}
	}
	return v
}

// override merges the values-file entries for (section, name) over props.
func (l *loader) override(section, name string, props *node) *node {
	if l.values == nil {
		return props
	}
	for _, e := range l.values.sections[section][name] {
		e.used = true
		props = merge(props, e.props)
	}
	return props
}

// reportUnused warns about entries naming entities the folder lacks.
func (v *values) reportUnused(l *diag.List) {
	if v == nil {
		return
	}
	for _, sec := range sortedKeys(v.sections) {
		for _, name := range sortedKeys(v.sections[sec]) {
			for _, e := range v.sections[sec][name] {
				if !e.used {
					l.Warnf(e.name.span(), "unknown-entity", "values file names %s %q, which is not in the configuration folder; the entry is ignored", sectionNoun(sec), name)
				}
			}
		}
	}
}

// envName turns a resource or display name into the environment-variable
// form: upper case, every character other than A-Z and 0-9 replaced by "_".
func envName(name string) string {
	var b strings.Builder
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteRune(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// env returns the first non-empty environment variable among names.
func (l *loader) env(names ...string) (value, name string, ok bool) {
	if l.opts.Env == nil {
		return "", "", false
	}
	for _, n := range names {
		if v := l.opts.Env(n); v != "" {
			return v, n, true
		}
	}
	return "", "", false
}

// envNames returns the variable names prefix+NAME+suffix for each distinct
// name form.
func envNames(prefix, suffix string, names ...string) []string {
	var out []string
	for _, n := range names {
		if n == "" {
			continue
		}
		v := prefix + envName(n) + suffix
		dup := false
		for _, o := range out {
			dup = dup || o == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}
