package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const threeBody = "../../scenarios/three_body.toml"

// TestFitThreeBody runs the main job: the paper's three-body fit writes the
// four outputs, result.json has exactly the contract's top-level fields, and
// the [0, 2] extrapolation MSE is below 1e-6.
func TestFitThreeBody(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := call("fit", threeBody, "--out", dir, "--json")
	require.Equal(t, exitOK, code, stderr)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	for _, key := range []string{"scenario", "gradient_method", "optimizer", "parameters", "loss", "epochs", "seconds", "nfe", "history", "extrapolation"} {
		assert.Contains(t, got, key)
	}
	var res resultJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, "aca", res.GradientMethod)
	assert.Equal(t, 100, res.Epochs)
	assert.Len(t, res.History, 100)
	require.NotNil(t, res.Extrapolation)
	assert.Equal(t, 2.0, res.Extrapolation.T1)
	assert.Equal(t, 2000, res.Extrapolation.Points)
	assert.LessOrEqual(t, *res.Extrapolation.MSE, 1e-6)
	names := make([]string, 0, len(res.Parameters))
	for n, p := range res.Parameters {
		names = append(names, n)
		require.NotNil(t, p.True)
		assert.InDelta(t, *p.True, p.Value, 1e-3)
		// init is the actual start: the file's 1.0 jittered by [fit] jitter = 0.1.
		assert.InDelta(t, 1.0, p.Init, 0.1)
		assert.NotEqual(t, 1.0, p.Init)
	}
	best := res.Starts[0]
	for i, name := range res.ParamOrder {
		assert.Equal(t, best.Init[i], res.Parameters[name].Init, name)
	}
	sort.Strings(names)
	assert.Equal(t, []string{"m1", "m2", "m3"}, names)
	for _, f := range []string{"result.json", "trajectory.csv", "orbits.png", "loss.png"} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.NoError(t, err, f)
	}
	readPNG(t, filepath.Join(dir, "orbits.png"))
	csv, err := os.ReadFile(filepath.Join(dir, "trajectory.csv"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(csv), "t,x1,y1,z1,x2,"), "header row")
	assert.Equal(t, 2001, strings.Count(string(csv), "\n"), "header and 2000 rows")

	// extrapolate --from reuses the fit and reproduces its error.
	code, stdout, stderr = call("extrapolate", threeBody, "--from", filepath.Join(dir, "result.json"), "--json")
	require.Equal(t, exitOK, code, stderr)
	var ex extrapolationJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &ex))
	assert.InDelta(t, *res.Extrapolation.MSE, *ex.MSE, 1e-12)
}

// TestFitResumeContinuesExactly: 10 epochs, then --resume to 20, gives the
// same parameters and history as 20 epochs in one go.
func TestFitResumeContinuesExactly(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	code, _, stderr := call("fit", threeBody, "--out", a, "--epochs", "20")
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = call("fit", threeBody, "--out", b, "--epochs", "10")
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = call("fit", threeBody, "--resume", b, "--epochs", "20")
	require.Equal(t, exitOK, code, stderr)
	ra, err := readResultFile(filepath.Join(a, "result.json"))
	require.NoError(t, err)
	rb, err := readResultFile(filepath.Join(b, "result.json"))
	require.NoError(t, err)
	assert.Equal(t, ra.Parameters, rb.Parameters)
	assert.Equal(t, ra.History, rb.History)
}

func TestFitOptimizersFromCSV(t *testing.T) {
	for _, opt := range []string{"lm", "lbfgs"} {
		code, stdout, stderr := call("fit", "../../scenarios/three_body_csv.toml", "--out", t.TempDir(), "--optimizer", opt, "--json")
		require.Equal(t, exitOK, code, stderr)
		var res resultJSON
		require.NoError(t, json.Unmarshal([]byte(stdout), &res))
		for name, p := range res.Parameters {
			require.NotNil(t, p.StdErr, name)
			// noise 1e-3 on 200 times: the masses within 4 standard errors.
			assert.InDelta(t, *p.True, p.Value, 4**p.StdErr, "%s %s", opt, name)
		}
	}
}

func TestSimulateWritesCSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sim.csv")
	code, _, stderr := call("simulate", "../../scenarios/van_der_pol.toml", "--out", out, "--t1", "5", "--points", "11")
	require.Equal(t, exitOK, code, stderr)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	assert.Equal(t, "t,x,v", lines[0])
	assert.Len(t, lines, 12)
	assert.True(t, strings.HasPrefix(lines[1], "0,2,0"), lines[1])
}

// TestFitBadInput: nbody mistakes and bad flags exit with status 2 and name
// the file and line (or the flag).
func TestFitBadInput(t *testing.T) {
	src, err := os.ReadFile(threeBody)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"bodies on top of each other", "[0.5, 0.0, 0.5], [0.0, 0.0, 0.5]]", "[0.0, 0.2, 0.0], [0.0, 0.0, 0.5]]", "initial_state.positions: nbody: close encounter: bodies 1 and 2"},
		{"non-positive mass", "value = 0.9", "value = -0.9", "parameters[2].value: mass m3 = -0.9 is not positive"},
		{"non-positive bound", "init = 1.0   #", "min = 0.0\ninit = 1.0   #", "parameters[0].min: mass bound 0 is not positive"},
		{"wrong observe group", `observe = ["positions"]`, `observe = ["position"]`, `data.observe[0]: unknown state name "position" (allowed: velocities, positions, x1`},
		{"bad optimizer", `optimizer = "adam"`, `optimizer = "sgd"`, "fit.optimizer: unknown value \"sgd\" (allowed: adam, lbfgs, lm)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(src), tc.from)
			path := filepath.Join(t.TempDir(), "bad.toml")
			require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(src), tc.from, tc.to, 1)), 0o644))
			code, _, stderr := call("fit", path, "--out", t.TempDir())
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, path+":")
			assert.Contains(t, stderr, tc.want)
		})
	}
	code, _, stderr := call("fit", threeBody, "--optimizer", "newton")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "allowed: adam, lbfgs, lm")
}

// TestFitSolverFailureMidFit: a step budget too small for the orbit fails the
// first epoch's solve: exit 2 with the epoch and the time reached.
func TestFitSolverFailureMidFit(t *testing.T) {
	src, err := os.ReadFile(threeBody)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "tight.toml")
	bad := strings.Replace(string(src), "atol = 1e-7\n", "atol = 1e-7\nmax_steps = 50\n", 1)
	require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
	code, _, stderr := call("fit", path, "--out", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "epoch 1")
	assert.Contains(t, stderr, "at t=")
}

// TestFitTrustOutputs: result.json carries at_bound per parameter, the
// covariance and the waterfall of every start (best first); a parameter held
// at its bound has a null stderr with a note and a warning; a fit stopped by
// its epoch limit prints a warning.
func TestFitTrustOutputs(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/sir_epidemic.toml")
	require.NoError(t, err)
	// γ ≥ 0.15 while the data come from γ = 0.1: the optimum is at the bound.
	bounded := strings.Replace(string(src), "init = 0.12\nmin = 0.0", "init = 0.2\nmin = 0.15\nmax = 1.0", 1)
	require.NotEqual(t, string(src), bounded)
	bounded += "\n[fit]\nstarts = 3\nseed = 2\n"
	path := filepath.Join(t.TempDir(), "sir.toml")
	require.NoError(t, os.WriteFile(path, []byte(bounded), 0o644))

	code, stdout, stderr := call("fit", path, "--out", t.TempDir(), "--json")
	require.Equal(t, exitOK, code, stderr)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(stdout), &raw))
	for _, key := range []string{"covariance", "waterfall"} {
		assert.Contains(t, raw, key)
	}
	var res resultJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, "lm", res.Optimizer, "no optimizer named: LM")
	assert.Equal(t, "converged", res.Status, res.Message)
	g := res.Parameters["gamma"]
	require.NotNil(t, g.AtBound)
	assert.Equal(t, "min", *g.AtBound)
	assert.Equal(t, 0.15, g.Value)
	assert.Nil(t, g.StdErr)
	assert.Equal(t, "at its lower bound", g.StdErrNote)
	assert.Nil(t, res.Parameters["beta"].AtBound)
	require.NotNil(t, res.Parameters["beta"].StdErr)
	require.NotNil(t, res.Covariance)
	assert.Equal(t, "classic", res.Covariance.Kind)
	assert.Equal(t, []string{"beta"}, res.Covariance.Parameters)
	require.Len(t, res.Covariance.Matrix, 1)
	assert.InDelta(t, *res.Parameters["beta"].StdErr, math.Sqrt(res.Covariance.Matrix[0][0]), 1e-15)
	require.Len(t, res.Waterfall, 3)
	for i := 1; i < len(res.Waterfall); i++ {
		assert.LessOrEqual(t, *res.Waterfall[i-1].Loss, *res.Waterfall[i].Loss, "best first")
	}
	assert.Equal(t, res.Loss, *res.Waterfall[0].Loss)
	assert.Contains(t, res.Waterfall[0].Params, "beta")
	assert.Contains(t, stderr, "warning: gamma = 0.15 is at its lower bound")
	assert.NotContains(t, stderr, "did not converge")

	// The table names the covariance and footnotes the missing value.
	code, stdout, _ = call("fit", path, "--out", t.TempDir())
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "std. error (classic)")
	assert.Contains(t, stdout, "[1] at its lower bound")
	assert.Contains(t, stdout, "of 3 starts reached the best loss")

	// An epoch limit too small to converge: a warning and indicative errors.
	code, stdout, stderr = call("fit", path, "--out", t.TempDir(), "--epochs", "2", "--json")
	require.Equal(t, exitOK, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, "max_epochs", res.Status)
	assert.Contains(t, stderr, "warning: the fit did not converge (max_epochs)")
	assert.Contains(t, res.Parameters["beta"].StdErrNote, "fit not converged (max_epochs)")
}

// TestFitSandwichCovariance: [fit] covariance = "sandwich" is named in the
// output; a value outside the allowed ones is an error with file and line.
func TestFitSandwichCovariance(t *testing.T) {
	src, err := os.ReadFile("../../scenarios/sir_epidemic.toml")
	require.NoError(t, err)
	dir := t.TempDir()
	good := filepath.Join(dir, "sw.toml")
	require.NoError(t, os.WriteFile(good, append(src, "\n[fit]\ncovariance = \"sandwich\"\n"...), 0o644))
	code, stdout, stderr := call("fit", good, "--out", t.TempDir())
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "std. error (sandwich)")
	bad := filepath.Join(dir, "bad.toml")
	require.NoError(t, os.WriteFile(bad, append(src, "\n[fit]\ncovariance = \"robust\"\n"...), 0o644))
	code, _, stderr = call("fit", bad, "--out", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, bad+":")
	assert.Contains(t, stderr, "allowed: classic, sandwich")
}
