package value

import (
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
	"github.com/tollgate/tollgate/internal/jsonx"
)

// Type describes a .NET type known to the expression language.
type Type struct {
	Name     string // C# name as written: "string", "JObject", "List<string>"
	FullName string // .NET full name: "System.String"
	Base     *Type
	Elem     *Type // element type of arrays, lists and sequences
	Key      *Type // key type of dictionaries
	Val      *Type // value type of dictionaries
	// Generic is the open generic definition this type instantiates ("List`1").
	Generic string
	// Value is true for value types (not nullable without '?').
	Value bool
	// Open marks types whose members are not all described; unknown members
	// are not reported at compile time.
	Open bool
	// Interfaces the type implements, by name (IEnumerable, IResponse, ...).
	Interfaces []string

	Members map[string]*Member // instance members
	Statics map[string]*Member // static members and nested constants
	// New constructs an instance; nil when the type has no constructor.
	// NewMin is the least number of constructor arguments (value types
	// constructed without arguments get their default value instead).
	New    func(c Call) Value
	NewMin int
	// Is reports whether a runtime value is an instance of the type (for
	// casts, is and as).
	Is func(v Value) bool
	// Enum values by name, for enum types.
	EnumValues map[string]int64
	// Flags marks [Flags] enums: a combination prints as "A, B".
	Flags bool
	// NotAllowed marks a type outside API Management's allowed list that an
	// expression can still hold: allowed members return it
	// (reader.ReadToEndAsync() is a Task<string>) or take it. API
	// Management rejects any use of a member the type declares, its
	// statics and its constructors (APIM0001), and so does the compiler;
	// members it inherits from an allowed type (object's ToString when it
	// does not override it, Enum's) stay usable. Members of such a type in
	// Members or Statics are those it declares: they exist only to be
	// refused.
	NotAllowed bool
}

// DeclaringNotAllowed returns the type outside API Management's allowed
// list whose member name an expression uses, or nil when the member is
// declared by an allowed type: a static or constructor of t when t is
// not allowed; for an instance member, the type that declares it, or the
// first type outside the list in t's bases when none describes it.
func (t *Type) DeclaringNotAllowed(name string, static bool) *Type {
	if static {
		if t.NotAllowed {
			return t
		}
		return nil
	}
	var first *Type // the first type outside the list, from t up
	for x := t; x != nil; x = x.Base {
		if x.NotAllowed && first == nil {
			first = x
		}
		if x.Members[name] != nil {
			if x.NotAllowed {
				return x
			}
			return nil
		}
	}
	// A member no type describes: .NET's type outside the list has it
	// (Task.Result), or C# would refuse it; either way it is refused.
	return first
}

// MemberKind tells properties from methods.
type MemberKind uint8

// Member kinds.
const (
	Property MemberKind = iota
	Method
)

// Call carries the arguments of one member invocation. Args are only valid
// during the call.
type Call struct {
	Fr    *Frame
	This  Value
	Args  []Value
	TArgs []*Type
}

// Member is one property or method of a type.
type Member struct {
	Name string
	Kind MemberKind
	// Get reads a property (This is the receiver; nil for statics).
	Get func(c Call) Value
	// Fn invokes a method.
	Fn func(c Call) Value
	// Min and Max bound the argument count (Max -1: unbounded).
	Min, Max int
	// Params names the parameters, for named arguments.
	Params []string
	// Out lists the argument positions that are out parameters.
	Out []int
	// TArgs is the number of generic type arguments the method takes (0 when
	// it takes none or they can be inferred).
	TArgs int
	// Result is the static result type, or nil when it depends on the call;
	// ResultOf computes it then.
	Result   *Type
	ResultOf func(this *Type, args []*Type, targs []*Type) *Type
	// Lambda marks argument positions that take lambdas; the element type of
	// the receiver is the lambda parameter type.
	Lambda []int
	// LambdaParams, when set, gives the parameter types of the lambda passed
	// at argument position i with nparams parameters, from the receiver type
	// and the types of the arguments before it (generic inference from
	// earlier arguments, as C# does).
	LambdaParams func(recv *Type, args []*Type, i, nparams int) []*Type
	// InferTArgs, when set, infers the generic type arguments of a call
	// written without them from the receiver and argument types
	// (GetValueOrDefault("x", "") is GetValueOrDefault<string>).
	InferTArgs func(recv *Type, args []*Type) []*Type
	// Setter assigns the property (indexers and settable properties).
	Set func(c Call, v Value)
	// ArgTypes, when set, are the static parameter types checked at compile
	// time (nil entries are not checked).
	ArgTypes []*Type
	// Unsupported explains why tollgate does not run this member.
	Unsupported string
	// NullReceiver marks members that accept a null receiver (HasValue,
	// Value and GetValueOrDefault of Nullable<T>).
	NullReceiver bool
}

// Lookup finds an instance member of t or one of its bases.
func (t *Type) Lookup(name string) *Member {
	for x := t; x != nil; x = x.Base {
		if m := x.Members[name]; m != nil {
			return m
		}
	}
	return nil
}

// LookupStatic finds a static member of t.
func (t *Type) LookupStatic(name string) *Member {
	for x := t; x != nil; x = x.Base {
		if m := x.Statics[name]; m != nil {
			return m
		}
	}
	return nil
}

// Implements reports whether t has interface name or is a subtype of a type
// with that name.
func (t *Type) Implements(name string) bool {
	for x := t; x != nil; x = x.Base {
		if x.Name == name {
			return true
		}
		for _, i := range x.Interfaces {
			if i == name {
				return true
			}
		}
	}
	return false
}

// AssignableTo reports whether values of t may be used where u is expected.
func (t *Type) AssignableTo(u *Type) bool {
	if t == nil || u == nil || t == u || u.Name == "object" {
		return true
	}
	if u.Generic != "" && u.Generic == t.Generic {
		return true
	}
	return t.Implements(u.Name) || (u.Generic != "" && t.Implements(u.Generic))
}

// TypeName returns the .NET full type name of v, as GetType().FullName
// would: "System.String", "System.Int32", "Newtonsoft.Json.Linq.JObject".
func TypeName(v Value) string {
	if v == nil {
		return "null"
	}
	if t := TypeOf(v); t != nil {
		return t.FullName
	}
	return "System.Object"
}

// TypeOf returns the runtime type of v, or nil for null.
func TypeOf(v Value) *Type {
	u := Universe()
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return u.Bool
	case int32:
		return u.Int
	case int64:
		return u.Long
	case float64:
		return u.Double
	case float32:
		return u.Single
	case dotnet.Decimal:
		return u.Decimal
	case uint8:
		return u.Byte
	case int16, uint16, uint32, uint64, int8:
		return smallIntType(u, v)
	case string:
		return u.String
	case Char:
		return u.Char
	case time.Time:
		return u.DateTime
	case TimeSpan:
		return u.TimeSpan
	case DateTimeOffset:
		return u.DateTimeOffset
	case Guid:
		return u.Guid
	case []byte:
		return u.Bytes
	case *Array:
		return u.ArrayOf(x.T)
	case *List:
		return u.ListOf(x.T)
	case *Dict:
		return u.DictOf(x.K, x.V)
	case *Seq:
		return u.SeqOf(x.T)
	case Enum:
		return x.T
	case *jsonx.Token:
		if x == nil {
			return nil
		}
		return jsonTypeOf(u, x)
	case Typed:
		return x.DotnetType(u)
	case KeyValue:
		return u.KeyValue
	case *Object:
		return u.Anonymous
	case *Func:
		return u.Func
	}
	if t := hostType(u, v); t != nil {
		return t
	}
	return u.Object
}

// Typed is implemented by host values that know their .NET type.
type Typed interface {
	DotnetType(u *Lib) *Type
}

// Getter is implemented by host values with members known only at run time
// (anonymous objects, JSON objects read through dynamic access).
type Getter interface {
	GetMember(name string) (Value, bool)
}
