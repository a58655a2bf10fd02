package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeScenario writes src as NAME.toml in a new temporary folder.
func writeScenario(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".toml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return path
}

// zeroLoss is dz/dt = kz from z0 = 0 observed as 0: the loss is exactly 0 at
// every k, which a logarithmic loss plot cannot show.
const zeroLoss = `name = "zero"
[system]
kind = "exponential"
[[parameters]]
name = "k"
value = 1.0
init = 0.5
[initial_state]
z0 = [0.0]
[data]
t = [1.0]
z = [[0.0]]
[fit]
epochs = 3
`

// TestPlotsNeverFailAFit: a loss that is exactly 0, or time weights that all
// underflow, used to panic inside gonum/plot's log axis (exit 3, nothing
// written); so did a one-epoch fit of the three-body scenario. The plot now
// falls back to a linear axis and the fit ends normally with every file.
func TestPlotsNeverFailAFit(t *testing.T) {
	for _, tc := range []struct {
		name, scenario string
		args           []string
	}{
		{"loss exactly zero", writeScenario(t, "zero", zeroLoss), nil},
		{"time weights underflow", writeScenario(t, "underflow", zeroLoss[:len(zeroLoss)-len("[fit]\nepochs = 3\n")]+
			"[loss]\ntime_weight = 1e-308\n[fit]\nepochs = 3\n"), nil},
		{"one epoch of the three-body fit", threeBody, []string{"--epochs", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			code, _, stderr := call(append([]string{"fit", tc.scenario, "--out", dir}, tc.args...)...)
			require.Equal(t, exitOK, code, stderr)
			for _, f := range []string{"result.json", "loss.png"} {
				_, err := os.Stat(filepath.Join(dir, f))
				assert.NoError(t, err, f)
			}
			readPNG(t, filepath.Join(dir, "loss.png"))
		})
	}
}

// sqrtAtZero is x' = −k·sqrt(x) from x0 = 0: f is finite (0) but its slope
// in x is infinite at the initial state, so every gradient is undefined.
const sqrtAtZero = `name = "sq"
[system]
kind = "expression"
state = ["x"]
[system.equations]
x = "-k*sqrt(x)"
[[parameters]]
name = "k"
value = 1.0
[initial_state]
z0 = [0.0]
[data]
t = [1.0]
z = [[0.5]]
`

// TestNonFiniteGradientIsAnError: aca and naive used to print dL/dθ NaN and
// exit 0 (with --json: "json: unsupported value: NaN"). Every method now
// fails with an error naming the equation and the time, and prints no NaN.
func TestNonFiniteGradientIsAnError(t *testing.T) {
	file := writeScenario(t, "sq", sqrtAtZero)
	for _, method := range []string{"aca", "naive", "adjoint", "forward"} {
		for _, json := range []bool{false, true} {
			args := []string{"grad", file, "--method", method}
			if json {
				args = append(args, "--json")
			}
			code, stdout, stderr := call(args...)
			assert.Equal(t, exitRuntime, code, "%s %v: %s", method, json, stderr)
			assert.NotContains(t, stdout, "NaN", method)
			assert.Contains(t, stderr, "sq.toml", method)
			assert.Contains(t, stderr, "t=", method)
			if method == "aca" || method == "naive" {
				assert.Contains(t, stderr, `equation "x"`, method)
			}
		}
	}
}

// TestOutputAndTimeFlagsCheckedFirst: an --out that cannot be written and a
// --t1 the solver cannot reach are usage errors (exit 2) found before the
// computation, naming the flag; they used to surface after it as exit 1
// ("file exists", "times[2] = +Inf", "times[0] = NaN").
func TestOutputAndTimeFlagsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain.txt")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	vdp := "../../scenarios/van_der_pol.toml"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"simulate into an existing folder", []string{"simulate", vdp, "--out", dir}, "--out: " + dir + " is a folder"},
		{"simulate under a file", []string{"simulate", vdp, "--out", filepath.Join(file, "sim.csv")}, "--out: "},
		{"t1 infinite", []string{"simulate", vdp, "--t1", "inf", "--out", filepath.Join(dir, "a.csv")}, "--t1: +Inf is not a finite time"},
		{"t1 overflows", []string{"simulate", vdp, "--t1", "1e308", "--out", filepath.Join(dir, "a.csv")}, "--t1: 1e+308 is not a finite time within ±1e+300"},
		{"t1 NaN", []string{"simulate", vdp, "--t1", "nan", "--out", filepath.Join(dir, "a.csv")}, "--t1: NaN"},
		{"extrapolate t1 infinite", []string{"extrapolate", vdp, "--from", file, "--t1", "-inf"}, "--t1: -Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := call(tc.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
		})
	}
}
