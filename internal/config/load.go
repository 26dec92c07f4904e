package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/tollgate/tollgate/internal/diag"
)

// Options say where secrets and keys that the folder does not hold come from.
type Options struct {
	// ValuesFiles are APIOps override files in the configuration.<env>.yaml
	// format, applied in order (a later file wins over an earlier one).
	ValuesFiles []string
	// Env looks up an environment variable; os.Getenv in production. Nil
	// means no environment. An empty value counts as unset.
	Env func(string) string
}

// Load reads the APIOps folder dir and returns the configuration it holds
// with every problem found. It never stops at the first problem: the
// returned Snapshot is never nil and holds every entity that could be read,
// even when the returned list holds errors. The list is sorted by position;
// its warnings are also kept in Snapshot.Diagnostics.
func Load(dir string, opts Options) (*Snapshot, diag.List) {
	l := &loader{
		dir:  dir,
		opts: opts,
		snap: &Snapshot{
			Dir:         dir,
			Products:    map[string]*Product{},
			NamedValues: map[string]*NamedValue{},
			VersionSets: map[string]*VersionSet{},
			Backends:    map[string]*Backend{},
			Fragments:   map[string]*Fragment{},
			Groups:      map[string]*Group{},
			Users:       map[string]*User{},
			Loggers:     map[string]*Logger{},

			DiagnosticEntities: map[string]*DiagnosticEntity{},
		},
	}
	l.run()
	l.diags.Sort()
	for _, d := range l.diags {
		if d.Severity != diag.Error {
			l.snap.Diagnostics = append(l.snap.Diagnostics, d)
		}
	}
	return l.snap, l.diags
}

// loader holds the state of one Load call.
type loader struct {
	dir    string
	opts   Options
	snap   *Snapshot
	diags  diag.List
	values *values
}

// isKnownFolder reports whether name is a top-level folder of one of the
// three layouts. Those tollgate does not use are accepted without a word.
func isKnownFolder(name string) bool {
	switch name {
	case "apis", "products", "subscriptions", "backends", "groups", "users",
		"named values", "namedValues", "version sets", "versionSets",
		"policy fragments", "policyFragments",
		"loggers", "diagnostics", "gateways", "tags", "workspaces", "schemas",
		"policyRestrictions", "policy restrictions", "documentations",
		"certificates", "authorizationServers", "authorization servers",
		"identityProviders", "identity providers", "openidConnectProviders",
		"openid connect providers", "portalConfigs", "portal configs", "apiTags":
		return true
	}
	return false
}

func (l *loader) run() {
	info, err := os.Stat(l.dir)
	if err != nil {
		l.diags.ErrorAt(diag.Position{Filename: l.dir}, "read-error", "cannot read configuration folder: %v", unwrapPathError(err))
		l.values = l.readValues()
		return
	}
	if !info.IsDir() {
		l.diags.ErrorAt(diag.Position{Filename: l.dir}, "read-error", "configuration path is not a folder")
		l.values = l.readValues()
		return
	}
	l.detectLayout()
	l.values = l.readValues()
	l.snap.GlobalPolicy = l.readPolicy("policy.xml")

	l.loadNamedValues()
	l.loadVersionSets()
	l.loadBackends()
	l.loadFragments()
	l.loadGroups()
	l.loadUsers()
	l.loadLoggers()
	l.loadDiagnosticEntities()
	l.loadAPIs()
	l.loadProducts()
	l.loadSubscriptions()
	l.values.reportUnused(&l.diags)
}

// detectLayout sets Snapshot.Layout from the folder names and warns about
// top-level folders no layout has.
func (l *loader) detectLayout() {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		l.readError(".", err)
	}
	dirs := map[string]bool{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !(e.IsDir() || isDirLink(e, l.path(e.Name()))) {
			continue
		}
		dirs[e.Name()] = true
		if !isKnownFolder(e.Name()) {
			l.diags.WarnAt(diag.Position{Filename: l.path(e.Name())}, "unknown-folder",
				"folder %q is not part of an APIOps layout; it is ignored", e.Name())
		}
	}
	camel := dirs["namedValues"] || dirs["policyFragments"] || dirs["versionSets"]
	spaced := dirs["named values"] || dirs["policy fragments"] || dirs["version sets"]
	apisJSON := l.anyProductFile("apis.json")
	opInfo := l.anyOperationInfo()
	switch {
	case camel || (!spaced && opInfo):
		l.snap.Layout = LayoutCLI
	case apisJSON || l.anyFile("version sets", "apiVersionSetInformation.json"):
		l.snap.Layout = LayoutV5
	default:
		l.snap.Layout = LayoutV7
	}
	if dirs["workspaces"] {
		l.diags.WarnAt(diag.Position{Filename: l.path("workspaces")}, "unsupported",
			"workspaces are not loaded; their APIs, products and subscriptions are ignored")
	}
}

func (l *loader) anyProductFile(name string) bool {
	for _, p := range l.subdirs("products") {
		if fileExists(l.path("products", p, name)) {
			return true
		}
	}
	return false
}

func (l *loader) anyFile(folder, name string) bool {
	for _, p := range l.subdirs(folder) {
		if fileExists(l.path(folder, p, name)) {
			return true
		}
	}
	return false
}

func (l *loader) anyOperationInfo() bool {
	for _, a := range l.subdirs("apis") {
		for _, op := range l.subdirs("apis", a, "operations") {
			if fileExists(l.path("apis", a, "operations", op, "operationInformation.json")) {
				return true
			}
		}
	}
	return false
}

// folders returns the entity folders that exist among names (the spaced
// and the camelCase spelling of one kind); both are read when both exist.
func (l *loader) folders(names ...string) []string {
	var out []string
	for _, n := range names {
		if dirExists(l.path(n)) {
			out = append(out, n)
		}
	}
	return out
}

// path joins the folder as given with rel.
func (l *loader) path(rel ...string) string {
	return filepath.Join(append([]string{l.dir}, rel...)...)
}

// subdirs lists the folders inside rel, sorted; a missing folder is empty.
func (l *loader) subdirs(rel ...string) []string {
	entries, err := os.ReadDir(l.path(rel...))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrInvalid) && !isNotDir(err) {
			l.readError(filepath.Join(rel...), err)
		}
		return nil
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && (e.IsDir() || isDirLink(e, l.path(append(rel, e.Name())...))) {
			out = append(out, e.Name())
		}
	}
	return out
}

// isDirLink reports whether e is a symbolic link to a folder.
func isDirLink(e fs.DirEntry, path string) bool {
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func unwrapPathError(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}

func (l *loader) readError(rel string, err error) {
	l.diags.ErrorAt(diag.Position{Filename: l.path(rel)}, "read-error", "cannot read: %v", unwrapPathError(err))
}

// readFile returns the file at rel, or nil when it does not exist (and an
// error diagnostic when it exists but cannot be read).
func (l *loader) readFile(rel ...string) *diag.File {
	p := l.path(rel...)
	src, err := os.ReadFile(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			l.diags.ErrorAt(diag.Position{Filename: p}, "read-error", "cannot read: %v", unwrapPathError(err))
		}
		return nil
	}
	return diag.NewFile(p, src)
}

// readPolicy returns the policy file at rel unparsed, or nil.
func (l *loader) readPolicy(rel ...string) *diag.File {
	return l.readFile(rel...)
}

// readDoc reads and parses a JSON or YAML file; it returns nil when the file
// does not exist or is malformed (reported).
func (l *loader) readDoc(rel ...string) (*diag.File, *node) {
	f := l.readFile(rel...)
	if f == nil {
		return nil, nil
	}
	n, serr := parseDoc(f)
	if serr != nil {
		serr.add(&l.diags)
		return f, nil
	}
	return f, n
}

// readInfo reads an information file and returns its properties object:
// the "properties" member of the top-level object, or the object itself
// when it has none. ok is false when the file is missing or unusable.
func (l *loader) readInfo(rel ...string) (f *diag.File, props *node, ok bool) {
	f, root := l.readDoc(rel...)
	if f == nil || root == nil {
		return f, nil, false
	}
	switch root.kind {
	case kNull:
		return f, emptyObject(f), true
	case kObject:
	default:
		l.diags.Errorf(root.span(), "invalid-field", "expected a JSON object, found %s", root.kind)
		return f, nil, false
	}
	if p := root.get("properties"); p != nil {
		switch p.kind {
		case kObject:
			return f, p, true
		case kNull:
			return f, emptyObject(f), true
		}
		l.diags.Errorf(p.span(), "invalid-field", "properties must be an object, found %s", p.kind)
		return f, nil, false
	}
	return f, root, true
}

func emptyObject(f *diag.File) *node { return &node{kind: kObject, file: f} }

// fileSpan is the span of a whole file, for diagnostics about it.
func fileSpan(f *diag.File) diag.Span {
	if f == nil {
		return diag.Span{}
	}
	return diag.Span{File: f, Start: 0, End: 0}
}

// at returns the span of n, or of the start of f when n is nil.
func at(n *node, f *diag.File) diag.Span {
	if n != nil && n.file != nil {
		return n.span()
	}
	return fileSpan(f)
}

// str reads a string field. Numbers and booleans are accepted as their text
// (values files are YAML, where quoting is easily forgotten).
func (l *loader) str(o *node, key string) (string, *node) {
	v := o.get(key)
	if v == nil || v.kind == kNull {
		return "", nil
	}
	if !v.isScalar() {
		l.diags.Errorf(v.span(), "invalid-field", "%s must be a string, found %s", key, v.kind)
		return "", nil
	}
	return v.text, v
}

// boolean reads a boolean field, def when absent. The strings "true" and
// "false" are accepted.
func (l *loader) boolean(o *node, key string, def bool) (bool, *node) {
	v := o.get(key)
	if v == nil || v.kind == kNull {
		return def, nil
	}
	switch {
	case v.kind == kBool:
		return v.text == "true", v
	case v.kind == kString && strings.EqualFold(v.text, "true"):
		return true, v
	case v.kind == kString && strings.EqualFold(v.text, "false"):
		return false, v
	}
	l.diags.Errorf(v.span(), "invalid-field", "%s must be true or false, found %s", key, v.kind)
	return def, nil
}

// integer reads an integer field; nil when absent or invalid.
func (l *loader) integer(o *node, key string) (*int, *node) {
	v := o.get(key)
	if v == nil || v.kind == kNull {
		return nil, nil
	}
	if v.kind == kNumber || v.kind == kString {
		if i, err := strconv.Atoi(v.text); err == nil {
			return &i, v
		}
	}
	l.diags.Errorf(v.span(), "invalid-field", "%s must be an integer", key)
	return nil, nil
}

// strList reads an array of strings.
func (l *loader) strList(o *node, key string) []string {
	v := o.get(key)
	if v == nil || v.kind == kNull {
		return nil
	}
	if v.kind != kArray {
		l.diags.Errorf(v.span(), "invalid-field", "%s must be an array of strings, found %s", key, v.kind)
		return nil
	}
	var out []string
	for _, e := range v.elems {
		if !e.isScalar() {
			l.diags.Errorf(e.span(), "invalid-field", "%s must hold strings, found %s", key, e.kind)
			continue
		}
		out = append(out, e.text)
	}
	return out
}

// object reads an object field; nil when absent or invalid.
func (l *loader) object(o *node, key string) *node {
	v := o.get(key)
	if v == nil || v.kind == kNull {
		return nil
	}
	if v.kind != kObject {
		l.diags.Errorf(v.span(), "invalid-field", "%s must be an object, found %s", key, v.kind)
		return nil
	}
	return v
}

// lastSegment returns the part of a resource reference after its last slash:
// "/apiVersionSets/x" and full ARM ids both give "x".
func lastSegment(ref string) string {
	ref = strings.TrimRight(ref, "/")
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
