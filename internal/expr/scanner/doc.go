// Package scanner is the lexer for the C# subset used in policy expressions
// (@(...) and @{...}).
//
// It owns two things: Tokenize, which turns a range of source text into
// tokens (identifiers, keywords, numbers, strings, characters, interpolated
// strings with their holes, operators), and ExprEnd, which finds where a
// policy expression embedded in XML ends by reading it as C# (balancing
// brackets while skipping string, verbatim, interpolated and character
// literals and comments). The XML reader uses ExprEnd; the expression parser
// uses Tokenize.
//
// Positions are byte offsets into the string the caller passes, so a caller
// that hands over a whole policy file gets file offsets back unchanged.
// Errors are *Error values holding such an offset; the first error stops the
// scan.
//
// Two choices a parser must know about:
//   - ">>" is never one token. The scanner emits two ">" tokens whose
//     positions touch (the second's Pos equals the first's End); the parser
//     closes nested type arguments with them (List<List<int>>) and combines
//     touching ">" ">" into a right shift elsewhere. ">>=" and ">=" are single
//     tokens.
//   - A lone "@" (not starting a verbatim string, interpolated string or
//     identifier) is returned as the Punct "@", so that the parser may accept
//     the "@(" / "@{" marker of a policy expression.
//
// The holes of an interpolated string are not tokenized: each hole's Part
// gives the byte range of its expression, for the parser to Tokenize in turn.
// As in C#, the format clause starts at the first ':' that is not inside
// parentheses, brackets or braces, so a conditional expression in a hole must
// be parenthesized; "::" (alias qualifier) never starts a format.
//
// The package imports only the standard library and must not import any
// other tollgate package: it knows nothing of XML, files or diagnostics.
package scanner
