package policy

import (
	"slices"

	"github.com/tollgate/tollgate/internal/xmlscan"
)

// spec says how to read a policy element and where it may stand.
type spec struct {
	parse    func(l *loader, e *xmlscan.Element, c ctx) Policy
	sections uint8 // bit per Section
	scopes   uint8 // bit per Scope; 0 means every scope
	once     bool  // at most once per section of one document
}

const (
	in  = 1 << Inbound
	be  = 1 << Backend
	out = 1 << Outbound
	oe  = 1 << OnError
	all = in | be | out | oe

	notGlobal   = 1<<Product | 1<<API | 1<<Operation
	productOnly = 1 << Product
)

// policyTable is the registry of every policy element tollgate knows, with
// the sections each may stand in (the "usage" of the APIM policy reference)
// and the scopes where that is restricted. include-fragment is handled by
// the loader itself.
func policyTable() map[string]spec {
	return map[string]spec{
		// Control flow.
		"base":              {sections: all},
		"choose":            {parse: parseChoose, sections: all},
		"retry":             {parse: parseRetry, sections: all},
		"wait":              {parse: parseWait, sections: in | be | out},
		"limit-concurrency": {parse: parseLimitConcurrency, sections: all},

		// Variables, status, method, headers, query, body.
		"set-variable":          {parse: parseSetVariable, sections: all},
		"set-status":            {parse: parseSetStatus, sections: all},
		"set-method":            {parse: parseSetMethod, sections: in | oe},
		"set-header":            {parse: parseSetHeader, sections: all},
		"set-query-parameter":   {parse: parseSetHeader, sections: in | be},
		"set-body":              {parse: parseSetBody, sections: all},
		"find-and-replace":      {parse: parseFindAndReplace, sections: all},
		"rewrite-uri":           {parse: parseRewriteURI, sections: in},
		"json-to-xml":           {parse: parseJSONToXML, sections: in | out | oe},
		"xml-to-json":           {parse: parseXMLToJSON, sections: in | out | oe},
		"xsl-transform":         {parse: parseXSLTransform, sections: in | out | oe},
		"redirect-content-urls": {parse: parseRedirectContentURLs, sections: in | out},
		"jsonp":                 {parse: parseJSONP, sections: out, once: true},
		"cross-domain":          {parse: parseCrossDomain, sections: in},

		// Routing, responses and external calls.
		"forward-request":      {parse: parseForwardRequest, sections: be},
		"set-backend-service":  {parse: parseSetBackendService, sections: in | be | oe},
		"proxy":                {parse: parseProxy, sections: in},
		"return-response":      {parse: parseReturnResponse, sections: all},
		"mock-response":        {parse: parseMockResponse, sections: in | out | oe},
		"send-request":         {parse: parseSendRequest, sections: all},
		"send-one-way-request": {parse: parseSendRequest, sections: all},
		"log-to-eventhub":      {parse: parseLogToEventHub, sections: all},

		// Access control and authentication.
		"cors":                            {parse: parseCORS, sections: in, once: true},
		"rate-limit":                      {parse: parseRateLimit, sections: in, scopes: notGlobal, once: true},
		"rate-limit-by-key":               {parse: parseRateLimitByKey, sections: in},
		"quota":                           {parse: parseQuota, sections: in, scopes: productOnly, once: true},
		"quota-by-key":                    {parse: parseQuotaByKey, sections: in},
		"ip-filter":                       {parse: parseIPFilter, sections: in},
		"check-header":                    {parse: parseCheckHeader, sections: in},
		"validate-jwt":                    {parse: parseValidateJWT, sections: in},
		"validate-azure-ad-token":         {parse: parseValidateAzureADToken, sections: in},
		"validate-client-certificate":     {parse: parseValidateClientCertificate, sections: in},
		"get-authorization-context":       {parse: parseGetAuthorizationContext, sections: in},
		"authentication-basic":            {parse: parseAuthenticationBasic, sections: in},
		"authentication-certificate":      {parse: parseAuthenticationCertificate, sections: in},
		"authentication-managed-identity": {parse: parseAuthenticationManagedIdentity, sections: in | out},
		"llm-token-limit":                 {parse: parseLLMTokenLimit, sections: in},
		"azure-openai-token-limit":        {parse: parseLLMTokenLimit, sections: in},

		// Caching.
		"cache-lookup":       {parse: parseCacheLookup, sections: in, once: true},
		"cache-store":        {parse: parseCacheStore, sections: out, once: true},
		"cache-lookup-value": {parse: parseCacheLookupValue, sections: all},
		"cache-store-value":  {parse: parseCacheStoreValue, sections: all},
		"cache-remove-value": {parse: parseCacheRemoveValue, sections: all},

		// AI gateway.
		"llm-semantic-cache-lookup":          {parse: parseLLMSemanticCacheLookup, sections: in, once: true},
		"azure-openai-semantic-cache-lookup": {parse: parseLLMSemanticCacheLookup, sections: in, once: true},
		"llm-semantic-cache-store":           {parse: parseLLMSemanticCacheStore, sections: out, once: true},
		"azure-openai-semantic-cache-store":  {parse: parseLLMSemanticCacheStore, sections: out, once: true},
		"llm-content-safety":                 {parse: parseLLMContentSafety, sections: in},

		// Content validation.
		"validate-content":         {parse: parseValidateContent, sections: in | out | oe},
		"validate-parameters":      {parse: parseValidateParameters, sections: in},
		"validate-headers":         {parse: parseValidateHeaders, sections: out | oe},
		"validate-status-code":     {parse: parseValidateStatusCode, sections: out | oe},
		"validate-odata-request":   {parse: parseValidateODataRequest, sections: in, once: true},
		"validate-graphql-request": {parse: parseValidateGraphQLRequest, sections: in, once: true},

		// Logging and metrics.
		"trace":                          {parse: parseTrace, sections: all},
		"emit-metric":                    {parse: parseEmitMetric, sections: all},
		"llm-emit-token-metric":          {parse: parseLLMEmitTokenMetric, sections: in},
		"azure-openai-emit-token-metric": {parse: parseLLMEmitTokenMetric, sections: in},

		// Messaging: Dapr and Service Bus.
		"send-service-bus-message": {parse: parseSendServiceBusMessage, sections: all},
		"publish-to-dapr":          {parse: parsePublishToDapr, sections: all},
		"invoke-dapr-binding":      {parse: parseInvokeDaprBinding, sections: all},
	}
}

// Known reports whether name is a policy element tollgate can read
// (include-fragment included).
func Known(name string) bool {
	_, ok := policyTable()[name]
	return ok || name == "include-fragment"
}

// Names returns every policy element name tollgate can read, sorted.
func Names() []string {
	out := append(mapKeys(policyTable()), "include-fragment")
	slices.Sort(out)
	return out
}
