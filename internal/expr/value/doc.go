// Package value owns the runtime of tollgate's policy expressions: the value
// model (how .NET values are represented in Go), the `context` object the
// gateway fills per request, .NET-style exceptions, the evaluation frame with
// its step budget, and the table of .NET types and members the expressions may
// use.
//
// The member table is data: each type lists its properties, methods and static
// members with the Go function that implements them, so that adding a member
// is adding a table entry. Nothing here parses source text or uses reflection.
//
// members.tsv lists the members of the types APIM allows, one .NET overload
// a row, with whether tollgate runs it and an example the tests evaluate;
// the compiler rejects, at load time, a call that only unsupported rows
// match (Overloads, OverloadsOf).
//
// Every evaluation has a step budget and a memory budget (Frame.Alloc,
// Context.MaxMemory, DefaultMaxMemory): the members that allocate in
// proportion to their arguments (new string(c, n), PadLeft, Replace,
// Concat, Join, Format, StringBuilder, collections, Enumerable.Range and
// Repeat, JSON and XML parsing, Base64) and string concatenation count the
// bytes before they allocate them, so a hostile size fails at once.
//
// Deliberate differences from .NET: DateTimeKind.Local is UTC (the gateway
// runs in UTC), so DateTime.Now equals DateTime.UtcNow apart from its Kind;
// XML is parsed with encoding/xml (no DTD processing, CDATA kept, the
// declaration kept apart from the nodes) and printed the way XmlWriter
// prints with Indent = true, two spaces and "\n" (Environment.NewLine on
// Linux); XmlReader reads a
// parsed document rather than a stream; System.Xml.XmlDocument is not
// provided (APIM does not allow it either).
//
// Cryptography: X509Certificate2 reads DER, PEM and PKCS#12 (only the
// legacy 3DES/RC2 encryptions golang.org/x/crypto/pkcs12 understands, not
// AES-encrypted files); keys taken from certificates are RSACng, a key made
// by RSA.Create() is of type RSA and is generated on first use (at least
// 1024 bits); certificate chain validation (Verify) is not available; the
// time zone of TimeZone.CurrentTimeZone is UTC. A null-conditional chain
// (a?.B.C) ends at the first null receiver after its ?. link, where C#
// would raise NullReferenceException for a null B. A regular expression's
// match timeout is at most the gateway's (Regex.InfiniteMatchTimeout
// included).
//
// It imports golang.org/x/crypto/pkcs12 for certificates. It must not import
// the syntax, compile or facade packages, nor net/http; it
// performs no network or process access, and no file access other than
// loading the system time zone database for TimeZoneInfo (once per zone).
package value
