// Package syntax owns the abstract syntax tree of tollgate's C# policy
// expressions and the recursive-descent parser that builds it from the tokens
// of package scanner. Every node carries byte offsets into the expression
// source so that later phases can point at the exact sub-expression.
//
// It imports only the standard library and package scanner; it must not import
// the checking, compilation or runtime packages.
package syntax
