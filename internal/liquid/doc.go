// Package liquid runs the Liquid templates of APIM's
// <set-body template="liquid"> policy the way APIM's DotLiquid runs them in
// its "C# naming" mode.
//
// It owns:
//   - compiling a template once (Compile), with errors that carry the line
//     within the template text, and rendering it per request
//     (Template.Render), safely from many goroutines;
//   - the `body` variable: the message body read as JSON (application/json,
//     text/json, *+json) or XML (application/xml, text/xml, *+xml), with
//     APIM's parse-date and xsi-nil options; other content types leave
//     `body` unbound;
//   - the `context` variable: the request (method, URLs, IP address,
//     matched template parameters, headers, HasBody) and, outbound, the
//     response (status code, headers);
//   - APIM's filter set under its PascalCase names (Append … UrlEncode),
//     with DotLiquid's conversions, and Date with .NET format strings
//     through internal/dotnet.
//
// Names follow DotLiquid's C# convention, which looks filters up by exact
// name and hands the input back unchanged when no filter matches: Shopify's
// lower-case names (upcase, date, …) and unknown names are therefore
// accepted and do nothing; Template.Warnings points them out. The include
// and render tags are not available; DotLiquid's increment and decrement
// are.
//
// Shape of `body` for XML: the root is an object with one key, the root
// element's local name. An element with neither attributes nor child
// elements is its text; one with xsi:nil="true" is "" (xsi-nil="blank")
// or null (xsi-nil="null"); any other element is an object with "@name"
// keys for attributes, its child elements by local name in document order
// (repeated names become a list) and "#text" for non-blank mixed text.
// Namespace prefixes are dropped and lookups fall back to a match that
// ignores case, so body.envelope.body reaches soap:Envelope/soap:Body.
// JSON objects keep their order and match keys exactly. Iterating an
// object or a header collection yields entries with Key and Value. An
// object printed directly renders as compact JSON.
//
// Every render has budgets (Limits, set at CompileWithLimits): its output
// and every string one filter or capture builds (DefaultMaxOutput), its
// loop iterations (DefaultMaxIterations), the parsed body
// (DefaultMaxBodyMemory), and the context given to RenderContext, which
// the loops watch. A render that goes over one fails with a *BudgetError
// inside an *Error carrying the template line; what a filter would build
// is checked before it is built.
//
// Rendering uses github.com/osteele/liquid's parser, expressions and
// whitespace control, with tollgate's own tags (tags.go: the loops count
// against the budget, capture builds within it). Body parsing is done
// here (no reflection, one copy of the body); the engine itself uses
// reflection to call filters.
//
// This package must not import the gateway, policy or configuration
// packages: the gateway builds Message and Context values and calls
// Render; positions within the policy file are the caller's to add.
package liquid
