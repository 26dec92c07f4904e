// Package jsonx is tollgate's model of Newtonsoft.Json's LINQ-to-JSON tree
// (JToken, JObject, JArray, JProperty, JValue, JRaw, JConstructor), as seen
// by APIM policy expressions: context.Request.Body.As<JObject>() and
// friends, with the JTokenReader of JToken.CreateReader (Reader: Load,
// RawJSON) and the JTokenWriter of JContainer.CreateWriter (Writer).
//
// It owns parsing with Json.NET's defaults and error messages, printing
// byte for byte as Json.NET prints (indented and compact), navigation and
// editing with reference semantics, JSONPath via SelectToken, and the
// conversions of explicit casts and Value<T>().
//
// One Token type stands for every JToken class; Type tells which. Tokens
// have reference semantics: editing a child is visible through its
// parents, and adding a token that already has a parent adds a deep copy
// (JContainer.EnsureParentToken).
//
// Json.NET behaviours reproduced on purpose:
//   - Object properties keep insertion order; names are case-sensitive.
//     A duplicate name while parsing replaces the first property in place
//     (DuplicatePropertyNameHandling.Replace): the last value wins, the
//     first position is kept.
//   - Strings shaped like ISO 8601 date-times (19 to 40 characters, a
//     digit first, 'T' at index 10, e.g. "2020-01-02T03:04:05Z") and
//     "/Date(ms)/" become Date tokens (DateParseHandling.DateTime with
//     RoundtripKind). 'Z' gives Kind Utc; an offset gives the local time
//     with Kind Local, and local time is UTC in the gateway; no designator
//     gives Kind Unspecified. Such a token prints back in ISO form inside
//     JSON ("2020-01-02T03:04:05Z", fraction trimmed, "+00:00" for Local)
//     but as "01/02/2020 03:04:05" through String and AsString.
//   - Integers beyond int64 are *big.Int (Json.NET's BigInteger, up to 380
//     digits); numbers with '.', 'e' or 'E' are float64; "0x1F" is
//     hexadecimal and a leading zero ("010") octal, but "-010" is decimal.
//   - The reader accepts comments, single-quoted strings, unquoted
//     property names, NaN, Infinity, -Infinity, undefined, trailing commas
//     and empty slots ("[1,,2]" holds an undefined value). Depth is limited
//     to 64 (JsonReader.MaxDepth). Constructors ("new Date(...)") are not
//     read; JConstructor tokens are built (NewConstructor) and written
//     as JsonTextWriter writes them ("new Date(1,2)").
//   - A JRaw (NewRaw) is written verbatim where a value goes.
//   - Error positions follow JsonTextReader: the line position counts the
//     UTF-16 characters consumed on the line when the reader gave up, the
//     path is the reader's Path, and line 0 position 0 is reported when
//     nothing was read yet.
//   - Indented output uses two spaces and "\n" line ends (see Newline).
//
// Parser errors are *ParseError values whose Message is Json.NET's full
// text, e.g. "Unexpected character encountered while parsing value: x.
// Path 'a', line 1, position 5.". Conversion, indexer, edit and path
// failures are *ConvertError (or *dotnet.Exception from number and date
// parsing) carrying the .NET exception type and message, such as
// "Can not convert Object to String.".
//
// jsonx imports the standard library and internal/dotnet (number and date
// formatting with the invariant culture) only; it must not import the
// expression engine, policies or the gateway.
package jsonx
