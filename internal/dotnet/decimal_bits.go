package dotnet

// Bits is decimal.GetBits: the low, middle and high 32 bits of the 96-bit
// mantissa, then the flags (the scale in bits 16 to 23, the sign in bit
// 31). A negative zero keeps its sign bit, as in .NET.
func (d Decimal) Bits() [4]int32 {
	flags := uint32(d.scale) << 16
	if d.neg {
		flags |= 1 << 31
	}
	return [4]int32{int32(uint32(d.lo)), int32(uint32(d.lo >> 32)), int32(d.hi), int32(flags)}
}

// DecimalFromParts is new decimal(lo, mid, hi, isNegative, scale): the
// mantissa hi:mid:lo (read as unsigned) × 10^-scale; scale must be in
// 0..28. The sign is kept even for a zero mantissa, as .NET keeps it.
func DecimalFromParts(lo, mid, hi int32, neg bool, scale int) (Decimal, error) {
	if scale < 0 || scale > maxDecimalScale {
		return Decimal{}, &Exception{Type: ArgumentOutOfRangeException, Message: "Decimal's scale value must be between 0 and 28, inclusive. (Parameter 'scale')"}
	}
	return Decimal{lo: uint64(uint32(lo)) | uint64(uint32(mid))<<32, hi: uint32(hi), scale: uint8(scale), neg: neg}, nil
}

// DecimalFromBits is new decimal(int[] bits), the inverse of Bits: bits
// must hold four values, and the flags only a scale of 0..28 and the sign.
func DecimalFromBits(bits []int32) (Decimal, error) {
	if len(bits) == 4 {
		f := uint32(bits[3])
		if f&^(1<<31|0xFF<<16) == 0 && f&(0xFF<<16) <= maxDecimalScale<<16 {
			return DecimalFromParts(bits[0], bits[1], bits[2], f&(1<<31) != 0, int(f>>16&0xFF))
		}
	}
	return Decimal{}, &Exception{Type: "System.ArgumentException", Message: "Decimal constructor requires an array or span of four valid decimal bytes."}
}
