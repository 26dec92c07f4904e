// Package graphql backs APIM's validate-graphql-request policy: it reads a
// GraphQL request from HTTP, validates it (syntax, the schema when there is
// one, size, depth and complexity limits) and authorizes every field it
// selects against the policy's <authorize> rules, cutting out the fields a
// remove rule refuses. It is a library: the gateway parses the policy, sends
// the responses and calls the backend.
//
// The package owns the dependency on github.com/vektah/gqlparser/v2 (parser,
// validator with the specification's rules, formatter); no gqlparser type
// appears in its API. It imports no other tollgate package.
//
// # Flow
//
// ReadRequest decodes GET and POST requests (application/json,
// application/graphql), refusing a body over max-size before decoding it.
// ParseSchema loads the API's SDL once; CheckRules vets rule paths at load.
// Validate then, per request: refuses query text over max-size (and over
// MaxSizeCap, 102,400 bytes, always); parses; refuses a document of more than
// MaxFields (250) fields or 500 fragment spreads as written, and one whose
// fragments spread themselves, so that the validator's work is bounded;
// validates against the schema (at most 10 validation errors are listed);
// selects the operation by operationName;
// checks the variables' values against their declared types; measures the
// operation and applies the rules. Request errors carry extensions.code
// (the Code constants) and the locations of the query they concern.
//
// # Measures
//
// Fragments (named and inline) are expanded wherever they are spread, and add
// no level of their own. A field's depth is the number of fields on the path
// from the operation to it, itself included: in { users { friends { name } } }
// name is at depth 3. max-depth bounds the greatest depth; the error names the
// path where the limit is first passed, as /Query/users/friends/..., or
// /Query/users/...F when the excess is inside fragment F spread there.
// max-total-depth bounds the sum of the depths of all leaf fields (fields
// without a selection set), which grows with both width and depth:
// { a { b c } d } has total depth 2+2+1 = 5. max-complexity bounds the number
// of fields selected, each field 1, a fragment's fields counted once per
// spread: it is the number of fields the backend resolves per object. Each
// fragment is measured once and its measures reused at every spread, so
// fragments spreading each other many times over cost linear time; counts
// saturate at 2^53.
//
// # Rules
//
// A rule path is /Type/field: the field named field of object type Type. Each
// segment may end with *, matching any name with the literal prefix before it
// (/Query/* every field of Query, /Query/user* user, users and userById,
// /*/email the email field of every type). Like * in a shell skipping dot
// files, a wildcard does not match names starting with "__" unless its prefix
// does: /Query/* does not match __schema.
//
// The introspection system is /__*, a single segment starting with "__": it
// matches the meta-fields __schema and __type, and every field of the
// introspection types (__Schema, __Type, ...). __typename is deliberately not
// matched by a wildcard: it is harmless (it reveals only the name of a type
// the client asked for) and clients such as Apollo add it to every selection
// set, so refusing it would break them. Name it exactly to govern it:
// /__typename (everywhere) or /User/__typename.
//
// For each field selected, fragments expanded, the rules matching it are
// ranked: a two-segment path beats /__..., then the type segment decides and
// then the field segment, an exact name beating a wildcard and a longer
// wildcard prefix beating a shorter. The best-ranked rule whose action is not
// ignore decides (ignore means "this rule does not apply here", so the next
// best decides); among equals, the first given. No rule: the field is allowed.
// allow passes the field; reject fails the request with a request error
// naming the field and the rule (its 1-based position, path and action);
// remove cuts the field from the forwarded query and reports a field error
// with the field's response path. deny is read as reject. Rules apply only
// when the request is otherwise valid.
//
// With a schema every field's parent type is known, through inline fragments
// and named fragments alike (their type conditions are validated). A field
// selected on an interface or union type may come from any of its object
// types: it is decided for each of them and the most restrictive outcome
// holds, so /User/email reject also refuses { node { email } } when User
// implements Node. Rules naming interface, union, input, enum or scalar types
// match nothing; CheckRules reports them. Without a schema only the
// operation's own level has a known type (Query, Mutation or Subscription),
// type conditions are not trusted (a client could write ... on Anything), and
// nested fields can be matched only by the introspection rules.
//
// # Removal
//
// The forwarded query is the original text when nothing is removed. Otherwise
// it is reprinted by gqlparser's formatter, with the selected operation only
// and the fragments it still spreads: removed fields go, then any field,
// inline fragment, fragment definition or spread left with an empty selection
// set (so the response lacks the parent rather than carrying an empty
// object); an operation left with no field selects __typename; variable
// definitions no longer used are dropped (the client's values for them are
// ignored by GraphQL servers). Comments and the directives of variable
// definitions are not reprinted. A field inside a named fragment is removed
// from the fragment, so from every place it is spread.
//
// # Bounds
//
// Every request is bounded: the query text by MaxSizeCap, the parser's
// nesting by its 1,000 levels (reported as QUERY_TOO_DEEP), the validator's
// work by MaxFields and the limit on spreads (its overlapping-fields rule
// compares the fragments spread in a selection set pairwise: 20,000 spreads
// took it 1.6 s), and the walk by memoized fragment measures, a search for
// fragment cycles in linear time before the validator runs (gqlparser's own
// finds them only with a schema, and slowly) and a limit of 4,096 nested
// selection sets counting fragments. The worst requests found take tens of
// milliseconds.
package graphql
