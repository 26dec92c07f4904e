// Package confdiff compares two configurations as their callers see them:
// APIs, operations, products, subscriptions, named values and backends added,
// removed or changed; the effective policy of every operation, as a unified
// diff of the composed policy with its scope annotations; and the findings
// that are new or fixed.
//
// A Side is one loaded configuration; Compare builds a Report of two Sides,
// which WriteText and WriteMarkdown print. Materialize turns a "git:REV"
// argument into a folder holding that revision's files. Keys and secret
// values never appear in a Report: a change of one is reported by name only.
package confdiff
