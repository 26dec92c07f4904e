// Package validate owns the checks of APIM's content validation policies
// that need no gateway: JSON Schema validation of message bodies, checks of
// parameter and header values against their schemas, and the error objects
// ({Name, Type, ValidationRule, Details, Action}) with APIM's texts.
//
// Schemas are compiled once, when a configuration loads; validating a body
// or a value does no schema parsing. Every failure carries two texts: the
// APIM details (what the errors variable and context.LastError show) and a
// precise cause for tollgate's log (which property, which rule, which
// value).
//
// It must not import the gateway, the configuration loader or anything that
// knows HTTP. It is the only package that imports
// github.com/santhosh-tekuri/jsonschema/v6.
package validate
