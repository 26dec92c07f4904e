// Package xmlscan reads APIM policy files: a tolerant XML reader that gives
// every element, attribute, text and comment a span in the file.
//
// It owns the XML level only. Policy files come in two forms: "xml", which
// is well-formed XML with policy expressions entity-escaped (&quot;,
// &amp;&amp;, &lt;), and "rawxml", the form APIOps extracts, where
// expressions are written verbatim and attribute values and element text hold
// raw quotes, '<' and '&&' inside @(...) and @{...}. Parse reads both: where
// a value starts with "@(" or "@{" it finds the end of the expression by
// reading it as C# (scanner.ExprEnd), so the quote or '<' that ends the XML
// construct is the first one after the expression. Entities and character
// references are decoded everywhere, expressions included; line breaks in
// attribute values are kept (no attribute-value normalisation), so a "//"
// comment in a multi-line expression stays a line comment. Each Text keeps an
// offset map from its decoded Value back to file offsets, so positions inside
// an expression can be reported at the right line and column.
//
// Parse never stops at the first problem: mismatched and missing end tags,
// unterminated comments, CDATA sections and expressions, "--" inside a
// comment and a missing root element are reported as diagnostics, and
// reading goes on. Literal quotes inside a non-expression attribute value
// (subject="CN=x, O="Contoso, Inc.", C=US") are accepted with a warning: the
// value ends at the first quote that is followed by '>', "/>" or another
// attribute.
//
// The package knows no policy names: which elements hold raw content (such
// as set-body templates) is passed in Options. It imports only the standard
// library, internal/diag and internal/expr/scanner, and must not import
// internal/policy or anything above it.
package xmlscan
