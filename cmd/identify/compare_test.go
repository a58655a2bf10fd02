package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompareContract runs a reduced comparison of lstm against the physics
// model through the CLI and checks compare.json's contract fields, the
// ordering ode < lstm and that stdout's --json equals the file.
func TestCompareContract(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := call("compare", threeBody, "--runs", "1", "--budget", "reduced",
		"--models", "lstm,node,ode", "--methods", "aca", "--out", out, "--json")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "[3/3]")

	file, err := os.ReadFile(filepath.Join(out, "compare.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(file), stdout)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(file, &raw))
	for _, k := range []string{"scenario", "runs", "models", "paper"} {
		assert.Contains(t, raw, k)
	}
	var got struct {
		Scenario string
		Runs     int
		Models   []map[string]any
		Paper    struct{ Models []map[string]any }
	}
	require.NoError(t, json.Unmarshal(file, &got))
	assert.Equal(t, "three-body", got.Scenario)
	assert.Equal(t, 1, got.Runs)
	require.Len(t, got.Models, 3)
	for _, m := range got.Models {
		for _, k := range []string{"model", "gradient_method", "test_mse_mean", "test_mse_std", "seconds", "parameters"} {
			assert.Contains(t, m, k)
		}
	}
	assert.Equal(t, "lstm", got.Models[0]["model"])
	assert.Nil(t, got.Models[0]["gradient_method"])
	assert.Equal(t, "node", got.Models[1]["model"])
	assert.Equal(t, "ode", got.Models[2]["model"])
	assert.Equal(t, "aca", got.Models[2]["gradient_method"])
	assert.EqualValues(t, 3, got.Models[2]["parameters"])
	lstm, ode := got.Models[0]["test_mse_mean"].(float64), got.Models[2]["test_mse_mean"].(float64)
	assert.Less(t, ode, 1e-6, "the physics model recovers the orbit")
	assert.Less(t, 1e3*ode, lstm, "ode < lstm by orders of magnitude")
	assert.Len(t, got.Paper.Models, 8)

	info, err := os.Stat(filepath.Join(out, "compare.png"))
	require.NoError(t, err)
	assert.Greater(t, info.Size(), int64(10000))

	// The saved node runs again under extrapolate with the same test MSE.
	saved := filepath.Join(out, "models", "node-aca.json")
	code, stdout, stderr = call("extrapolate", threeBody, "--from", saved, "--json")
	require.Equal(t, 0, code, stderr)
	var ex extrapolationJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &ex))
	require.NotNil(t, ex.MSE)
	assert.InDelta(t, got.Models[1]["test_mse_mean"].(float64), *ex.MSE, 1e-9)
	// A model of another state cannot run a van der Pol scenario.
	code, _, stderr = call("extrapolate", "../../scenarios/van_der_pol.toml", "--from", saved)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "models 18 states")
}

// TestCompareBadInput: every mistake is a usage error (exit 2) that says
// what is allowed.
func TestCompareBadInput(t *testing.T) {
	// The CSV scenario without the true masses: it still fits, but there is
	// no truth to test against.
	noTruth := filepath.Join(t.TempDir(), "no_truth.toml")
	b, err := os.ReadFile("../../scenarios/three_body_csv.toml")
	require.NoError(t, err)
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "value =") {
			kept = append(kept, line)
		}
	}
	data, err := filepath.Abs("../../testdata")
	require.NoError(t, err)
	text := strings.ReplaceAll(strings.Join(kept, "\n"), "../testdata", data)
	require.NoError(t, os.WriteFile(noTruth, []byte(text), 0o644))

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown model", []string{threeBody, "--models", "lstm,gru"}, `--models: unknown entry "gru" (allowed: lstm, lstm-aug, node, ode)`},
		{"model twice", []string{threeBody, "--models", "ode,ode"}, `"ode" listed twice`},
		{"no models", []string{threeBody, "--models", ","}, "--models: empty list"},
		{"unknown method", []string{threeBody, "--methods", "forward"}, `--methods: unknown entry "forward" (allowed: aca, adjoint, naive)`},
		{"runs 0", []string{threeBody, "--runs", "0"}, "--runs: 0; the run count must be at least 1"},
		{"runs negative", []string{threeBody, "--runs", "-1"}, "at least 1"},
		{"budget", []string{threeBody, "--budget", "huge"}, `--budget: unknown budget "huge" (allowed: full, reduced)`},
		{"no scenario", []string{}, "exactly one SCENARIO"},
		{"missing file", []string{"nope.toml"}, "nope.toml"},
		{"not n-body", []string{"../../scenarios/van_der_pol.toml", "--models", "lstm-aug"},
			`model "lstm-aug" needs an N-body system`},
		{"not n-body node", []string{"../../scenarios/van_der_pol.toml", "--models", "node"}, `model "node" needs an N-body system`},
		{"no truth", []string{noTruth}, "compare needs the true value of every parameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"compare", "--out", t.TempDir(), "--budget", "reduced"}, tc.args...)
			// Later flags win: the budget case overrides the default above.
			code, _, stderr := call(args...)
			assert.Equal(t, 2, code, stderr)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// TestCompareOtherSystem: lstm and ode need no N-body system, and the lstm's
// defaults adapt to a short series (60 observations here, against the
// paper's 1000).
func TestCompareOtherSystem(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := call("compare", "../../scenarios/lotka_volterra.toml", "--runs", "1", "--budget", "reduced",
		"--models", "lstm,ode", "--methods", "aca", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "lstm")
	var doc compareJSON
	b, err := os.ReadFile(filepath.Join(out, "compare.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Len(t, doc.Models, 2)
	require.NotNil(t, doc.Models[1].TestMSEMean)
	assert.Less(t, *doc.Models[1].TestMSEMean, 1.0, "the physics fit follows the cycle")
}
