package config

import (
	"github.com/tollgate/tollgate/internal/diag"
)

// Snapshot is one complete, loaded configuration: every entity of an APIOps
// folder with secrets resolved. A Snapshot is immutable once Load returns it;
// a reload builds a new one.
type Snapshot struct {
	Dir    string // folder it was loaded from
	Layout Layout // which artifact layout was detected

	GlobalPolicy *diag.File // policy.xml at the root, or nil

	APIs          []*API                 // every API entity, revisions included, sorted by ID
	Products      map[string]*Product    // by resource name
	Subscriptions []*Subscription        // sorted by name
	NamedValues   map[string]*NamedValue // by resource name
	VersionSets   map[string]*VersionSet // by resource name
	Backends      map[string]*Backend    // by resource name
	Fragments     map[string]*Fragment   // by resource name
	Groups        map[string]*Group      // by resource name
	Users         map[string]*User       // by resource name
	Loggers       map[string]*Logger     // by resource name
	// DiagnosticEntities are the service's diagnostics/ entities by
	// resource name ("applicationinsights", "azuremonitor").
	DiagnosticEntities map[string]*DiagnosticEntity
	Diagnostics        diag.List // warnings kept from loading

	// Policies are the compiled policy documents; nil until LoadPolicies
	// has run.
	Policies *Policies
}

// Layout names an APIOps artifact layout.
type Layout string

const (
	LayoutV7  Layout = "apiops-v7"  // "named values/", link files (v6 and v7)
	LayoutV5  Layout = "apiops-v5"  // products/<p>/apis.json (v4 and v5)
	LayoutCLI Layout = "apiops-cli" // camelCase folders: namedValues/, policyFragments/
)

// API is one API entity: one revision of one API (version).
type API struct {
	ID          string // folder name: "orders" or "orders;rev=2"
	Name        string // resource name without ";rev=N"
	DisplayName string
	Description string
	Path        string   // URL suffix without leading or trailing slash; may be ""
	ServiceURL  string   // backend base URL; may be "" (then a policy must set one)
	Protocols   []string // "http", "https", "ws", "wss"; empty means both http and https
	// DiagnosticEntities are the API's own diagnostics
	// (apis/<id>/diagnostics/<name>), which override the service's for it.
	DiagnosticEntities map[string]*DiagnosticEntity

	Revision  string // "1", "2", ...
	IsCurrent bool
	IsOnline  bool

	APIVersion   string      // version identifier within its version set, "" for the Original
	VersionSetID string      // resource name of the version set, "" when not versioned
	VersionSet   *VersionSet // resolved VersionSetID

	SubscriptionRequired bool
	KeyHeader            string // subscription key header name; default Ocp-Apim-Subscription-Key
	KeyQuery             string // subscription key query parameter; default subscription-key
	Type                 string // http, soap, graphql, websocket, ...

	// RequiredQueryInTemplate is false when translateRequiredQueryParameters
	// is "query": required query parameters of the specification then stay
	// plain query parameters instead of joining the URL template.
	RequiredQueryInTemplate bool

	Operations []*Operation // sorted by name
	Products   []*Product   // products that link this API, sorted by name
	Policy     *diag.File   // apis/<id>/policy.xml, or nil
	// GraphQLSchema is apis/<id>/specification.graphql (SDL), or nil.
	GraphQLSchema *diag.File

	Info diag.Span // apiInformation.json, for diagnostics
}

// Operation is one operation of an API.
type Operation struct {
	Name        string // operationId / resource name
	DisplayName string
	Method      string // upper-case; "*" matches any method
	URLTemplate string // e.g. "/customers/{cid}/orders?date={date}"
	Parameters  []Parameter
	Responses   []Response // declared responses with examples, for mock-response
	// RequestBodies holds the request body schema per media type, for
	// validate-content; nil when the specification declares no body.
	RequestBodies map[string]*Schema
	// DefaultResponse is the "default" response of the specification, or nil.
	DefaultResponse *Response
	Policy          *diag.File // operations/<name>/policy.xml, or nil

	Where diag.Span // where the operation is declared (specification or information file)
}

// Parameter is a template or query parameter of an operation.
type Parameter struct {
	Name     string
	In       string // "path", "query" or "header"
	Required bool
	Type     string
	Default  string
	Values   []string
	// Schema is the value's schema (type, format, enum, pattern, bounds)
	// for validate-parameters and validate-headers; nil when the
	// specification gives none.
	Schema *Schema
}

// Schema is a self-contained JSON Schema document taken from a
// specification: local references to components or definitions resolve
// inside Doc, which names its draft in "$schema" (draft-04 for Swagger 2.0
// and OpenAPI 3.0, 2020-12 for OpenAPI 3.1).
type Schema struct {
	Name string // the definition the schema refers to ("Pet" for #/components/schemas/Pet), else ""
	Doc  []byte // the JSON Schema document
}

// Response is a declared operation response, used by mock-response.
type Response struct {
	Status  int
	Content map[string]string // media type -> example body ("" when the media type has no example)
	// Schemas holds the body schema per media type, for validate-content.
	Schemas map[string]*Schema
	// Headers lists the declared response headers, for validate-headers.
	Headers []Parameter
}

// Product groups APIs under one subscription and policy.
type Product struct {
	Name                 string
	DisplayName          string
	Description          string
	State                string // "published" or "notPublished"
	SubscriptionRequired bool
	ApprovalRequired     bool
	SubscriptionsLimit   *int
	APIs                 []string // linked API names (without ;rev)
	Groups               []string
	Policy               *diag.File

	Info diag.Span
}

// Subscription is a named container of two keys, scoped to all APIs, one API
// or one product.
type Subscription struct {
	Name         string
	DisplayName  string
	Scope        string // as written: "/apis", "/apis/x", "/products/x"
	ScopeKind    ScopeKind
	ScopeTarget  string // API or product name for ScopeAPI and ScopeProduct
	State        string // active, suspended, submitted, rejected, cancelled, expired
	PrimaryKey   string // secret
	SecondaryKey string // secret
	AllowTracing bool
	OwnerID      string // user resource name, "" when none

	Info diag.Span
}

// ScopeKind says what a subscription grants access to.
type ScopeKind int

const (
	ScopeAllAPIs ScopeKind = iota // "/apis"
	ScopeAPI                      // "/apis/<api>"
	ScopeProduct                  // "/products/<product>"
	ScopeService                  // the built-in all-access subscription
)

// NamedValue is a {{displayName}} substitution.
type NamedValue struct {
	Name        string
	DisplayName string
	Value       string // resolved; secret values come from the environment or a values file
	Secret      bool
	HasValue    bool // false when a secret's value was not supplied
	Tags        []string
	KeyVault    string // keyVault.secretIdentifier, "" when the value is not in Key Vault

	Info diag.Span
}

// VersionSet groups the versions of one API.
type VersionSet struct {
	Name        string
	DisplayName string
	Scheme      string // "Segment", "Query" or "Header"
	QueryName   string // for Query
	HeaderName  string // for Header

	Info diag.Span
}

// Backend is a backend entity referenced by set-backend-service backend-id.
type Backend struct {
	Name       string
	URL        string
	Protocol   string
	Type       string         // "Single" or "Pool"
	Properties map[string]any // the raw properties: credentials, tls, circuitBreaker, pool, proxy

	Info diag.Span
}

// Logger is a logger entity, the target of log-to-eventhub's logger-id.
type Logger struct {
	Name        string
	Type        string // loggerType: "azureEventHub", "applicationInsights", "azureMonitor"
	Description string
	IsBuffered  bool
	ResourceID  string
	// Credentials are the credentials' string members as written (an Event
	// Hub's name and connectionString, an instrumentation key), named-value
	// references such as {{Logger-Credentials--x}} not yet substituted.
	Credentials map[string]string
	// CredentialSpans are where each credential is written, for diagnostics.
	CredentialSpans map[string]diag.Span

	Info diag.Span
}

// DiagnosticEntity is a diagnostic entity of the service
// (diagnostics/<name>/diagnosticInformation.json): what APIM sends to a
// logger, and how much of it. tollgate reads the sampling and verbosity of
// "applicationinsights" for its OpenTelemetry traces and the trace policy's
// log records, and the verbosity of "azuremonitor" for the trace messages
// on the gateway log line (docs/compat.md, "Diagnostic entities").
type DiagnosticEntity struct {
	Name     string
	LoggerID string // loggerId as written, a resource id ending in the logger's name
	// SamplingPercentage is sampling.percentage, from 0 to 100; nil when
	// the entity gives none.
	SamplingPercentage *float64
	// Verbosity is "verbose", "information" or "error"; "" when not given.
	Verbosity string
	AlwaysLog string // "allErrors" or ""

	Info diag.Span
}

// Fragment is a policy fragment, inlined by include-fragment.
type Fragment struct {
	Name        string
	Description string
	Policy      *diag.File
}

// Group is a developer group.
type Group struct {
	Name        string
	DisplayName string
	Type        string
}

// User is a developer account; only used to fill context.User.
type User struct {
	Name      string
	Email     string
	FirstName string
	LastName  string
	Groups    []string
}

// APIByID returns the API entity with the given folder name, or nil.
func (s *Snapshot) APIByID(id string) *API {
	for _, a := range s.APIs {
		if a.ID == id {
			return a
		}
	}
	return nil
}
