// Package demo holds the built-in demonstration that `tollgate run` serves
// when it is given no folder: a small APIOps tree (an echo API with
// operations, an open API, a versioned API, a product and a subscription)
// and an in-process echo backend on loopback that the tree points at.
//
// demo imports only the standard library.
package demo
