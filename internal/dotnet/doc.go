// Package dotnet reproduces, byte for byte, how .NET formats and parses
// numbers, dates and time spans under the invariant culture, so that policy
// expressions evaluated by tollgate print exactly what Azure API Management
// prints.
//
// It owns:
//   - numeric formatting: FormatDouble, FormatInt, FormatUint, Decimal.Format
//     with the standard specifiers (G, R, F, N, P, E, C, D, X) and custom
//     pictures ("0.00", "#,##0.##", "0.###E+0", "%", sections with ';');
//   - numeric parsing with .NET's styles and exception messages
//     (ParseInt, ParseUint, ParseDouble, ParseDecimal, ParseBool) and
//     float, bool and big-integer formatting (FormatSingle, FormatBool,
//     FormatBigInt);
//   - a Decimal type (96-bit mantissa, scale 0..28);
//   - DateTime (ticks plus Kind), DateTimeOffset and TimeSpan values with
//     their standard and custom format strings, parsing and arithmetic.
//
// Behaviour follows .NET 8: doubles print their shortest round-trip form;
// standard numeric formats round a double's exact binary value half to
// even; custom numeric formats first take 15 significant digits of a
// double and then round half away from zero; integers and decimals always
// round their decimal digits half away from zero. DateTimeKind.Local is treated as UTC: the gateway process runs in
// UTC, so the local offset is always +00:00.
//
// Deliberate differences: standard numeric precisions above MaxPrecision
// are refused (.NET would build strings of up to 999,999,999 digits);
// DateTime.Parse recognises a fixed list of shapes (ISO 8601, invariant
// "MM/dd/yyyy", "yyyy/MM/dd", RFC 1123, day and month names) rather than
// .NET's heuristic parser; Decimal arithmetic goes through math/big.
//
// Failures are returned as *Exception values whose Message is the .NET
// exception message verbatim (capitalised, with a trailing period) because
// expressions can observe it; Type names the .NET exception class.
//
// This package imports only the standard library and must not import any
// other tollgate package.
package dotnet
