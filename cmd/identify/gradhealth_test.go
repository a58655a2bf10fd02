package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/aca"
)

const (
	vdpFile       = "../../scenarios/van_der_pol.toml"
	threeBodyFile = "../../scenarios/three_body.toml"
	toyFile       = "../../scenarios/toy_exponential.toml"
)

func TestAdjointWarning(t *testing.T) {
	assert.Empty(t, adjointWarning(aca.Stats{}), "not the adjoint")
	assert.Empty(t, adjointWarning(aca.Stats{ReconstructionError: 1e9}), "not measured")
	assert.Empty(t, adjointWarning(aca.Stats{HasReconstruction: true, ReconstructionError: reconstructionThreshold}))
	w := adjointWarning(aca.Stats{HasReconstruction: true, ReconstructionError: 2 * reconstructionThreshold})
	assert.Contains(t, w, "unreliable")
	assert.Contains(t, w, "--method aca")
}

// TestGradAdjointVanDerPolWarns: the case. The adjoint's dL/dμ is 40.91
// where every other method gives 7.4326; its backward solve lands 1.2e8
// tolerance units from z0, far above the threshold.
func TestGradAdjointVanDerPolWarns(t *testing.T) {
	code, out, errOut := call("grad", vdpFile, "--method", "adjoint", "--json")
	require.Equal(t, 0, code, errOut)
	var g gradJSON
	require.NoError(t, json.Unmarshal([]byte(out), &g))
	require.NotNil(t, g.ReconstructionError)
	assert.Greater(t, *g.ReconstructionError, float64(reconstructionThreshold))
	assert.Contains(t, errOut, "adjoint gradient is unreliable")
	assert.Equal(t, 1, strings.Count(errOut, "\n"), "one warning: %s", errOut)

	code, out, errOut = call("grad", vdpFile, "--method", "adjoint")
	require.Equal(t, 0, code, errOut)
	// 1.21e8 with the parameter adjoint outside the backward error norm (the
	// default; 1.16e8 with aca.Adjoint{ErrconQ: true}).
	assert.Regexp(t, `reconstruction error: 1\.\d+e\+08`, out)
	assert.Contains(t, errOut, "use --method aca")
}

// TestGradAdjointThreeBodyQuiet: on the three-body problem the reversed flow is
// tame (reconstruction error 30) and the adjoint agrees with finite
// differences to 1e-4, so no warning.
func TestGradAdjointThreeBodyQuiet(t *testing.T) {
	code, out, errOut := call("grad", threeBodyFile, "--method", "adjoint", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	var g gradJSON
	require.NoError(t, json.Unmarshal([]byte(out), &g))
	require.NotNil(t, g.ReconstructionError)
	assert.Less(t, *g.ReconstructionError, float64(reconstructionThreshold))
}

// TestGradNoReconstructionForOtherMethods: the key is the adjoint's alone.
func TestGradNoReconstructionForOtherMethods(t *testing.T) {
	for _, m := range []string{"aca", "naive", "forward"} {
		code, out, errOut := call("grad", vdpFile, "--method", m, "--json")
		require.Equal(t, 0, code, errOut)
		assert.NotContains(t, out, "reconstruction_error", m)
		assert.Empty(t, errOut, m)
		code, out, _ = call("grad", vdpFile, "--method", m)
		require.Equal(t, 0, code)
		assert.NotContains(t, out, "reconstruction error", m)
	}
}

// TestGradCheckToy: on the toy every method agrees with finite differences of
// 1e-12 solves to better than 1e-6 relative: ACA is the exact derivative of the
// rtol = atol = 1e-5 solve, which is 8.7e-7 off the true e^{2}·2 (twice the
// solve's own relative error), and the reference is good to ~1e-8.
func TestGradCheckToy(t *testing.T) {
	code, out, errOut := call("grad", toyFile, "--check", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Contains(t, raw, "check")
	var chk map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw["check"], &chk))
	for _, k := range []string{"fd_step", "fd_rtol", "fd_atol", "threshold", "rows", "norm_diff", "agrees"} {
		assert.Contains(t, chk, k)
	}
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(chk["rows"], &rows))
	require.Len(t, rows, 2*len(aca.Methods()), "k and z0[z] for each method")
	for _, r := range rows {
		for _, k := range []string{"method", "parameter", "value", "fd", "rel_diff"} {
			assert.Contains(t, r, k)
		}
	}
	var g gradJSON
	require.NoError(t, json.Unmarshal([]byte(out), &g))
	require.NotNil(t, g.Check)
	assert.True(t, g.Check.Agrees)
	assert.Equal(t, "aca", g.Check.Rows[0].Method, "the chosen method first")
	seen := map[string]bool{}
	for _, r := range g.Check.Rows {
		seen[r.Method] = true
		assert.Less(t, r.RelDiff, 1e-6, "%s %s", r.Method, r.Parameter)
		if r.Method == "aca" {
			assert.Contains(t, []string{"k", "z0[z]"}, r.Parameter)
		}
	}
	assert.Len(t, seen, 4)

	code, out, errOut = call("grad", toyFile, "--check")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	for _, s := range []string{"finite differences", "aca (chosen)", "adjoint", "naive", "forward", "z0[z]", "normwise"} {
		assert.Contains(t, out, s)
	}
}

// TestGradCheckWarnsButSucceeds: the adjoint on van der Pol differs from finite
// differences by a factor 4.5: both warnings, exit status 0, and the other
// methods still agree.
func TestGradCheckWarnsButSucceeds(t *testing.T) {
	code, out, errOut := call("grad", vdpFile, "--method", "adjoint", "--check", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "adjoint gradient is unreliable")
	assert.Contains(t, errOut, "differs from finite differences")
	var g gradJSON
	require.NoError(t, json.Unmarshal([]byte(out), &g))
	require.NotNil(t, g.Check)
	assert.False(t, g.Check.Agrees)
	assert.Greater(t, g.Check.NormDiff["adjoint"], 1.0)
	for _, m := range []string{"aca", "naive", "forward"} {
		assert.Less(t, g.Check.NormDiff[m], 1e-5, m)
	}
	for _, r := range g.Check.Rows {
		if r.Method == "aca" && r.Parameter == "mu" {
			assert.InEpsilon(t, 7.4326, r.Value, 1e-4)
			assert.InEpsilon(t, 7.4326, r.FD, 1e-4)
		}
	}
}
