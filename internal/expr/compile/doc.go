// Package compile turns a parsed policy expression into a tree of Go
// closures, once, so that evaluation does no parsing, no name lookup and no
// reflection. On the way it performs the static checks C# would: unknown
// names and members (with "did you mean" suggestions), wrong argument counts,
// arguments of an obviously wrong type, invalid casts between known types.
//
// It imports package syntax and package value; it must not import the facade
// package internal/expr.
package compile
