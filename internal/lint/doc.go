// Package lint finds the configuration traps of an APIOps folder before it
// is deployed: the mistakes APIM accepts silently and that show up later as
// a bare 401, a CORS error in a browser, a 429 that comes from the wrong
// scope or a 500 from an expression.
//
// Every trap is a Rule of the catalogue (Rules), with a stable id such as
// TG003, a severity, the fix and the section of docs/troubleshooting.md that
// explains it. Run judges the effective policy of every API and operation,
// in every product that carries it and without a product, plus the entities
// around it (backends, service URLs, operations), and returns one Finding per
// trap: the position that must change, the other positions involved, and a
// message naming the concrete values.
//
// Problems the load step already reports as errors (a missing named value,
// a secret without a value) are not reported again: FromDiagnostics turns
// the load step's diagnostics into findings of the matching rule, so that a
// machine-readable report (WriteJSON, WriteSARIF) carries each trap once.
package lint
