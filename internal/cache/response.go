package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Response is a response as cache-store keeps it.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers.
	Header http.Header
	// Body is the whole response body.
	Body []byte
	// Stored is when the response was stored.
	Stored time.Time
}

// responseMagic starts every encoded Response; the digit is the format
// version.
const responseMagic = "TGR1"

// maxCount bounds header and value counts when decoding, so that a corrupt
// entry cannot make the decoder allocate without limit.
const maxCount = 1 << 16

// MarshalBinary encodes r: the magic "TGR1", then as unsigned varints the
// status, the stored time in Unix milliseconds and the number of header
// names, then per name (sorted) its length-prefixed bytes, the number of
// values and each length-prefixed value, then the length-prefixed body.
func (r *Response) MarshalBinary() ([]byte, error) {
	if r.Status < 100 || r.Status > 999 {
		return nil, fmt.Errorf("cannot store status %d", r.Status)
	}
	names := make([]string, 0, len(r.Header))
	n := len(responseMagic) + 3*binary.MaxVarintLen64 + len(r.Body) + binary.MaxVarintLen64
	for k, vs := range r.Header {
		names = append(names, k)
		n += len(k) + 2*binary.MaxVarintLen64
		for _, v := range vs {
			n += len(v) + binary.MaxVarintLen64
		}
	}
	slices.Sort(names)
	b := make([]byte, 0, n)
	b = append(b, responseMagic...)
	b = binary.AppendUvarint(b, uint64(r.Status))
	b = binary.AppendUvarint(b, uint64(max(r.Stored.UnixMilli(), 0)))
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, k := range names {
		b = appendBytes(b, k)
		vs := r.Header[k]
		b = binary.AppendUvarint(b, uint64(len(vs)))
		for _, v := range vs {
			b = appendBytes(b, v)
		}
	}
	b = appendBytes(b, string(r.Body))
	return b, nil
}

// appendBytes appends the length of s as a varint, then s.
func appendBytes(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// ErrCorrupt is matched by every error UnmarshalBinary returns.
var ErrCorrupt = errors.New("corrupt cached response")

// UnmarshalBinary decodes data written by MarshalBinary into r. The body
// and header values are copied out of data.
func (r *Response) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if len(data) < len(responseMagic) || string(data[:len(responseMagic)]) != responseMagic {
		return fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	d.b = d.b[len(responseMagic):]
	status := d.uvarint()
	stored := d.uvarint()
	count := d.count()
	h := make(http.Header, count)
	for range count {
		k := d.bytes()
		nv := d.count()
		if d.err != nil {
			break
		}
		vs := make([]string, 0, nv)
		for range nv {
			vs = append(vs, d.bytes())
		}
		h[k] = vs
	}
	body := d.raw()
	switch {
	case d.err != nil:
		return d.err
	case len(d.b) != 0:
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(d.b))
	case status < 100 || status > 999:
		return fmt.Errorf("%w: status %d", ErrCorrupt, status)
	case stored > 1<<53:
		return fmt.Errorf("%w: stored time %d", ErrCorrupt, stored)
	}
	*r = Response{Status: int(status), Header: h, Body: append([]byte{}, body...), Stored: time.UnixMilli(int64(stored))}
	return nil
}

// decoder reads the encoding of MarshalBinary, keeping the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: truncated number", ErrCorrupt)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) count() int {
	v := d.uvarint()
	if v > maxCount || v > uint64(len(d.b)) {
		if d.err == nil {
			d.err = fmt.Errorf("%w: count %d", ErrCorrupt, v)
		}
		return 0
	}
	return int(v)
}

// raw returns the next length-prefixed bytes, aliasing the input.
func (d *decoder) raw() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: length %d beyond the end", ErrCorrupt, n)
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

// bytes returns the next length-prefixed bytes as a string.
func (d *decoder) bytes() string { return string(d.raw()) }

// LookupResponse returns the response stored under key. Anything but a
// usable entry is a miss (ok false): no entry, an unreachable store or a
// corrupt entry; err tells the last two apart for logs and traces, and the
// caller goes on as on any miss.
func LookupResponse(ctx context.Context, s Store, key string) (r *Response, ok bool, err error) {
	b, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return nil, false, err
	}
	r = new(Response)
	if err := r.UnmarshalBinary(b); err != nil {
		return nil, false, err
	}
	return r, true, nil
}

// StoreResponse stores r under key for ttl. An error means the response was
// not stored; the request it belongs to is not affected.
func StoreResponse(ctx context.Context, s Store, key string, r *Response, ttl time.Duration) error {
	b, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	return s.Set(ctx, key, b, ttl)
}

// ValueLookup is the outcome of cache-lookup-value.
type ValueLookup struct {
	// Value is the value to assign to the variable when Assign is true.
	Value []byte
	// Assign reports whether the variable is assigned: on a hit, and on a
	// miss when a default-value is given. Otherwise the variable is left
	// unset.
	Assign bool
	// Hit reports whether Value came from the cache.
	Hit bool
	// Err is set when the store could not be read; the lookup then behaves
	// as a miss.
	Err error
}

// LookupValue performs cache-lookup-value for key. def is the
// default-value, used on a miss when hasDefault is true.
func LookupValue(ctx context.Context, s Store, key string, def []byte, hasDefault bool) ValueLookup {
	v, ok, err := s.Get(ctx, ValueKey(key))
	switch {
	case err == nil && ok:
		return ValueLookup{Value: v, Assign: true, Hit: true}
	case hasDefault:
		return ValueLookup{Value: def, Assign: true, Err: err}
	default:
		return ValueLookup{Err: err}
	}
}

// StoreValue performs cache-store-value: value is kept under key for
// duration. An error means the value was not stored.
func StoreValue(ctx context.Context, s Store, key string, value []byte, duration time.Duration) error {
	return s.Set(ctx, ValueKey(key), value, duration)
}

// RemoveValue performs cache-remove-value for key.
func RemoveValue(ctx context.Context, s Store, key string) error {
	return s.Delete(ctx, ValueKey(key))
}
