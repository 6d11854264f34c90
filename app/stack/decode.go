package stack

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// keyPath is where a value sits in the Compose model: string keys and
// list indexes ("services", "web", "x-berth", "probes", 0, "http").
type keyPath []any

// String writes the path as users read it: x-berth.probes[0].http.
func (p keyPath) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, e)
		}
	}
	return b.String()
}

// with returns p extended by e, never sharing p's backing array.
func (p keyPath) with(e any) keyPath {
	q := make(keyPath, len(p), len(p)+1)
	copy(q, p)
	return append(q, e)
}

// fieldError is a schema error about the value (or, for an unknown key,
// the key) at Path. Msg is the whole text after "file:line: ".
type fieldError struct {
	Path keyPath
	Msg  string
}

func (e *fieldError) Error() string { return e.Msg }

// decodeStrict fills out (a pointer to a schema struct) from v, a value
// of the loaded Compose model at path at. Unknown keys and values of the
// wrong type are errors; the first one found (keys in sorted order) is
// returned.
func decodeStrict(v any, out any, at keyPath) *fieldError {
	return decodeInto(v, reflect.ValueOf(out).Elem(), at)
}

var valueDecoderType = reflect.TypeFor[valueDecoder]()

func decodeInto(v any, rv reflect.Value, at keyPath) *fieldError {
	if rv.CanAddr() && rv.Addr().Type().Implements(valueDecoderType) {
		if v == nil {
			return nil
		}
		if err := rv.Addr().Interface().(valueDecoder).decodeValue(v); err != nil {
			return &fieldError{Path: at, Msg: fmt.Sprintf("%s: %v", at, err)}
		}
		return nil
	}
	switch rv.Kind() {
	case reflect.Pointer:
		// `http:` with nothing after it asks for a probe with defaults;
		// an empty scalar (`port:`) stays unset.
		if v == nil && rv.Type().Elem().Kind() != reflect.Struct {
			return nil
		}
		p := reflect.New(rv.Type().Elem())
		if fe := decodeInto(v, p.Elem(), at); fe != nil {
			return fe
		}
		rv.Set(p)
		return nil
	case reflect.Struct:
		return decodeStruct(v, rv, at)
	case reflect.Map:
		return decodeMap(v, rv, at)
	case reflect.Slice:
		return decodeSlice(v, rv, at)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			fe := wrongType(at, "a string", v)
			switch v.(type) {
			case int, int64, uint64, float64, bool:
				// YAML read 1.20 as a number; only quotes keep the text.
				fe.Msg += " (quote it to keep the text as written)"
			}
			return fe
		}
		rv.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := boolValue(v)
		if !ok {
			return wrongType(at, "true or false", v)
		}
		rv.SetBool(b)
		return nil
	case reflect.Int:
		n, ok := intValue(v)
		if !ok {
			return wrongType(at, "an integer", v)
		}
		rv.SetInt(n)
		return nil
	}
	return &fieldError{Path: at, Msg: fmt.Sprintf("%s: cannot decode into %s", at, rv.Type())}
}

func decodeStruct(v any, rv reflect.Value, at keyPath) *fieldError {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return wrongType(at, "a mapping", v)
	}
	fields := structFields(rv.Type())
	for _, k := range sortedKeys(m) {
		i, ok := fields[k]
		if !ok {
			return &fieldError{
				Path: at.with(k),
				Msg:  fmt.Sprintf("%s: unknown key %q%s", at, k, suggest(k, fields)),
			}
		}
		if fe := decodeInto(m[k], rv.Field(i), at.with(k)); fe != nil {
			return fe
		}
	}
	return nil
}

func decodeMap(v any, rv reflect.Value, at keyPath) *fieldError {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return wrongType(at, "a mapping", v)
	}
	out := reflect.MakeMapWithSize(rv.Type(), len(m))
	for _, k := range sortedKeys(m) {
		e := reflect.New(rv.Type().Elem()).Elem()
		if fe := decodeInto(m[k], e, at.with(k)); fe != nil {
			return fe
		}
		out.SetMapIndex(reflect.ValueOf(k), e)
	}
	rv.Set(out)
	return nil
}

func decodeSlice(v any, rv reflect.Value, at keyPath) *fieldError {
	if v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		return wrongType(at, "a list", v)
	}
	out := reflect.MakeSlice(rv.Type(), len(l), len(l))
	for i, e := range l {
		if fe := decodeInto(e, out.Index(i), at.with(i)); fe != nil {
			return fe
		}
	}
	rv.Set(out)
	return nil
}

func wrongType(at keyPath, want string, got any) *fieldError {
	return &fieldError{Path: at, Msg: fmt.Sprintf("%s: want %s, got %s", at, want, describe(got))}
}

// structFields maps a struct's yaml key names to field indexes.
func structFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// boolValue accepts a YAML boolean, or the text an interpolated
// `${VAR}` leaves behind ("true", "false").
func boolValue(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch v {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// intValue accepts a YAML integer, or decimal text (an interpolated
// `${PORT}` is text).
func intValue(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), true
		}
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return n, true
		}
	}
	return 0, false
}
