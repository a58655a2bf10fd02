package main

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMarshalJSONNullsNonFinite: a value encoding/json refuses (NaN, ±Inf)
// becomes null at its path, and everything else is written exactly as
// encoding/json writes it, in the same field order.
func TestMarshalJSONNullsNonFinite(t *testing.T) {
	type inner struct {
		A float64  `json:"a"`
		B *float64 `json:"b,omitempty"`
	}
	type doc struct {
		Name   string           `json:"name"`
		Values []float64        `json:"values"`
		Map    map[string]inner `json:"map"`
		Skip   int              `json:"-"`
		Empty  string           `json:"empty,omitempty"`
		Plain  int
	}
	inf := math.Inf(1)
	finite := doc{Name: "x", Values: []float64{1, 2}, Map: map[string]inner{"k": {A: 3}}, Plain: 4}
	want, err := json.MarshalIndent(finite, "", "  ")
	require.NoError(t, err)
	got, nulled, err := marshalJSON(finite)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	assert.Empty(t, nulled)

	bad := doc{Name: "x", Values: []float64{1, math.NaN()}, Map: map[string]inner{"k": {A: 3, B: &inf}, "j": {A: -inf}}, Plain: 4}
	got, nulled, err = marshalJSON(bad)
	require.NoError(t, err)
	assert.Equal(t, []string{"values[1]", "map.j.a", "map.k.b"}, nulled)
	assert.JSONEq(t, `{"name":"x","values":[1,null],"map":{"j":{"a":null},"k":{"a":3,"b":null}},"Plain":4}`, string(got))
	assert.Less(t, indexOf(string(got), `"name"`), indexOf(string(got), `"values"`), "struct field order kept")
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
