package eventhub

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

// LoggerType is the loggerType of the loggers log-to-eventhub sends to.
const LoggerType = "azureEventHub"

// eventHubsPort is the Kafka endpoint of an Event Hubs namespace.
const eventHubsPort = "9093"

// Settings say where one logger's messages go.
type Settings struct {
	Topic   string
	Brokers []string
	TLS     bool
	// User and Password are SASL PLAIN credentials; "" for none.
	User, Password string
}

// String describes s without its password.
func (s Settings) String() string {
	out := fmt.Sprintf("topic %s on %s", s.Topic, strings.Join(s.Brokers, ","))
	if s.TLS {
		out += " (TLS"
	} else {
		out += " (plaintext"
	}
	if s.User != "" {
		out += ", SASL PLAIN"
	}
	return out + ")"
}

func (s Settings) equal(o Settings) bool {
	return s.Topic == o.Topic && slices.Equal(s.Brokers, o.Brokers) && s.TLS == o.TLS && s.User == o.User && s.Password == o.Password
}

// nvRef matches {{name}} in credentials.
var nvRef = regexp.MustCompile(`\{\{([A-Za-z0-9._-]+)\}\}`)

// ParseLogger reads the settings of an azureEventHub logger from its
// credentials, substituting named values of snap. Problems are returned as
// diagnostics at the credential they concern.
func ParseLogger(snap *config.Snapshot, lg *config.Logger) (Settings, diag.List) {
	var diags diag.List
	at := func(key string) diag.Span {
		if sp, ok := lg.CredentialSpans[key]; ok {
			return sp
		}
		return lg.Info
	}
	warn := func(key, format string, args ...any) {
		diags.Warnf(at(key), "invalid-logger", "logger %s: %s; its log-to-eventhub messages stay on the log line", lg.Name, fmt.Sprintf(format, args...))
	}
	byDisplay := map[string]*config.NamedValue{}
	for _, nv := range snap.NamedValues {
		byDisplay[strings.ToLower(nv.DisplayName)] = nv
	}
	ok := true
	cred := func(key string) string {
		v := lg.Credentials[key]
		return strings.TrimSpace(nvRef.ReplaceAllStringFunc(v, func(m string) string {
			ref := m[2 : len(m)-2]
			nv := byDisplay[strings.ToLower(ref)]
			switch {
			case nv == nil:
				warn(key, "%s references the named value %q, which does not exist", key, ref)
				ok = false
				return ""
			case !nv.HasValue:
				warn(key, "%s references the named value %q, whose value is not supplied (TOLLGATE_NAMED_VALUE_%s)", key, ref, envName(nv.Name))
				ok = false
				return ""
			}
			return nv.Value
		}))
	}
	var s Settings
	switch {
	case lg.Credentials["connectionString"] != "":
		cs := cred("connectionString")
		if !ok {
			return s, diags
		}
		var err error
		if s, err = parseConnectionString(cs); err != nil {
			warn("connectionString", "%v", err)
			return s, diags
		}
		if s.Topic == "" {
			s.Topic = cred("name")
		}
		if s.Topic == "" {
			warn("connectionString", "the connection string has no EntityPath and the credentials no name: which event hub is not said")
			return s, diags
		}
	case lg.Credentials["bootstrapServers"] != "":
		servers := cred("bootstrapServers")
		s.Topic = cred("name")
		s.User, s.Password = cred("saslUsername"), cred("saslPassword")
		if !ok {
			return s, diags
		}
		for b := range strings.SplitSeq(servers, ",") {
			b = strings.TrimSpace(b)
			if _, port, err := net.SplitHostPort(b); err != nil || port == "" {
				warn("bootstrapServers", "%q is not host:port", b)
				return s, diags
			}
			s.Brokers = append(s.Brokers, b)
		}
		switch t := strings.ToLower(cred("tls")); t {
		case "", "false":
		case "true":
			s.TLS = true
		default:
			warn("tls", "tls is %q; expected true or false", t)
			return s, diags
		}
		if s.Topic == "" {
			warn("bootstrapServers", "the credentials have no name: which topic is not said")
			return s, diags
		}
		if (s.User == "") != (s.Password == "") {
			warn("saslUsername", "SASL needs both saslUsername and saslPassword")
			return s, diags
		}
	case lg.Credentials["endpointAddress"] != "" || lg.Credentials["identityClientId"] != "":
		warn("endpointAddress", "the logger authenticates with a managed identity, which tollgate cannot use; give credentials.connectionString (an Event Hubs connection string) or credentials.bootstrapServers")
		return s, diags
	default:
		warn("", "the credentials have neither connectionString nor bootstrapServers")
		return s, diags
	}
	return s, diags
}

// parseConnectionString reads an Event Hubs connection string.
func parseConnectionString(cs string) (Settings, error) {
	fields := map[string]string{}
	for part := range strings.SplitSeq(cs, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return Settings{}, fmt.Errorf("the connection string has %q, which is not Key=Value", redactPart(part))
		}
		fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	ep := fields["endpoint"]
	if ep == "" {
		return Settings{}, fmt.Errorf("the connection string has no Endpoint=sb://NAMESPACE.servicebus.windows.net/")
	}
	u, err := url.Parse(ep)
	if err != nil || u.Hostname() == "" {
		return Settings{}, fmt.Errorf("the connection string's Endpoint %q is not a URL such as sb://NAMESPACE.servicebus.windows.net/", ep)
	}
	if fields["sharedaccesskeyname"] == "" && fields["sharedaccesssignature"] == "" {
		return Settings{}, fmt.Errorf("the connection string has neither SharedAccessKeyName and SharedAccessKey nor SharedAccessSignature")
	}
	if fields["sharedaccesskeyname"] != "" && fields["sharedaccesskey"] == "" {
		return Settings{}, fmt.Errorf("the connection string has SharedAccessKeyName but no SharedAccessKey")
	}
	port := u.Port()
	if port == "" {
		port = eventHubsPort
	}
	return Settings{
		Topic:   fields["entitypath"],
		Brokers: []string{net.JoinHostPort(u.Hostname(), port)},
		TLS:     true,
		// Event Hubs' Kafka endpoint: SASL PLAIN, user $ConnectionString,
		// the whole connection string as password.
		User:     "$ConnectionString",
		Password: cs,
	}, nil
}

// redactPart shows the key of a connection string part, never its value.
func redactPart(p string) string {
	if len(p) > 12 {
		return p[:4] + "..."
	}
	return p
}

// envName upper-cases s and replaces every character that is not a letter
// or digit with an underscore.
func envName(s string) string {
	b := []byte(strings.ToUpper(s))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
