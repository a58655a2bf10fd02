package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const vanDerPol = "../../scenarios/van_der_pol.toml"

// TestPrecisionJSON: precision.json and every row have exactly the
// contract's keys, --json prints the same object, the PNG is written, and
// ACA's error on van der Pol falls with the tolerance: each tighter
// tolerance at most doubles the error of the looser one before it (in
// practice it falls 5–50×; the factor 2 leaves room for an error that
// happens to be small at one tolerance), and over four decades of tolerance
// it falls at least a thousandfold.
func TestPrecisionJSON(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := call("precision", vanDerPol, "--methods", "aca,forward", "--repeats", "2", "--out", dir, "--json")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"reference_tol", "repeats", "rows"}, jsonKeys(t, stdout))
	saved, err := os.ReadFile(filepath.Join(dir, "precision.json"))
	require.NoError(t, err)
	var a, b any
	require.NoError(t, json.Unmarshal([]byte(stdout), &a))
	require.NoError(t, json.Unmarshal(saved, &b))
	assert.Equal(t, b, a, "--json prints precision.json")
	readPNG(t, filepath.Join(dir, "precision.png"))

	var raw struct {
		Rows []map[string]json.RawMessage `json:"rows"`
	}
	require.NoError(t, json.Unmarshal(saved, &raw))
	require.Len(t, raw.Rows, 2*5)
	for _, row := range raw.Rows {
		keys := make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
		assert.ElementsMatch(t, []string{"method", "tol", "error", "seconds_min", "seconds_median", "nfe", "bytes"}, keys)
	}
	var out precisionJSON
	require.NoError(t, json.Unmarshal(saved, &out))
	assert.Equal(t, 1e-12, out.ReferenceTol)
	assert.Equal(t, 2, out.Repeats)
	var acaErr []float64
	for _, r := range out.Rows {
		assert.Positive(t, r.NFE)
		assert.Positive(t, r.Bytes)
		assert.LessOrEqual(t, r.SecondsMin, r.SecondsMedian)
		if r.Method == "aca" {
			acaErr = append(acaErr, r.Error)
		}
	}
	require.Len(t, acaErr, 5)
	t.Logf("aca errors at 1e-6..1e-10: %.3g", acaErr)
	for i := 1; i < len(acaErr); i++ {
		assert.LessOrEqual(t, acaErr[i], 2*acaErr[i-1], "tol 1e-%d", 6+i)
	}
	assert.Less(t, acaErr[4], acaErr[0]/1e3)

	code, stdout, stderr = call("precision", vanDerPol, "--methods", "aca", "--tols", "1e-6", "--repeats", "1", "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "median s")
	assert.Regexp(t, `(?m)^aca\s+1e-06\s+\S+`, stdout)
}

func TestPrecisionDefaultOut(t *testing.T) {
	file, err := filepath.Abs(vanDerPol)
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	code, _, stderr := call("precision", file, "--methods", "aca", "--tols", "1e-6", "--repeats", "1")
	require.Equal(t, exitOK, code, stderr)
	for _, f := range []string{"precision.json", "precision.png"} {
		_, err := os.Stat(filepath.Join("out", "van_der_pol-precision", f))
		assert.NoError(t, err, f)
	}
}

// TestPrecisionBadInput: each bad flag exits 2 naming the flag.
func TestPrecisionBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown method", []string{"--methods", "aca,newton"}, `--methods: unknown method "newton"`},
		{"method twice", []string{"--methods", "aca,aca"}, "--methods"},
		{"tol zero", []string{"--tols", "1e-6,0"}, "--tols"},
		{"tol negative", []string{"--tols", "-1e-6"}, "--tols"},
		{"tol not a number", []string{"--tols", "1e-6,x"}, "--tols"},
		{"tol empty", []string{"--tols", "1e-6,"}, "--tols"},
		{"repeats", []string{"--repeats", "0"}, "--repeats"},
		{"reference not tighter", []string{"--tols", "1e-6,1e-12"}, "--reference-tol"},
		{"reference looser", []string{"--reference-tol", "1e-5"}, "--reference-tol"},
		{"reference zero", []string{"--reference-tol", "0"}, "--reference-tol"},
		{"reference not a number", []string{"--reference-tol", "x"}, "reference-tol"},
		{"land", []string{"--land", "yes"}, `--land: "yes" (allowed: true, false)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := call(append([]string{"precision", vanDerPol, "--out", t.TempDir()}, tc.args...)...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, tc.want)
		})
	}
	code, _, stderr := call("precision", "--out", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "exactly one SCENARIO")
}

// TestPrecisionLand: --land overrides the scenario's [solver] land. The
// three-body scenario lands on its 1000 observations; with dense output the
// steps follow the error control alone, so the same gradient takes fewer
// evaluations (measured: 6,251 against 19,145 at tol 1e-8).
func TestPrecisionLand(t *testing.T) {
	nfe := map[string]int{}
	for _, land := range []string{"true", "false"} {
		code, stdout, stderr := call("precision", threeBody, "--methods", "aca", "--tols", "1e-8", "--repeats", "1",
			"--land", land, "--json", "--out", t.TempDir())
		require.Equal(t, exitOK, code, stderr)
		var got precisionJSON
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		require.Len(t, got.Rows, 1)
		nfe[land] = got.Rows[0].NFE
	}
	assert.Less(t, 2*nfe["false"], nfe["true"], "dense output at least halves the work: %v", nfe)
}
