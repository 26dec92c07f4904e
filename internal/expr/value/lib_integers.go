package value

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// intKind describes one of the integer types for the generic-math statics
// that .NET 7 added to them (int.PopCount, byte.IsPow2, ...): its width, its
// signedness, its TypeCode name and how a value of it is held at run time
// (short, ushort and sbyte as int32, uint and ulong as int64, so ulong
// values past long.MaxValue are not held).
type intKind struct {
	name   string
	code   string
	bits   int
	signed bool
	lo, hi int64
	box    func(int64) Value
}

// buildIntegers adds to the integer types the generic-math static methods
// of .NET 7+ (Abs, Clamp, CopySign, CreateChecked, CreateSaturating,
// CreateTruncating, DivRem, IsEvenInteger, IsOddInteger, IsNegative,
// IsPositive, IsPow2, LeadingZeroCount, Log2, Max, MaxMagnitude, Min,
// MinMagnitude, PopCount, RotateLeft, RotateRight, Sign, TrailingZeroCount)
// and GetTypeCode and GetHashCode; gives short, sbyte, ushort, uint and
// ulong their own Parse and TryParse ranges; and adds the binary format
// ("B") to ToString. The unsigned types implement Abs, CopySign,
// IsNegative, IsPositive, MaxMagnitude and MinMagnitude only explicitly
// (through INumberBase), so they do not get them. It runs after the other
// builders of the integer types: each type gets its own member maps here,
// so members added to int or long later do not reach short, sbyte, ushort,
// uint and ulong.
func (u *Lib) buildIntegers() {
	i32 := func(n int64) Value { return int32(n) }
	i64 := func(n int64) Value { return n }
	kinds := []intKind{
		{"int", "Int32", 32, true, math.MinInt32, math.MaxInt32, i32},
		{"long", "Int64", 64, true, math.MinInt64, math.MaxInt64, i64},
		{"short", "Int16", 16, true, math.MinInt16, math.MaxInt16, func(n int64) Value { return int16(n) }},
		{"sbyte", "SByte", 8, true, math.MinInt8, math.MaxInt8, func(n int64) Value { return int8(n) }},
		{"byte", "Byte", 8, false, 0, math.MaxUint8, func(n int64) Value { return uint8(n) }},
		{"ushort", "UInt16", 16, false, 0, math.MaxUint16, func(n int64) Value { return uint16(n) }},
		{"uint", "UInt32", 32, false, 0, math.MaxUint32, func(n int64) Value { return uint32(n) }},
		// ulong: the statics below compare as long; those that order
		// values (Max, Min, Clamp, DivRem, IsPow2, Log2, Sign) are
		// replaced by unsigned ones in ulongStatics.
		{"ulong", "UInt64", 64, false, 0, math.MaxInt64, func(n int64) Value { return uint64(n) }},
	}
	code := u.Types["TypeCode"]
	for _, k := range kinds {
		u.addIntegerMembers(k, code)
	}
}

// addIntegerMembers adds the members of buildIntegers to the type k names.
func (u *Lib) addIntegerMembers(k intKind, code *Type) {
	t := u.Types[k.name]
	// short, ushort, sbyte, uint and ulong share the maps of int or long:
	// give each its own, so that its members answer for it.
	members, statics := map[string]*Member{}, map[string]*Member{}
	for n, m := range t.Members {
		members[n] = m
	}
	for n, m := range t.Statics {
		statics[n] = m
	}
	t.Members, t.Statics = members, statics
	mask := uint64(math.MaxUint64)
	if k.bits < 64 {
		mask = 1<<k.bits - 1
	}
	arg := func(c Call, i int) int64 {
		if f, ok := c.Args[i].(float64); ok {
			return int64(f)
		}
		n, _ := AsInt64(c.Args[i])
		return n
	}
	// wrap reduces n to the type's width, as an unchecked cast does.
	wrap := func(n int64) int64 {
		x := uint64(n) & mask
		if k.signed && k.bits < 64 && x&(1<<(k.bits-1)) != 0 {
			x |= ^mask
		}
		return int64(x)
	}
	box := k.box
	overflow := func() { Throw(ExOverflow, "Arithmetic operation resulted in an overflow.") }
	u.integerEquals(t)
	tc := Enum{T: code, V: typeCodes[k.code], Name: k.code}
	t.add(meth("GetTypeCode", 0, 0, code, func(Call) Value { return tc }),
		// GetHashCode: the value itself for the types of 32 bits or less
		// (uint's bits as an int), the xor of the halves for long and ulong.
		meth("GetHashCode", 0, 0, u.Int, func(c Call) Value {
			n, _ := AsInt64(c.This)
			if k.bits == 64 {
				return int32(n) ^ int32(n>>32)
			}
			return int32(n)
		}))
	f1 := func(name string, res *Type, f func(n int64) Value) *Member {
		return meth(name, 1, 1, res, func(c Call) Value { return f(arg(c, 0)) })
	}
	bitsOf := func(n int64) uint64 { return uint64(n) & mask }
	t.addStatic(
		f1("IsEvenInteger", u.Bool, func(n int64) Value { return n%2 == 0 }),
		f1("IsOddInteger", u.Bool, func(n int64) Value { return n%2 != 0 }),
		f1("IsPow2", u.Bool, func(n int64) Value { return n > 0 && n&(n-1) == 0 }),
		f1("PopCount", t, func(n int64) Value { return box(int64(bits.OnesCount64(bitsOf(n)))) }),
		f1("LeadingZeroCount", t, func(n int64) Value {
			return box(int64(bits.LeadingZeros64(bitsOf(n)) - (64 - k.bits)))
		}),
		f1("TrailingZeroCount", t, func(n int64) Value {
			if n == 0 {
				return box(int64(k.bits))
			}
			return box(int64(bits.TrailingZeros64(bitsOf(n))))
		}),
		f1("Log2", t, func(n int64) Value {
			if n < 0 {
				Throw(ExArgRange, "Non-negative number required. (Parameter 'value')")
			}
			if n == 0 {
				return box(0)
			}
			return box(int64(63 - bits.LeadingZeros64(uint64(n))))
		}),
		f1("Sign", u.Int, func(n int64) Value {
			switch {
			case n > 0:
				return int32(1)
			case n < 0:
				return int32(-1)
			}
			return int32(0)
		}),
		meth("RotateLeft", 2, 2, t, func(c Call) Value {
			x, s := bitsOf(arg(c, 0)), uint(arg(c, 1))&uint(k.bits-1)
			return box(wrap(int64((x<<s | x>>(uint(k.bits)-s)) & mask)))
		}),
		meth("RotateRight", 2, 2, t, func(c Call) Value {
			x, s := bitsOf(arg(c, 0)), uint(arg(c, 1))&uint(k.bits-1)
			return box(wrap(int64((x>>s | x<<(uint(k.bits)-s)) & mask)))
		}),
		meth("Max", 2, 2, t, func(c Call) Value { return box(max(arg(c, 0), arg(c, 1))) }),
		meth("Min", 2, 2, t, func(c Call) Value { return box(min(arg(c, 0), arg(c, 1))) }),
		meth("Clamp", 3, 3, t, func(c Call) Value {
			v, lo, hi := arg(c, 0), arg(c, 1), arg(c, 2)
			if lo > hi {
				Throw(ExArgument, "'%d' cannot be greater than %d.", lo, hi)
			}
			return box(min(max(v, lo), hi))
		}),
		meth("DivRem", 2, 2, u.ValueTupleOf([]string{"Quotient", "Remainder"}, []*Type{t, t}), func(c Call) Value {
			a, b := arg(c, 0), arg(c, 1)
			if b == 0 {
				Throw(ExDivZero, MsgDivZero)
			}
			if k.bits >= 32 && k.signed && b == -1 && a == k.lo {
				overflow() // short and sbyte divide as int: (MinValue, 0)
			}
			return &ValueTuple{T: u.ValueTupleOf([]string{"Quotient", "Remainder"}, []*Type{t, t}), Items: []Value{box(wrap(a / b)), box(a % b)}}
		}),
	)
	// CreateChecked, CreateSaturating and CreateTruncating<TOther>(TOther value).
	create := func(name string, f func(n int64, big, small bool) int64) *Member {
		return meth(name, 1, 1, t, func(c Call) Value {
			c.NotNull(0, "value")
			var n int64
			big, small := false, false
			v := c.Args[0]
			switch v.(type) {
			case float32, dotnet.Decimal:
				v, _ = AsFloat(v)
			}
			switch x := v.(type) {
			case float64:
				// (float and decimal too.) The value truncated toward
				// zero; out of range (or NaN,
				// which checked conversion refuses and the others make 0)
				// it saturates.
				x = math.Trunc(x)
				switch {
				case math.IsNaN(x):
					n, big = 0, name == "CreateChecked"
				case x > float64(k.hi) || k.bits == 64 && x >= float64(k.hi):
					n, big = k.hi, true
				case x < float64(k.lo):
					n, small = k.lo, true
				default:
					n = int64(x)
				}
				if name != "CreateChecked" {
					// .NET saturates floating-point values in
					// CreateTruncating too.
					return box(n)
				}
				if big || small {
					overflow()
				}
				return box(n)
			case uint64:
				if x > math.MaxInt64 {
					if k.name == "ulong" {
						return x
					}
					n, big = k.hi, true
					return box(f(n, big, small))
				}
				n = int64(x)
				big, small = n > k.hi, n < k.lo
			default:
				var ok bool
				if n, ok = AsInt64(x); !ok {
					Throw(ExNotSupported, "Specified method is not supported.")
				}
				big, small = n > k.hi, n < k.lo
			}
			return box(f(n, big, small))
		})
	}
	t.addStatic(
		create("CreateChecked", func(n int64, big, small bool) int64 {
			if big || small {
				overflow()
			}
			return n
		}),
		create("CreateSaturating", func(n int64, big, small bool) int64 {
			switch {
			case big:
				return k.hi
			case small:
				return k.lo
			}
			return n
		}),
		create("CreateTruncating", func(n int64, big, small bool) int64 { return wrap(n) }),
	)
	if k.name != "int" && k.name != "long" && k.name != "byte" {
		u.narrowParseFormat(t, k, box)
	}
	if k.name == "ulong" {
		u.ulongStatics(t)
	}
	integerToString(t, k, mask)
	if !k.signed {
		return
	}
	abs := func(n int64) int64 {
		if n == k.lo {
			overflow()
		}
		if n < 0 {
			return -n
		}
		return n
	}
	t.addStatic(
		f1("Abs", t, func(n int64) Value { return box(abs(n)) }),
		f1("IsNegative", u.Bool, func(n int64) Value { return n < 0 }),
		f1("IsPositive", u.Bool, func(n int64) Value { return n >= 0 }),
		meth("CopySign", 2, 2, t, func(c Call) Value {
			v, s := arg(c, 0), arg(c, 1)
			if (v < 0) == (s < 0) {
				return box(v)
			}
			if v == k.lo {
				overflow()
			}
			return box(-v)
		}),
		meth("MaxMagnitude", 2, 2, t, func(c Call) Value {
			a, b := arg(c, 0), arg(c, 1)
			ax, bx := absMag(a), absMag(b)
			switch {
			case ax > bx:
				return box(a)
			case ax < bx:
				return box(b)
			}
			return box(max(a, b))
		}),
		meth("MinMagnitude", 2, 2, t, func(c Call) Value {
			a, b := arg(c, 0), arg(c, 1)
			ax, bx := absMag(a), absMag(b)
			switch {
			case ax < bx:
				return box(a)
			case ax > bx:
				return box(b)
			}
			return box(min(a, b))
		}),
	)
}

// absMag is the magnitude of n as an unsigned number (so that of
// long.MinValue fits).
func absMag(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

// narrowParseFormat gives short, sbyte, ushort, uint and ulong, which share
// the Parse, TryParse and ToString of int or long, their own range: Parse
// throws OverflowException and TryParse fails out of it.
func (u *Lib) narrowParseFormat(t *Type, k intKind, box func(int64) Value) {
	what := map[string]string{"short": "an Int16", "sbyte": "a signed byte", "ushort": "a UInt16", "uint": "a UInt32", "ulong": "a UInt64"}[k.name]
	parse := func(s string) (int64, error) {
		if k.name == "ulong" {
			n, err := parseUint64(s)
			return int64(n), err
		}
		n, err := ParseInt(s, 64)
		if err == nil && (n < k.lo || n > k.hi) {
			err = &Exception{Type: ExOverflow, Message: "Value was either too large or too small for " + what + ".", Pos: -1, End: -1}
		}
		return n, err
	}
	t.addStatic(
		meth("Parse", 1, 3, t, func(c Call) Value {
			c.NotNull(0, "s")
			return box(must(parse(c.Str(0))))
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 4, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			last := len(c.Args) - 1
			n, err := parse(c.Str(0))
			if err != nil || c.IsNull(0) {
				c.Args[last] = box(0)
				return false
			}
			c.Args[last] = box(n)
			return true
		}},
	)
}

// integerToString gives t a ToString that adds to the shared one the
// binary format of .NET 8 ("B", "B8": the bits in the type's width, zero
// padded to the precision) and prints a negative short or sbyte in its own
// width in the hex formats (((short)-1).ToString("X") is FFFF).
func integerToString(t *Type, k intKind, mask uint64) {
	toString := *t.Lookup("ToString")
	orig := toString.Fn
	toString.Fn = func(c Call) Value {
		f := c.Str(0)
		if f == "" {
			return orig(c)
		}
		n, _ := AsInt64(c.This)
		switch f[0] {
		case 'B', 'b':
			prec := 0
			for _, r := range f[1:] {
				if r < '0' || r > '9' {
					return orig(c)
				}
				prec = prec*10 + int(r-'0')
				if prec > 999999999 {
					return orig(c)
				}
			}
			digits := strconv.FormatUint(uint64(n)&mask, 2)
			if len(digits) < prec {
				digits = strings.Repeat("0", prec-len(digits)) + digits
			}
			return digits
		case 'X', 'x':
			if n < 0 && k.bits < 32 {
				c.This = int32(uint64(n) & mask)
			}
		}
		return orig(c)
	}
	t.add(&toString)
}
