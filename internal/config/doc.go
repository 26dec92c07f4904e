// Package config owns the configuration model and its loader: it reads the
// folder that APIM's APIOps extractor writes and returns an immutable
// Snapshot of every entity the gateway needs, with every problem found as a
// positioned diagnostic ("path:line:col: error: message [code]").
//
// # Layouts
//
// Three on-disk layouts are accepted and detected from folder names
// (Snapshot.Layout): Azure/apiops v6 and v7 ("named values/", "version
// sets/", "policy fragments/", link folders such as
// products/<p>/apis/<api>/productApiInformation.json), Azure/apiops v4 and
// v5 (products/<p>/apis.json arrays, version sets/<v>/apiVersionSetInformation.json)
// and apiops-cli (camelCase namedValues/, policyFragments/, versionSets/ and
// apis/<a>/operations/<op>/operationInformation.json). The reader is
// lenient about mixing: every link form and both information-file names are
// read in every layout. Folders tollgate does not use (gateways, tags, ...)
// are skipped; unknown top-level folders are warned
// about; workspaces are not loaded (a warning says so).
//
// # Entities and defaults
//
// An API's folder name is its ID; "<name>;rev=N" folders are non-current
// revisions. isCurrent defaults to true for a folder without ";rev=" and to
// false for one with it; a non-current revision takes path, version,
// version set, subscription settings, display name, description, protocols,
// type and service URL from the current revision when its own file does not
// set them. isOnline and subscriptionRequired default to true, the key names
// to Ocp-Apim-Subscription-Key and subscription-key, the type to http.
//
// Operations come from operationInformation.json files when an API has any,
// else from specification.yaml, .yml or .json (OpenAPI 3.x or Swagger 2.0).
// Imported like APIM does, a required query parameter joins the URL
// template ("/orders?date={date}") unless the API sets
// translateRequiredQueryParameters to "query"; an operation without
// operationId is named from its method and path ("get-orders-id").
// operations/<op>/policy.xml attaches to the operation of that name.
//
// Load does not parse policy files: it keeps them as diag.File values, byte
// for byte (byte order mark and CRLF included), and LoadPolicies compiles
// them with the policy package.
//
// # Secrets
//
// Values files (Options.ValuesFiles, the APIOps configuration.<env>.yaml
// format) are merged over the folder's properties, later files winning; the
// environment (Options.Env) wins over both: TOLLGATE_NAMED_VALUE_<NAME> for
// a named value and TOLLGATE_SUBSCRIPTION_<NAME>_PRIMARY_KEY /
// _SECONDARY_KEY for subscription keys, where NAME is the resource name (or
// the display name) upper-cased with every character other than a letter or
// digit replaced by "_". A secret without a value and a subscription
// without keys are warnings, not errors.
//
// # Imports
//
// The loader uses diag, the standard library, go.yaml.in/yaml/v3 and
// jsontext; LoadPolicies adds the policy package. config must not import
// the gateway, admin or cli packages: they consume a Snapshot.
package config
