package credentials

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts the name of an environment variable holding a token.
const EnvPrefix = "TOLLGATE_AUTHORIZATION_"

// Authorization is one credential manager connection.
type Authorization struct {
	AccessToken string
	// Claims are the claims that come with the token; nil when none.
	Claims map[string]any
	// ExpiresOn is when the token stops being valid; zero: never.
	ExpiresOn time.Time
}

// ErrNotFound is matched (errors.Is) by the error of Lookup for an
// authorization the store does not have.
var ErrNotFound = errors.New("authorization not found")

// Store holds authorizations. It is safe for concurrent use.
type Store struct {
	file   map[string]map[string]Authorization // provider → id → authorization
	source string                              // the file, "" when none
	lookup func(string) (string, bool)
	now    func() time.Time
}

// New returns a store that reads the environment through lookupEnv (nil:
// os.LookupEnv) and, when file is not empty, the authorizations file.
func New(file string, lookupEnv func(string) (string, bool)) (*Store, error) {
	s := &Store{lookup: lookupEnv, now: time.Now, source: file}
	if s.lookup == nil {
		s.lookup = os.LookupEnv
	}
	if file == "" {
		return s, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	s.file, err = parse(file, data)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// EnvName returns the environment variable that holds the token of
// authorization id of provider.
func EnvName(provider, id string) string {
	norm := func(s string) string {
		b := []byte(strings.ToUpper(s))
		for i, c := range b {
			if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				b[i] = '_'
			}
		}
		return string(b)
	}
	return EnvPrefix + norm(provider) + "_" + norm(id)
}

// Lookup returns the authorization id of provider.
func (s *Store) Lookup(provider, id string) (Authorization, error) {
	if tok, ok := s.lookup(EnvName(provider, id)); ok && tok != "" {
		return Authorization{AccessToken: tok, Claims: jwtClaims(tok)}, nil
	}
	a, ok := s.file[strings.ToLower(provider)][strings.ToLower(id)]
	if !ok {
		where := "the environment has no " + EnvName(provider, id)
		if s.source != "" {
			where += " and " + s.source + " has no authorization " + id + " under provider " + provider
		} else {
			where += " and no authorizations file is configured (--authorizations)"
		}
		return Authorization{}, fmt.Errorf("%w: authorization %q of provider %q: %s", ErrNotFound, id, provider, where)
	}
	if !a.ExpiresOn.IsZero() && !s.now().Before(a.ExpiresOn) {
		return Authorization{}, fmt.Errorf("the access token of authorization %q of provider %q expired at %s (%s)", id, provider, a.ExpiresOn.UTC().Format(time.RFC3339), s.source)
	}
	if a.Claims == nil {
		a.Claims = jwtClaims(a.AccessToken)
	}
	return a, nil
}

// jwtClaims returns the payload claims of a JWT, nil for anything else. The
// signature is not checked: the token is the store's own.
func jwtClaims(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	if d.Decode(&claims) != nil {
		return nil
	}
	return claims
}

// parse reads an authorizations file; errors are "path:line:col: message".
func parse(path string, data []byte) (map[string]map[string]Authorization, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	errAt := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d:%d: %s", path, n.Line, n.Column, fmt.Sprintf(format, args...))
	}
	out := map[string]map[string]Authorization{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(root, "the authorizations file must be a mapping with the key \"authorizations\"")
	}
	var providers *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value != "authorizations" {
			return nil, errAt(k, "unknown key %q (the file has one key, \"authorizations\")", k.Value)
		}
		providers = root.Content[i+1]
	}
	if providers == nil {
		return out, nil
	}
	if providers.Kind != yaml.MappingNode {
		return nil, errAt(providers, "\"authorizations\" must map provider ids to their authorizations")
	}
	for i := 0; i+1 < len(providers.Content); i += 2 {
		pk, pv := providers.Content[i], providers.Content[i+1]
		if pv.Kind != yaml.MappingNode {
			return nil, errAt(pv, "provider %q must map authorization ids to {accessToken, claims, expiresOn}", pk.Value)
		}
		prov := strings.ToLower(pk.Value)
		if out[prov] == nil {
			out[prov] = map[string]Authorization{}
		}
		for j := 0; j+1 < len(pv.Content); j += 2 {
			ak, av := pv.Content[j], pv.Content[j+1]
			a, err := parseAuthorization(av, errAt)
			if err != nil {
				return nil, err
			}
			if a.AccessToken == "" {
				return nil, errAt(av, "authorization %q of provider %q has no accessToken", ak.Value, pk.Value)
			}
			if _, dup := out[prov][strings.ToLower(ak.Value)]; dup {
				return nil, errAt(ak, "authorization %q of provider %q is given twice", ak.Value, pk.Value)
			}
			out[prov][strings.ToLower(ak.Value)] = a
		}
	}
	return out, nil
}

func parseAuthorization(n *yaml.Node, errAt func(*yaml.Node, string, ...any) error) (Authorization, error) {
	var a Authorization
	if n.Kind != yaml.MappingNode {
		return a, errAt(n, "an authorization must be a mapping with accessToken, claims and expiresOn")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "accessToken":
			if v.Kind != yaml.ScalarNode {
				return a, errAt(v, "accessToken must be a string")
			}
			a.AccessToken = v.Value
		case "claims":
			var claims map[string]any
			if err := v.Decode(&claims); err != nil || v.Kind != yaml.MappingNode {
				return a, errAt(v, "claims must be a mapping of claim names to values")
			}
			a.Claims = claims
		case "expiresOn":
			t, err := time.Parse(time.RFC3339, v.Value)
			if err != nil {
				return a, errAt(v, "expiresOn must be a date and time like 2030-01-01T00:00:00Z")
			}
			a.ExpiresOn = t
		default:
			return a, errAt(k, "unknown key %q (an authorization has accessToken, claims and expiresOn)", k.Value)
		}
	}
	return a, nil
}
