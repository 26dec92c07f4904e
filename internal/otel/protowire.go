package otel

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"go.opentelemetry.io/otel/attribute"
)

// The OTLP messages tollgate sends are encoded by hand: a span is a few
// dozen fields appended to one buffer reused from batch to batch, where the
// generated types would allocate a message per attribute and value.
//
// Field numbers are those of opentelemetry/proto/trace/v1/trace.proto,
// common/v1/common.proto and collector/trace/v1/trace_service.proto.

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func appendTag(b []byte, field int, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

func varintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

func appendVarintField(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return binary.AppendUvarint(appendTag(b, field, wireVarint), v)
}

func appendFixed64Field(b []byte, field int, v uint64) []byte {
	if v == 0 {
		return b
	}
	return binary.LittleEndian.AppendUint64(appendTag(b, field, wireFixed64), v)
}

func appendFixed32Field(b []byte, field int, v uint32) []byte {
	if v == 0 {
		return b
	}
	return binary.LittleEndian.AppendUint32(appendTag(b, field, wireFixed32), v)
}

func appendStringField(b []byte, field int, s string) []byte {
	if s == "" {
		return b
	}
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(len(s)))
	return append(b, s...)
}

func appendBytesField(b []byte, field int, p []byte) []byte {
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(len(p)))
	return append(b, p...)
}

// appendStringAlways appends s as field even when it is empty (a oneof).
func appendStringAlways(b []byte, field int, s string) []byte {
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(len(s)))
	return append(b, s...)
}

// beginMessage starts an embedded message of field: it appends the tag and
// returns where the message's content begins. endMessage puts the length in
// front of the content.
func beginMessage(b []byte, field int) ([]byte, int) {
	b = appendTag(b, field, wireBytes)
	return b, len(b)
}

// fieldLen is the length of a length-delimited field of n bytes.
func fieldLen(field, n int) int {
	return varintLen(uint64(field)<<3|wireBytes) + varintLen(uint64(n)) + n
}

// appendLen appends the tag and length of a length-delimited field whose
// n bytes follow.
func appendLen(b []byte, field, n int) []byte {
	return binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(n))
}

// beginMessageReserved is beginMessage with room for a length of reserve
// bytes before the content, which endMessageReserved fills: the content
// moves only when its length needs another number of bytes.
func beginMessageReserved(b []byte, field, reserve int) ([]byte, int) {
	b = appendTag(b, field, wireBytes)
	for range reserve {
		b = append(b, 0)
	}
	return b, len(b)
}

func endMessageReserved(b []byte, start, reserve int) []byte {
	n := len(b) - start
	k := varintLen(uint64(n))
	if to := start - reserve + k; k > reserve {
		b = slices.Grow(b, k-reserve)[:to+n]
		copy(b[to:], b[start:start+n])
	} else if k < reserve {
		copy(b[to:], b[start:start+n])
		b = b[:to+n]
	}
	binary.PutUvarint(b[start-reserve:], uint64(n))
	return b
}

func endMessage(b []byte, start int) []byte {
	n := len(b) - start
	k := varintLen(uint64(n))
	b = append(b, make([]byte, k)...)
	copy(b[start+k:], b[start:start+n])
	binary.PutUvarint(b[start:], uint64(n))
	return b
}

// appendStringKV appends a KeyValue with a string AnyValue as field.
func appendStringKV(b []byte, field int, key, value string) []byte {
	// AnyValue{string_value = 1}
	if field < 16 && len(key)+len(value) < 122 {
		// Every length fits in one byte: most attributes. The bytes are
		// stored in place, after one check of the capacity.
		n, size := len(b), 8+len(key)+len(value)
		b = slices.Grow(b, size)[:n+size]
		c := b[n : n+size]
		c[0], c[1], c[2], c[3] = byte(field<<3|wireBytes), byte(size-2), 1<<3|wireBytes, byte(len(key))
		m := 4 + copy(c[4:], key)
		c[m], c[m+1], c[m+2], c[m+3] = 2<<3|wireBytes, byte(2+len(value)), 1<<3|wireBytes, byte(len(value))
		copy(c[m+4:], value)
		return b
	}
	anyLen := 1 + varintLen(uint64(len(value))) + len(value)
	kvLen := 1 + varintLen(uint64(len(key))) + len(key) + 1 + varintLen(uint64(anyLen)) + anyLen
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(kvLen))
	b = binary.AppendUvarint(appendTag(b, 1, wireBytes), uint64(len(key)))
	b = append(b, key...)
	b = binary.AppendUvarint(appendTag(b, 2, wireBytes), uint64(anyLen))
	b = binary.AppendUvarint(appendTag(b, 1, wireBytes), uint64(len(value)))
	return append(b, value...)
}

// appendIntKV appends a KeyValue with an int AnyValue as field.
func appendIntKV(b []byte, field int, key string, value int64) []byte {
	// AnyValue{int_value = 3}
	anyLen := 1 + varintLen(uint64(value))
	kvLen := 1 + varintLen(uint64(len(key))) + len(key) + 1 + varintLen(uint64(anyLen)) + anyLen
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(kvLen))
	b = binary.AppendUvarint(appendTag(b, 1, wireBytes), uint64(len(key)))
	b = append(b, key...)
	b = binary.AppendUvarint(appendTag(b, 2, wireBytes), uint64(anyLen))
	b = appendTag(b, 3, wireVarint)
	return binary.AppendUvarint(b, uint64(value))
}

// appendAttribute appends an attribute of any type (the resource's) as a
// KeyValue of field.
func appendAttribute(b []byte, field int, kv attribute.KeyValue) []byte {
	b, kvStart := beginMessage(b, field)
	b = appendStringField(b, 1, string(kv.Key))
	b, valStart := beginMessage(b, 2)
	b = appendAnyValue(b, kv.Value)
	b = endMessage(b, valStart)
	return endMessage(b, kvStart)
}

// appendAnyValue appends the content of an AnyValue.
func appendAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		b = appendTag(b, 2, wireVarint)
		if v.AsBool() {
			return append(b, 1)
		}
		return append(b, 0)
	case attribute.INT64:
		b = appendTag(b, 3, wireVarint)
		return binary.AppendUvarint(b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		b = appendTag(b, 4, wireFixed64)
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v.AsFloat64()))
	case attribute.STRING:
		return appendStringAlways(b, 1, v.AsString())
	case attribute.BOOLSLICE:
		return appendArray(b, v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return appendArray(b, v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return appendArray(b, v.AsFloat64Slice(), attribute.Float64Value)
	case attribute.STRINGSLICE:
		return appendArray(b, v.AsStringSlice(), attribute.StringValue)
	}
	return appendStringAlways(b, 1, v.Emit())
}

// appendArray appends an ArrayValue (array_value = 5) of values.
func appendArray[T any](b []byte, values []T, value func(T) attribute.Value) []byte {
	b, arr := beginMessage(b, 5)
	for _, e := range values {
		var v int
		b, v = beginMessage(b, 1)
		b = appendAnyValue(b, value(e))
		b = endMessage(b, v)
	}
	return endMessage(b, arr)
}
