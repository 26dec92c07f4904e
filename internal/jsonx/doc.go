// Package jsonx is tollgate's model of Newtonsoft.Json's LINQ-to-JSON tree
// (JToken, JObject, JArray, JProperty, JValue), as seen by APIM policy
// expressions: context.Request.Body.As<JObject>() and friends.
//
// It owns parsing with Json.NET's defaults and error messages, printing
// byte for byte as Json.NET prints (indented and compact), navigation and
// editing with reference semantics, JSONPath via SelectToken, and the
// conversions of explicit casts and Value<T>().
//
// Json.NET behaviours reproduced on purpose:
//   - Object properties keep insertion order; names are case-sensitive.
//     A duplicate name while parsing replaces the value of the first
//     property in place (DuplicatePropertyNameHandling.Replace): the last
//     value wins, the first position is kept.
//   - Strings shaped like ISO 8601 date-times (at least 19 characters, a
//     'T' at index 10, e.g. "2020-01-02T03:04:05Z") become Date tokens
//     (DateParseHandling.DateTime). A 'Z' gives Kind Utc, an offset gives a
//     local time (the gateway's local time is UTC) and no designator gives
//     Kind Unspecified. Such a token prints back in ISO form inside JSON
//     but as "01/02/2020 03:04:05" through ToString() and string casts.
//   - Integers beyond int64 are kept as *big.Int (Json.NET's BigInteger);
//     numbers with '.', 'e' or 'E' are float64; "0x1F" is hexadecimal and
//     a leading zero ("010") means octal.
//   - The reader accepts comments, single-quoted strings, unquoted property
//     names, trailing commas, NaN, Infinity, -Infinity and undefined.
//   - Indented output uses two spaces and "\r\n" line ends (see Newline).
//
// Every parser error is a *ParseError whose message has Json.NET's shape,
// e.g. "Unexpected character encountered while parsing value: x. Path ”,
// line 1, position 1.". Conversion failures are *ConvertError with .NET
// messages such as "Can not convert Object to String.".
//
// jsonx imports the standard library and internal/dotnet (number and date
// formatting with the invariant culture) only.
package jsonx
