package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// marshalJSON is json.MarshalIndent with two spaces, except that a NaN or
// infinite number, which encoding/json refuses ("json: unsupported value"),
// is written as null instead of failing the whole document: a finished fit
// with one standard error that overflowed must still be written. nulled lists
// the fields that were replaced, as dotted paths (parameters.k.stderr,
// history[3].loss), for the caller to report.
func marshalJSON(v any) (b []byte, nulled []string, err error) {
	b, err = json.MarshalIndent(v, "", "  ")
	var uv *json.UnsupportedValueError
	if err == nil || !errors.As(err, &uv) {
		return b, nil, err
	}
	tree := finiteTree(reflect.ValueOf(v), "", &nulled)
	flat, err := json.Marshal(tree)
	if err != nil {
		return nil, nulled, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, flat, "", "  "); err != nil {
		return nil, nulled, err
	}
	return buf.Bytes(), nulled, nil
}

// object is a JSON object that keeps its keys in the order given.
type object []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		buf.Write(k)
		buf.WriteByte(':')
		b, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// finiteTree converts v into values encoding/json writes the same way (field
// names and omitempty from the struct tags, map keys sorted), with every
// non-finite float replaced by nil and its path appended to nulled.
func finiteTree(v reflect.Value, path string, nulled *[]string) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(marshalerType) && (v.Kind() != reflect.Pointer || !v.IsNil()) {
		if b, err := json.Marshal(v.Interface()); err == nil {
			return json.RawMessage(b)
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return finiteTree(v.Elem(), path, nulled)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			*nulled = append(*nulled, strings.TrimPrefix(path, "."))
			return nil
		}
		return f
	case reflect.Struct:
		var o object
		structMembers(v, path, nulled, &o)
		return o
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		o := make(object, 0, len(keys))
		for _, k := range keys {
			o = append(o, member{k.String(), finiteTree(v.MapIndex(k), path+"."+k.String(), nulled)})
		}
		return o
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface() // []byte: base64, as encoding/json writes it
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = finiteTree(v.Index(i), path+"["+strconv.Itoa(i)+"]", nulled)
		}
		return out
	}
	return v.Interface()
}

// structMembers appends v's exported fields as encoding/json names them,
// flattening embedded structs without a tag.
func structMembers(v reflect.Value, path string, nulled *[]string, o *object) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if f.Anonymous && name == "" && fv.Kind() == reflect.Struct {
			structMembers(fv, path, nulled, o)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.Contains(opts, "omitempty") && isEmpty(fv) {
			continue
		}
		*o = append(*o, member{name, finiteTree(fv, path+"."+name, nulled)})
	}
}

// isEmpty is encoding/json's test for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
