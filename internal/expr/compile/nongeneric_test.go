package compile

import (
	"testing"

	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// TestNonGenericOverload checks that a generic method called without type
// arguments compiles only when it may bind to a non-generic overload of the
// member table, and that a generic instantiation takes its definition's
// constructor.
func TestNonGenericOverload(t *testing.T) {
	u := value.Universe()
	ok := map[string]*value.Type{
		`@(Enum.TryParse(typeof(DayOfWeek), "Monday", out var d))`:       u.Bool,
		`@(Enum.TryParse(typeof(DayOfWeek), "monday", true, out var d))`: u.Bool,
		`@(Enum.TryParse<DayOfWeek>("Monday", out var d))`:               u.Bool,
		`@(new Nullable<int>(5))`:                                        u.NullableOf(u.Int),
	}
	checkStaticTypes(t, ok)
	for _, src := range []string{
		`@(Enum.TryParse("Monday", out var d))`,
		`@(Enum.TryParse("Monday", true, out var d))`,
		`@(Enum.TryParse("Monday", "x", out var d))`,
	} {
		p, err := syntax.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		_, errs := Compile(p)
		if len(errs) == 0 {
			t.Errorf("%s compiles", src)
			continue
		}
		if errs[0].Code != "missing-type-args" {
			t.Errorf("%s: %v, want missing-type-args", src, errs[0])
		}
	}
}

func TestIsGenericRow(t *testing.T) {
	for sig, want := range map[string]bool{
		"static bool TryParse<TEnum>(string? value, out TEnum result)":             true,
		"static bool TryParse(Type enumType, string? value, out object? result)":   false,
		"static IEnumerable<(TFirst First, TSecond Second)> TryParse<TFirst>(int)": true,
	} {
		if got := isGenericRow(&value.Overload{Member: "TryParse", Signature: sig}); got != want {
			t.Errorf("isGenericRow(%s) = %v, want %v", sig, got, want)
		}
	}
}
