package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/identify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// profileScenario writes a one-state expression scenario z' = rhs with noisy
// observations (σ = 0.02, seed 1) simulated at the parameters' values, fitted
// with LM. params are TOML parameter tables without the brackets; extra is
// appended to the file.
func profileScenario(t *testing.T, rhs string, names []string, truth []float64, params []string, extra string) string {
	t.Helper()
	m, err := expr.New(expr.Spec{State: []string{"z"}, Params: names, Equations: []expr.Equation{{Name: "z", Expr: rhs}}})
	require.NoError(t, err)
	times := identify.Linspace(0.25, 5, 20)
	values, err := identify.Simulate(m, truth, 0, []float64{2}, times, &aca.Settings{RTol: 1e-10, ATol: 1e-12})
	require.NoError(t, err)
	identify.AddNoise(values, 0.02, 1)
	var b strings.Builder
	fmt.Fprintf(&b, "name = \"profile test\"\n\n[system]\nkind = \"expression\"\nstate = [\"z\"]\n\n[system.equations]\nz = %q\n", rhs)
	for _, p := range params {
		fmt.Fprintf(&b, "\n[[parameters]]\n%s\n", p)
	}
	b.WriteString("\n[initial_state]\nz0 = [2.0]\n\n[data]\nt = [")
	for i, tk := range times {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.17g", tk)
	}
	b.WriteString("]\nz = [")
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "[%.17g]", v)
	}
	b.WriteString("]\n\n[solver]\nrtol = 1e-10\natol = 1e-12\n\n[fit]\noptimizer = \"lm\"\n" + extra)
	path := filepath.Join(t.TempDir(), "decay.toml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

var decayParams = []string{"name = \"k\"\nvalue = 0.8\ninit = 1.0\nmin = 0.0\nmax = 10.0", "name = \"c\"\nvalue = 0.5\ninit = 0.3"}

func decayScenario(t *testing.T, extra string) string {
	return profileScenario(t, "-k*(z - c)", []string{"k", "c"}, []float64{0.8, 0.5}, decayParams, extra)
}

// TestProfileJSON: profile.json has exactly the contract's keys, --json
// prints the same object, the points are sorted, and one PNG per parameter is
// written; the intervals lie around the values and beside Wald's.
func TestProfileJSON(t *testing.T) {
	file := decayScenario(t, "")
	dir := t.TempDir()
	code, stdout, stderr := call("profile", file, "--out", dir, "--json", "--points", "15")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{"parameters"}, jsonKeys(t, stdout))
	saved, err := os.ReadFile(filepath.Join(dir, "profile.json"))
	require.NoError(t, err)
	var a, b any
	require.NoError(t, json.Unmarshal([]byte(stdout), &a))
	require.NoError(t, json.Unmarshal(saved, &b))
	assert.Equal(t, b, a, "--json prints profile.json")

	var raw struct {
		Parameters map[string]map[string]json.RawMessage `json:"parameters"`
	}
	require.NoError(t, json.Unmarshal(saved, &raw))
	require.Len(t, raw.Parameters, 2)
	for name, fields := range raw.Parameters {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		assert.ElementsMatch(t, []string{"value", "lower", "upper", "wald_lower", "wald_upper", "identifiable", "points"}, keys, name)
	}
	var out profileJSON
	require.NoError(t, json.Unmarshal(saved, &out))
	for _, name := range []string{"k", "c"} {
		pj, ok := out.Parameters[name]
		require.True(t, ok, name)
		assert.True(t, pj.Identifiable, name)
		require.NotNil(t, pj.Lower, name)
		require.NotNil(t, pj.Upper, name)
		require.NotNil(t, pj.WaldLower, name)
		require.NotNil(t, pj.WaldUpper, name)
		assert.Less(t, *pj.Lower, pj.Value)
		assert.Greater(t, *pj.Upper, pj.Value)
		// A nearly linear problem: the two intervals agree to 10% of the width.
		w := *pj.WaldUpper - *pj.WaldLower
		assert.InDelta(t, w, *pj.Upper-*pj.Lower, 0.1*w, name)
		require.GreaterOrEqual(t, len(pj.Points), 3)
		for i := 1; i < len(pj.Points); i++ {
			assert.Less(t, pj.Points[i-1][0], pj.Points[i][0], "%s points sorted by value", name)
		}
		readPNG(t, filepath.Join(dir, "profile_"+name+".png"))
	}

	// The table: one row per parameter with both intervals.
	code, stdout, stderr = call("profile", file, "--out", dir, "--params", "k")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "profile lower")
	assert.Contains(t, stdout, "Wald upper")
	assert.Regexp(t, `(?m)^k\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+true$`, stdout)
	assert.NotContains(t, stdout, "\nc ")
}

// TestProfileNonIdentifiableJSON: in z' = −a·b·(z − 0) only a·b is
// determined; a's interval has no ends (null) and identifiable is false.
func TestProfileNonIdentifiableJSON(t *testing.T) {
	file := profileScenario(t, "-a*b*z", []string{"a", "b"}, []float64{1, 1},
		[]string{"name = \"a\"\nvalue = 1.0\ninit = 1.2\nmin = 0.5\nmax = 2.0", "name = \"b\"\nvalue = 1.0\ninit = 0.9\nmin = 0.1\nmax = 10.0"}, "")
	dir := t.TempDir()
	code, stdout, stderr := call("profile", file, "--out", dir, "--params", "a", "--json")
	require.Equal(t, exitOK, code, stderr)
	var raw struct {
		Parameters map[string]map[string]json.RawMessage `json:"parameters"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &raw))
	require.Contains(t, raw.Parameters, "a")
	assert.NotContains(t, raw.Parameters, "b")
	a := raw.Parameters["a"]
	assert.Equal(t, "false", string(a["identifiable"]))
	assert.Equal(t, "null", string(a["lower"]))
	assert.Equal(t, "null", string(a["upper"]))

	code, stdout, stderr = call("profile", file, "--out", dir, "--params", "a")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "a is not identifiable")
	assert.Contains(t, stdout, "open (bound)")
}

// TestProfileDefaultOut: without --out the files go to out/<file name>-profile.
func TestProfileDefaultOut(t *testing.T) {
	file := decayScenario(t, "")
	t.Chdir(t.TempDir())
	code, _, stderr := call("profile", file, "--params", "c", "--points", "8")
	require.Equal(t, exitOK, code, stderr)
	for _, f := range []string{"profile.json", "profile_c.png"} {
		_, err := os.Stat(filepath.Join("out", "decay-profile", f))
		assert.NoError(t, err, f)
	}
}

// TestProfileBadInput: a fixed, unknown or repeated parameter, a fit without
// a finite optimum and bad flags exit with status 2, naming the parameter
// and the reason.
func TestProfileBadInput(t *testing.T) {
	good := decayScenario(t, "")
	fixed := profileScenario(t, "-k*(z - c)", []string{"k", "c"}, []float64{0.8, 0.5},
		[]string{decayParams[0], decayParams[1] + "\nfixed = true"}, "")
	failing := decayScenario(t, "")
	src, err := os.ReadFile(failing)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(failing, []byte(strings.Replace(string(src), "atol = 1e-12\n", "atol = 1e-12\nmax_steps = 2\n", 1)), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown", []string{good, "--params", "k,q"}, []string{`unknown parameter "q"`, "allowed: k, c"}},
		{"fixed", []string{fixed, "--params", "c"}, []string{"parameter c is fixed"}},
		{"fixed among others", []string{fixed, "--params", "k,c"}, []string{"parameter c is fixed"}},
		{"twice", []string{good, "--params", "k,k"}, []string{"parameter k is listed twice"}},
		{"empty name", []string{good, "--params", "k,,c"}, []string{"empty parameter name"}},
		{"no finite optimum", []string{failing, "--params", "k"}, []string{"parameter k: no finite optimum", "maximum"}},
		{"points", []string{good, "--points", "0"}, []string{"--points: 0 is out of range; want 1 to 1000"}},
		{"many points", []string{good, "--points", "1001"}, []string{"--points: 1001 is out of range"}},
		{"points not a number", []string{good, "--points", "x"}, []string{"-points"}},
		{"optimizer", []string{good, "--optimizer", "newton"}, []string{"allowed: adam, lbfgs, lm"}},
		{"no scenario", nil, []string{"exactly one SCENARIO"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := call(append([]string{"profile", "--out", t.TempDir()}, tc.args...)...)
			assert.Equal(t, exitUsage, code, stderr)
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
		})
	}
	// Every free parameter by default: the fixed one is left out.
	code, stdout, stderr := call("profile", fixed, "--out", t.TempDir(), "--json", "--points", "8")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `"k"`)
	assert.NotContains(t, stdout, `"c"`)
}
