// Package expr is the facade of tollgate's C# policy-expression engine: it
// compiles the text of an "@(...)" or "@{...}" value once (parse, static
// checks, compilation to a closure tree) and evaluates the result against a
// per-request Context, with a step budget, cancellation and .NET-style
// runtime errors that point at the failing sub-expression in the policy file.
//
// The phases live in sub-packages that import only earlier ones: scanner,
// syntax, value (runtime values, context model and the .NET library table),
// compile. This package imports them all and must not import net/http or
// any gateway package.
package expr
