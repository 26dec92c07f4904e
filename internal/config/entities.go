package config

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// missingInfo reports an entity folder without its information file.
func (l *loader) missingInfo(file string, rel ...string) {
	l.diags.ErrorAt(diag.Position{Filename: l.path(rel...)}, "missing-file", "folder has no %s; it is ignored", file)
}

// loadNamedValues reads "named values/" and "namedValues/" and resolves
// values from the values files and the environment.
func (l *loader) loadNamedValues() {
	byDisplay := map[string]*NamedValue{}
	for _, dir := range l.folders("named values", "namedValues") {
		for _, name := range l.subdirs(dir) {
			if _, dup := l.snap.NamedValues[name]; dup {
				continue
			}
			f, props, ok := l.readInfo(dir, name, "namedValueInformation.json")
			if f == nil && !ok {
				l.missingInfo("namedValueInformation.json", dir, name)
				continue
			}
			if !ok {
				continue
			}
			props = l.override("namedValues", name, props)
			nv := &NamedValue{Name: name, Info: fileSpan(f)}
			var dn *node
			nv.DisplayName, dn = l.str(props, "displayName")
			if nv.DisplayName == "" {
				nv.DisplayName = name
			}
			nv.Secret, _ = l.boolean(props, "secret", false)
			nv.Tags = l.strList(props, "tags")
			if kv := l.object(props, "keyVault"); kv != nil {
				nv.KeyVault, _ = l.str(kv, "secretIdentifier")
			}
			if v, vn := l.str(props, "value"); vn != nil {
				nv.Value, nv.HasValue = v, true
			}
			if v, _, ok := l.env(envNames("TOLLGATE_NAMED_VALUE_", "", name, nv.DisplayName)...); ok {
				nv.Value, nv.HasValue = v, true
			} else if isPipelineToken(nv.Value) {
				l.diags.Warnf(at(props.get("value"), f), "unreplaced-token",
					"named value %s holds the pipeline placeholder %s; supply the value with TOLLGATE_NAMED_VALUE_%s or replace the placeholder",
					name, nv.Value, envName(name))
			}
			if !nv.HasValue {
				how := "TOLLGATE_NAMED_VALUE_" + envName(name) + " or a values file (namedValues: - name: " + name + ")"
				switch {
				case nv.KeyVault != "":
					l.diags.Warnf(nv.Info, "named-value-without-value",
						"named value %s is a Key Vault secret (%s) and has no value; supply it with %s", name, nv.KeyVault, how)
				case nv.Secret:
					l.diags.Warnf(nv.Info, "named-value-without-value",
						"secret named value %s has no value; supply it with %s", name, how)
				default:
					l.diags.Warnf(nv.Info, "named-value-without-value",
						"named value %s has no value; supply it with %s", name, how)
				}
			}
			if prev := byDisplay[nv.DisplayName]; prev != nil {
				l.diags.Errorf(at(dn, f), "duplicate-display-name",
					"named values %s and %s have the same display name %q; {{%s}} is ambiguous", prev.Name, name, nv.DisplayName, nv.DisplayName)
			} else {
				byDisplay[nv.DisplayName] = nv
			}
			l.snap.NamedValues[name] = nv
		}
	}
}

// isPipelineToken reports whether s is an APIOps pipeline placeholder such
// as "{#BACKEND_KEY#}" that the publishing pipeline was meant to replace.
func isPipelineToken(s string) bool {
	return len(s) > 4 && strings.HasPrefix(s, "{#") && strings.HasSuffix(s, "#}")
}

// loadVersionSets reads "version sets/" and "versionSets/".
func (l *loader) loadVersionSets() {
	for _, dir := range l.folders("version sets", "versionSets") {
		for _, name := range l.subdirs(dir) {
			if _, dup := l.snap.VersionSets[name]; dup {
				continue
			}
			file := "versionSetInformation.json"
			if !fileExists(l.path(dir, name, file)) && fileExists(l.path(dir, name, "apiVersionSetInformation.json")) {
				file = "apiVersionSetInformation.json"
			}
			f, props, ok := l.readInfo(dir, name, file)
			if f == nil {
				l.missingInfo("versionSetInformation.json", dir, name)
				continue
			}
			if !ok {
				continue
			}
			props = l.override("versionSets", name, props)
			vs := &VersionSet{Name: name, Info: fileSpan(f)}
			vs.DisplayName, _ = l.str(props, "displayName")
			if vs.DisplayName == "" {
				vs.DisplayName = name
			}
			scheme, sn := l.str(props, "versioningScheme")
			switch strings.ToLower(scheme) {
			case "segment":
				vs.Scheme = "Segment"
			case "query":
				vs.Scheme = "Query"
			case "header":
				vs.Scheme = "Header"
			case "":
				l.diags.Errorf(at(sn, f), "invalid-field", "version set %s has no versioningScheme (Segment, Query or Header)", name)
			default:
				l.diags.Errorf(sn.span(), "invalid-field", "version set %s has versioningScheme %q; expected Segment, Query or Header", name, scheme)
			}
			vs.QueryName, _ = l.str(props, "versionQueryName")
			vs.HeaderName, _ = l.str(props, "versionHeaderName")
			if vs.Scheme == "Query" && vs.QueryName == "" {
				l.diags.Errorf(at(sn, f), "invalid-field", "version set %s uses the Query scheme but has no versionQueryName", name)
			}
			if vs.Scheme == "Header" && vs.HeaderName == "" {
				l.diags.Errorf(at(sn, f), "invalid-field", "version set %s uses the Header scheme but has no versionHeaderName", name)
			}
			l.snap.VersionSets[name] = vs
		}
	}
}

// loadBackends reads "backends/" and checks pool members.
func (l *loader) loadBackends() {
	pools := map[string]*node{}
	for _, name := range l.subdirs("backends") {
		f, props, ok := l.readInfo("backends", name, "backendInformation.json")
		if f == nil {
			l.missingInfo("backendInformation.json", "backends", name)
			continue
		}
		if !ok {
			continue
		}
		props = l.override("backends", name, props)
		b := &Backend{Name: name, Info: fileSpan(f)}
		b.URL, _ = l.str(props, "url")
		b.Protocol, _ = l.str(props, "protocol")
		if b.Protocol == "" {
			b.Protocol = "http"
		}
		var tn *node
		b.Type, tn = l.str(props, "type")
		switch strings.ToLower(b.Type) {
		case "", "single":
			b.Type = "Single"
		case "pool":
			b.Type = "Pool"
		default:
			l.diags.Errorf(tn.span(), "invalid-field", "backend %s has type %q; expected Single or Pool", name, b.Type)
		}
		if m, ok := props.toAny().(map[string]any); ok {
			b.Properties = m
		}
		if b.Type == "Single" && b.URL == "" {
			l.diags.Warnf(b.Info, "invalid-field", "backend %s has no url", name)
		}
		if b.Type == "Pool" {
			pools[name] = l.object(props, "pool")
		}
		l.snap.Backends[name] = b
	}
	for _, name := range sortedKeys(pools) {
		pool := pools[name]
		svcs := pool.get("services")
		if pool == nil || svcs == nil || svcs.kind != kArray || len(svcs.elems) == 0 {
			l.diags.Errorf(l.snap.Backends[name].Info, "invalid-field", "backend %s is a pool without services", name)
			continue
		}
		for _, s := range svcs.elems {
			id, idn := l.str(s, "id")
			member := l.snap.Backends[lastSegment(id)]
			switch {
			case idn == nil:
				l.diags.Errorf(s.span(), "invalid-field", "pool member of backend %s has no id", name)
			case member == nil:
				l.diags.Errorf(idn.span(), "unknown-backend", "backend %s lists pool member %q, which does not exist", name, id)
			case member.Type == "Pool":
				l.diags.Errorf(idn.span(), "invalid-field", "backend %s lists pool %q as a member; pools cannot be nested", name, id)
			}
		}
	}
}

// loadFragments reads "policy fragments/" and "policyFragments/".
func (l *loader) loadFragments() {
	for _, dir := range l.folders("policy fragments", "policyFragments") {
		for _, name := range l.subdirs(dir) {
			if _, dup := l.snap.Fragments[name]; dup {
				continue
			}
			fr := &Fragment{Name: name, Policy: l.readPolicy(dir, name, "policy.xml")}
			if _, props, ok := l.readInfo(dir, name, "policyFragmentInformation.json"); ok {
				props = l.override("policyFragments", name, props)
				fr.Description, _ = l.str(props, "description")
			} else {
				l.override("policyFragments", name, nil)
			}
			if fr.Policy == nil {
				l.diags.ErrorAt(diag.Position{Filename: l.path(dir, name)}, "missing-file", "policy fragment %s has no policy.xml", name)
			}
			l.snap.Fragments[name] = fr
		}
	}
}

// loadGroups reads "groups/".
func (l *loader) loadGroups() {
	for _, name := range l.subdirs("groups") {
		g := &Group{Name: name, DisplayName: name, Type: "custom"}
		if _, props, ok := l.readInfo("groups", name, "groupInformation.json"); ok {
			props = l.override("groups", name, props)
			if s, _ := l.str(props, "displayName"); s != "" {
				g.DisplayName = s
			}
			if s, _ := l.str(props, "type"); s != "" {
				g.Type = s
			}
		}
		l.snap.Groups[name] = g
	}
}

// loadUsers reads "users/" when present. APIOps does not extract users; a
// folder written by hand (users/<name>/userInformation.json with email,
// firstName and lastName) is accepted.
func (l *loader) loadUsers() {
	for _, name := range l.subdirs("users") {
		u := &User{Name: name}
		if _, props, ok := l.readInfo("users", name, "userInformation.json"); ok {
			props = l.override("users", name, props)
			u.Email, _ = l.str(props, "email")
			u.FirstName, _ = l.str(props, "firstName")
			u.LastName, _ = l.str(props, "lastName")
		}
		l.snap.Users[name] = u
	}
}

// loadLoggers reads "loggers/": the logger entities log-to-eventhub sends
// to. Credentials are kept as written; whoever connects substitutes named
// values in them.
func (l *loader) loadLoggers() {
	for _, name := range l.subdirs("loggers") {
		f, props, ok := l.readInfo("loggers", name, "loggerInformation.json")
		if f == nil {
			l.missingInfo("loggerInformation.json", "loggers", name)
			continue
		}
		if !ok {
			continue
		}
		props = l.override("loggers", name, props)
		lg := &Logger{Name: name, Info: fileSpan(f), Credentials: map[string]string{}, CredentialSpans: map[string]diag.Span{}}
		lg.Type, _ = l.str(props, "loggerType")
		lg.Description, _ = l.str(props, "description")
		lg.IsBuffered, _ = l.boolean(props, "isBuffered", true)
		lg.ResourceID, _ = l.str(props, "resourceId")
		if cred := l.object(props, "credentials"); cred != nil {
			for _, kn := range cred.keys {
				k := kn.text
				v, vn := l.str(cred, k)
				if vn == nil {
					continue
				}
				lg.Credentials[k], lg.CredentialSpans[k] = v, vn.span()
			}
		}
		l.snap.Loggers[name] = lg
	}
}

// loadDiagnosticEntities reads "diagnostics/": the service's diagnostic
// entities.
func (l *loader) loadDiagnosticEntities() {
	l.snap.DiagnosticEntities = l.readDiagnostics("diagnostics")
}

// readDiagnostics reads the diagnostic entities in the folder rel (the
// service's diagnostics/, or an API's). Their sampling percentage and
// verbosity are checked here, as APIM's management API checks them; a
// mistake in them is a warning, as they shape telemetry only.
func (l *loader) readDiagnostics(rel ...string) map[string]*DiagnosticEntity {
	out := map[string]*DiagnosticEntity{}
	for _, name := range l.subdirs(rel...) {
		at := append(append([]string{}, rel...), name)
		f, props, ok := l.readInfo(append(at, "diagnosticInformation.json")...)
		if f == nil {
			// Telemetry settings, not the gateway's behaviour: a folder
			// without its file is worth a warning only.
			l.diags.WarnAt(diag.Position{Filename: l.path(at...)}, "missing-file", "folder has no diagnosticInformation.json; it is ignored")
			continue
		}
		if !ok {
			continue
		}
		d := &DiagnosticEntity{Name: name, Info: fileSpan(f)}
		d.LoggerID, _ = l.str(props, "loggerId")
		d.AlwaysLog, _ = l.str(props, "alwaysLog")
		if v, vn := l.str(props, "verbosity"); vn != nil {
			switch strings.ToLower(v) {
			case "verbose", "information", "error":
				d.Verbosity = strings.ToLower(v)
			default:
				l.diags.Warnf(vn.span(), "invalid-field", "verbosity must be verbose, information or error, found %q; every trace message is sent", v)
			}
		}
		if sampling := l.object(props, "sampling"); sampling != nil {
			if t, tn := l.str(sampling, "samplingType"); tn != nil && !strings.EqualFold(t, "fixed") {
				l.diags.Warnf(tn.span(), "invalid-field", "samplingType must be fixed, found %q", t)
			}
			if v := sampling.get("percentage"); v != nil && v.kind != kNull {
				p, err := strconv.ParseFloat(v.text, 64)
				if (v.kind != kNumber && v.kind != kString) || err != nil || p < 0 || p > 100 {
					l.diags.Warnf(v.span(), "invalid-field", "sampling percentage must be a number from 0 to 100, found %s; it is ignored", v.text)
				} else {
					d.SamplingPercentage = &p
				}
			}
		}
		out[name] = d
	}
	return out
}
