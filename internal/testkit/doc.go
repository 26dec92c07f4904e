// Package testkit holds helpers shared by tests across tollgate: for now a
// real redis-server started on a free loopback port for each test that needs
// one (StartRedis).
//
// It is imported only from _test.go files and must never be imported by
// production code. It uses the standard library only.
package testkit
