// Package xmlbody owns tollgate's message-body conversions between JSON and
// XML: the json-to-xml and xml-to-json policies, and the content-type tests
// that decide whether a body is JSON or XML.
//
// The conversions reproduce the shapes APIM produces as far as they are
// known; docs/compat.md ("Body conversions") lists every choice that was
// inferred rather than documented. In short:
//
// JSONToXML
//   - A JSON object with exactly one property whose value is not an array
//     becomes that element as the root; any other document is wrapped in a
//     <Document> root (a top-level array's items become <Item> children).
//   - A repeated property name replaces the first one's value, as when
//     Json.NET loads a JObject. Arrays repeat the element name; an empty
//     array or object gives an empty element; null gives xsi:nil="true"
//     with its xmlns:xsi declaration; booleans are written True and False;
//     integers keep their digits and other numbers are written as .NET
//     writes a double; with ParseDate, ISO 8601 date-times are written as
//     .NET's invariant culture writes a DateTime (MM/dd/yyyy HH:mm:ss, UTC).
//   - Names that are not XML names are encoded as XmlConvert.EncodeLocalName
//     does (_x0020_ for a space). A name "p<separator>local" becomes p:local
//     when prefix p is declared in scope by a NamespacePrefix property.
//   - The output has no XML declaration, is indented by two spaces with
//     "\n" line ends (line breaks inside text too), and writes empty
//     elements as <name />.
//
// XMLToJSON
//   - The result is an object holding the root element under its name. In
//     "direct" form the XML declaration's pseudo-attributes come first
//     (version, encoding, standalone), names keep their prefixes with ':'
//     written as '$', and namespace declarations stay as attributes. The
//     "javascript-friendly" form drops the declaration and namespace
//     declarations and uses local names.
//   - Attributes are "@name" properties; text beside attributes or child
//     elements is "#text"; same-named children are grouped into an array
//     at the first one's position (always, with AlwaysArrayChildElements);
//     an element with text only is a string; <a/> is null and <a></a> is
//     "". Every value is a string. CDATA is text; comments, processing
//     instructions and the DOCTYPE are dropped; whitespace-only text is
//     dropped.
//   - The output is indented by two spaces with "\n" line ends, as
//     Json.NET's JToken.ToString writes it.
//
// Malformed input gives an *Error carrying the line and column; so do
// nesting deeper than 1000 levels, names and text XML cannot carry, and
// undeclared namespace prefixes. Both directions work on the whole body in
// memory; callers bound its size, and each conversion has budgets (Limits:
// the output, 16 MiB by default, and the parsed document, 64 MiB
// estimated) past which it fails with a *BudgetError.
//
// xmlbody imports the standard library and internal/diag only; it must not
// import policy or gateway packages.
package xmlbody
