package scenarios

import (
	"fmt"
)

// array reads an array (nil, false when absent).
func (t *table) array(key string) ([]any, bool) {
	v, ok := t.get(key)
	if !ok {
		return nil, false
	}
	a, isArr := v.([]any)
	if !isArr {
		t.wrongType(t.at(key), "an array", v)
		return nil, false
	}
	return a, true
}

// strs reads an array of strings.
func (t *table) strs(key string) ([]string, bool) {
	a, ok := t.array(key)
	if !ok {
		return nil, false
	}
	out := make([]string, len(a))
	for i, v := range a {
		s, isStr := v.(string)
		if !isStr {
			t.wrongType(indexPath(t.at(key), i), "a string", v)
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// nums reads an array of finite numbers.
func (t *table) nums(key string) ([]float64, bool) {
	a, ok := t.array(key)
	if !ok {
		return nil, false
	}
	return t.d.numbers(t.at(key), a), t.d.err == nil
}

func (d *decoder) numbers(path string, a []any) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = d.number(indexPath(path, i), v, false)
		if d.err != nil {
			return nil
		}
	}
	return out
}

// rows reads an array of arrays of finite numbers, each of length width.
func (t *table) rows(key string, width int) ([][]float64, bool) {
	a, ok := t.array(key)
	if !ok {
		return nil, false
	}
	out := make([][]float64, len(a))
	for i, v := range a {
		p := indexPath(t.at(key), i)
		row, isArr := v.([]any)
		if !isArr {
			t.wrongType(p, fmt.Sprintf("an array of %d numbers", width), v)
			return nil, false
		}
		if len(row) != width {
			t.d.failf(p, "wrong length: %d values, want %d", len(row), width)
			return nil, false
		}
		if out[i] = t.d.numbers(p, row); t.d.err != nil {
			return nil, false
		}
	}
	return out, true
}

// sub reads a sub-table; an absent one reads as empty (present reports which).
func (t *table) sub(key string) (sub *table, present bool) {
	v, ok := t.get(key)
	sub = t.d.table(t.at(key), nil)
	if !ok {
		return sub, false
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		t.wrongType(t.at(key), "a table", v)
		return sub, false
	}
	sub.m = m
	return sub, true
}

// tables reads an array of tables, written [[key]] or key = [{...}, ...].
func (t *table) tables(key string) []*table {
	v, ok := t.get(key)
	if !ok {
		return nil
	}
	var ms []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		ms = v
	case []any:
		for i, e := range v {
			m, isMap := e.(map[string]any)
			if !isMap {
				t.wrongType(indexPath(t.at(key), i), "a table", e)
				return nil
			}
			ms = append(ms, m)
		}
	default:
		t.wrongType(t.at(key), "an array of tables ([["+key+"]])", v)
		return nil
	}
	out := make([]*table, len(ms))
	for i, m := range ms {
		out[i] = t.d.table(indexPath(t.at(key), i), m)
	}
	return out
}
