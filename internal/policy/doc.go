// Package policy is tollgate's model of APIM policy documents.
//
// It owns: one Go type per policy element of the APIM inventory with typed
// attributes (literal, expression or named-value template), the placement
// rules (which policy may stand in which section and scope), named-value
// substitution, include-fragment inlining, the composition of the global,
// product, API and operation documents through <base/> into an effective
// policy, and the printer of that effective policy.
//
// Everything here happens at load time. The gateway executes the typed model;
// it never parses XML or expression text per request.
//
// Invariants: every diagnostic points at the exact span in the policy file;
// loading collects every problem instead of stopping at the first; resolved
// secret named values never appear in a String method, a diagnostic or the
// printed effective policy.
//
// Package policy imports diag and xmlscan. It must not import net/http,
// config, gateway or any Redis client, and it reaches the expression
// compiler only through the ExprCompiler function in Env.
package policy
