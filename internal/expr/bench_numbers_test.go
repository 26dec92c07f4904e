package expr

import "testing"

// BenchmarkIntArith measures int arithmetic in a loop (the unchecked fast
// path of +, -, * and ++).
func BenchmarkIntArith(b *testing.B) {
	benchExpr(b, `@{
		var total = 0;
		for (var i = 0; i < 100; i++) {
			total += i * 3 - 1;
		}
		return total;
	}`, nil)
}

// BenchmarkLongDoubleArith measures long and double arithmetic.
func BenchmarkLongDoubleArith(b *testing.B) {
	benchExpr(b, `@{
		long l = 1;
		double d = 0.5;
		for (var i = 0; i < 50; i++) {
			l = l * 3 + i;
			d = d * 1.5 - i;
		}
		return l + ":" + d;
	}`, nil)
}

// BenchmarkCheckedIntArith measures int arithmetic in a checked block.
func BenchmarkCheckedIntArith(b *testing.B) {
	benchExpr(b, `@{
		var total = 0;
		checked {
			for (var i = 0; i < 100; i++) {
				total += i * 3 - 1;
			}
		}
		return total;
	}`, nil)
}
