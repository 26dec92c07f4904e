package graphql

import (
	"errors"
	"strconv"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Schema is a parsed and validated GraphQL schema. It is immutable and safe
// for concurrent use by any number of Validate calls.
type Schema struct {
	name string
	s    *ast.Schema
}

// SchemaError is an error in a schema's SDL, at a 1-based line and column of
// the named source. Line is 0 when the error has no position.
type SchemaError struct {
	Name         string
	Line, Column int
	Message      string
}

// Error returns "name:line:col: message".
func (e *SchemaError) Error() string {
	if e.Line == 0 {
		return e.Name + ": " + e.Message
	}
	return e.Name + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column) + ": " + e.Message
}

// ParseSchema parses and validates a schema written in the GraphQL schema
// definition language (SDL), such as APIOps's specification.graphql. name
// names the source in errors; the error is a *SchemaError.
func ParseSchema(name, sdl string) (*Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		se := &SchemaError{Name: name, Message: err.Error()}
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			se.Message = ge.Message
			if len(ge.Locations) > 0 && ge.Locations[0].Line > 0 {
				se.Line, se.Column = ge.Locations[0].Line, ge.Locations[0].Column
			}
		}
		return nil, se
	}
	if s.Query == nil {
		return nil, &SchemaError{Name: name, Message: "the schema defines no query type"}
	}
	return &Schema{name: name, s: s}, nil
}

// rootName returns the name of the root type of operations of kind op: the
// schema's when there is one, else Query, Mutation or Subscription.
func (s *Schema) rootName(op ast.Operation) string {
	if s != nil {
		var d *ast.Definition
		switch op {
		case ast.Mutation:
			d = s.s.Mutation
		case ast.Subscription:
			d = s.s.Subscription
		default:
			d = s.s.Query
		}
		if d != nil {
			return d.Name
		}
	}
	switch op {
	case ast.Mutation:
		return "Mutation"
	case ast.Subscription:
		return "Subscription"
	}
	return "Query"
}
