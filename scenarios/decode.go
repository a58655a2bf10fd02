package scenarios

import (
	"fmt"

	"github.com/physid/physid/dynamics/expr"
	"math"
	"sort"
	"strings"
	"time"
)

// decoder turns the generic map a TOML parser produces into typed values and
// records the first mistake as an *Error with the key's line. Its readers have
// a sticky error, like bufio.Scanner: after the first mistake they return zero
// values and the caller checks err once.
type decoder struct {
	file  string
	lines lines
	err   *Error

	spec       expr.Spec // kind expression's equations (inputs as trailing parameters)
	inputNames []string  // kind expression's [system] inputs
}

// fail records a mistake at path unless one was recorded already.
func (d *decoder) fail(path, problem string, allowed ...string) {
	if d.err == nil {
		d.err = &Error{File: d.file, Line: d.lines.line(path), Field: path, Problem: problem, Allowed: allowed}
	}
}

// failf is fail with formatting.
func (d *decoder) failf(path, format string, args ...any) {
	d.fail(path, fmt.Sprintf(format, args...))
}

// table is one TOML table being read. Every reader call names a key the table
// may hold; done reports any other key as unknown, listing the ones asked for.
type table struct {
	d     *decoder
	path  string
	m     map[string]any
	known []string
}

func (d *decoder) table(path string, m map[string]any) *table {
	return &table{d: d, path: path, m: m}
}

func (t *table) at(key string) string { return joinPath(t.path, key) }

// get marks key as known and returns its value.
func (t *table) get(key string) (any, bool) {
	t.known = append(t.known, key)
	v, ok := t.m[key]
	return v, ok && t.d.err == nil
}

// has reports whether key is present (it does not mark it known).
func (t *table) has(key string) bool {
	_, ok := t.m[key]
	return ok
}

// allow declares the keys the table may hold and reports the first other key
// at once, before any "missing key" error can hide a misspelling.
func (t *table) allow(keys ...string) {
	t.known = append(t.known, keys...)
	t.done()
}

// check reports the first key outside keys and those declared so far,
// without declaring keys.
func (t *table) check(keys ...string) {
	saved := t.known
	t.known = append(append([]string(nil), saved...), keys...)
	t.done()
	t.known = saved
}

// done reports the first unknown key, in file order.
func (t *table) done() {
	if t.d.err != nil {
		return
	}
	known := map[string]bool{}
	for _, k := range t.known {
		known[k] = true
	}
	var unknown []string
	for k := range t.m {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return
	}
	sort.Slice(unknown, func(i, j int) bool {
		li, lj := t.d.lines.line(t.at(unknown[i])), t.d.lines.line(t.at(unknown[j]))
		if li != lj {
			return li < lj
		}
		return unknown[i] < unknown[j]
	})
	allowed := uniq(t.known)
	t.d.fail(t.at(unknown[0]), "unknown key", allowed...)
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// typeName names a decoded TOML value's type for messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func (t *table) wrongType(path string, want string, v any) {
	t.d.failf(path, "wrong type: want %s, got %s", want, typeName(v))
}

// str reads a string; def when absent.
func (t *table) str(key, def string) string {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	s, isStr := v.(string)
	if !isStr {
		t.wrongType(t.at(key), "a string", v)
	}
	return s
}

// choice reads a string that must be one of allowed; def when absent.
func (t *table) choice(key, def string, allowed []string) string {
	s := t.str(key, def)
	if t.d.err != nil || !t.has(key) {
		return s
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	t.d.fail(t.at(key), fmt.Sprintf("unknown value %q", s), allowed...)
	return ""
}

// number converts an integer or float at path, rejecting NaN and, unless
// infOK, ±Inf.
func (d *decoder) number(path string, v any, infOK bool) float64 {
	var x float64
	switch v := v.(type) {
	case float64:
		x = v
	case int64:
		x = float64(v)
	default:
		d.failf(path, "wrong type: want a number, got %s", typeName(v))
		return 0
	}
	if math.IsNaN(x) || (!infOK && math.IsInf(x, 0)) {
		d.failf(path, "%v is not a finite number", x)
		return 0
	}
	return x
}

// num reads a finite number; def when absent. The bool reports presence.
func (t *table) num(key string, def float64) (float64, bool) {
	v, ok := t.get(key)
	if !ok {
		return def, false
	}
	return t.d.number(t.at(key), v, false), true
}

// MaxTime bounds every time a scenario names (t0, observation times, the
// ends of simulation and extrapolation windows): within ±1e300 a span between
// two times and a step of 1% past one stay finite in float64, so the solver
// never meets an infinite time that no field would explain.
const MaxTime = 1e300

// time reads a time: a finite number within ±MaxTime.
func (t *table) time(key string, def float64) float64 {
	v, _ := t.num(key, def)
	if t.d.err == nil && math.Abs(v) > MaxTime {
		t.d.failf(t.at(key), "%g is outside ±%g, the range within which steps and spans stay finite", v, MaxTime)
	}
	return v
}

// bound reads a number that may be ±inf; def when absent.
func (t *table) bound(key string, def float64) float64 {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	return t.d.number(t.at(key), v, true)
}

// nonNegative reads a number ≥ 0; 0 when absent.
func (t *table) nonNegative(key string) float64 {
	x, _ := t.num(key, 0)
	if x < 0 {
		t.d.failf(t.at(key), "%g is negative; want ≥ 0 (0 means the default)", x)
	}
	return x
}

// integer reads an integer; def when absent.
func (t *table) integer(key string, def int) int {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case float64: // 1e6 is a float in TOML; accept it when it is a whole number
		if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
			t.d.failf(t.at(key), "%g is not a whole number in range", v)
			return 0
		}
		n = int64(v)
	default:
		t.wrongType(t.at(key), "an integer", v)
		return 0
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		t.d.failf(t.at(key), "%d is out of range", n)
		return 0
	}
	return int(n)
}

// boolean reads a boolean; def when absent.
func (t *table) boolean(key string, def bool) bool {
	v, ok := t.get(key)
	if !ok {
		return def
	}
	b, isBool := v.(bool)
	if !isBool {
		t.wrongType(t.at(key), "true or false", v)
	}
	return b
}

// quoteAll quotes names for messages.
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
