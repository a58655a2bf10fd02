package scenarios_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/scenarios"
)

// TestExperimentErrors: every new key's mistakes name the file, the line,
// the field and, where there is a choice, the allowed values.
func TestExperimentErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "d.csv"), []byte("time,u,y\n0,1,2\n1,1,-3\n2,2,4\n"), 0o644))
	head := `[system]
kind = "expression"
state = ["h"]
inputs = ["u"]
[system.equations]
h = "-k*h + u"
[[parameters]]
name = "k"
init = 1.0
[[parameters]]
name = "h0"
init = 1.0
`
	obs := `[[observables]]
name = "y"
expr = "h"
`
	exp := `[[experiments]]
name = "a"
file = "d.csv"
columns = { t = "time" }
z0 = ["h0"]
`
	for _, tc := range []struct{ name, src, want string }{
		{"unknown input in an equation", strings.Replace(head, `"-k*h + u"`, `"-k*h + pump"`, 1) + obs + exp,
			`s.toml:6: system.equations.h: col 8: unknown name "pump"`},
		{"missing column", head + obs + strings.Replace(exp, `{ t = "time" }`, `{ t = "tim" }`, 1),
			`d.csv:1: header: missing column "tim" for the time "t"`},
		{"observable with no data column", head + strings.Replace(obs, `"y"`, `"level"`, 1) + exp,
			`d.csv:1: header: missing column "level" for observable "level"`},
		{"lognormal with a non-positive datum", head + obs + "noise = \"lognormal\"\n" + exp,
			`d.csv:3: column y: observable "y" is lognormal but its datum -3 at t=1 is not positive`},
		{"unknown noise", head + obs + "noise = \"poisson\"\n" + exp,
			`s.toml:16: observables[0].noise: unknown value "poisson" (allowed: gaussian, lognormal)`},
		{"unknown interpolation", head + "[inputs.u]\ninterpolation = \"cubic\"\n" + obs + exp,
			`s.toml:14: inputs.u.interpolation: unknown value "cubic" (allowed: hold, linear)`},
		{"unknown input table", head + "[inputs.v]\ninterpolation = \"hold\"\n" + obs + exp,
			`s.toml:13: inputs.v: unknown input "v"; declare it in [system] inputs (allowed: u)`},
		{"local without experiments", strings.Replace(head, "name = \"h0\"\ninit = 1.0\n", "name = \"h0\"\ninit = 1.0\nlocal = true\n", 1) +
			"[initial_state]\nz0 = [\"h0\"]\n[data]\nfile = \"d.csv\"\n",
			`parameters[1].local: parameter "h0" is local, but the scenario has no [[experiments]]`},
		{"unknown name in z0", head + obs + strings.Replace(exp, `["h0"]`, `["h00"]`, 1),
			`s.toml:20: experiments[0].z0[0]: col 1: unknown name "h00"`},
		{"estimated sigma without min", head + strings.Replace(obs, `expr = "h"`, "expr = \"h\"\nsigma = \"k\"", 1) + exp,
			`observables[0].sigma: the estimated sigma "k" needs min > 0`},
		{"experiments with initial_state", head + obs + exp + "[initial_state]\nz0 = [1.0]\n",
			`initial_state: [initial_state] and [[experiments]] exclude each other`},
		{"unknown experiment key", head + obs + exp + "dose = 1\n",
			`experiments[0].dose: unknown key (allowed: name, file, columns, t0, z0, constants, fit)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenarios.Parse(filepath.Join(dir, "s.toml"), []byte(tc.src))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestExperimentsBitIdentical: experiments run in parallel goroutines but
// are summed in experiment order, so a fit is bit-identical for any
// GOMAXPROCS.
func TestExperimentsBitIdentical(t *testing.T) {
	dir := t.TempDir()
	sirCSV(t, dir, "a.csv", 0.3, 0.1, 1)
	sirCSV(t, dir, "b.csv", 0.45, 0.1, 2)
	src := sirHead + sirExperiment("a", "a.csv") + sirExperiment("b", "b.csv")
	run := func(procs int) *identify.Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		sc, err := scenarios.Parse(filepath.Join(dir, "sir.toml"), []byte(src))
		require.NoError(t, err)
		res, err := identify.Fit(context.Background(), sc.FitProblem(), sc.Options(), nil)
		require.NoError(t, err)
		return res
	}
	one, two := run(1), run(2)
	assert.Equal(t, one.Params, two.Params)
	assert.Equal(t, one.Loss, two.Loss)
	assert.Equal(t, one.StdErr, two.StdErr)
}

// TestExperimentConstants: an experiment's constants override
// [system.constants] in its equations (here the population N), and an
// unknown constant is an error listing the known ones.
func TestExperimentConstants(t *testing.T) {
	dir := t.TempDir()
	sirCSV(t, dir, "a.csv", 0.3, 0.1, 1)
	big := strings.Replace(sirExperiment("b", "a.csv"), "z0 = [990.0, 10.0, 0.0]", "z0 = [1990.0, 10.0, 0.0]\nconstants = { N = 2000 }", 1)
	sc, err := scenarios.Parse(filepath.Join(dir, "sir.toml"), []byte(sirHead+sirExperiment("a", "a.csv")+big))
	require.NoError(t, err)
	p := sc.FitProblem()
	theta := []float64{0.3, 0.1, 0.3}
	sa, _, err := identify.SimulateExperiment(p, 0, theta, []float64{30})
	require.NoError(t, err)
	sb, _, err := identify.SimulateExperiment(p, 1, theta, []float64{30})
	require.NoError(t, err)
	for _, tc := range []struct {
		got []float64
		n   float64
		s0  float64
	}{{sa, 1000, 990}, {sb, 2000, 1990}} {
		want, _, err := integrate.Solve(sirPop{tc.n}, []float64{0.3, 0.1}, 0, []float64{tc.s0, 10, 0}, []float64{30}, &integrate.Settings{RTol: 1e-12, ATol: 1e-12})
		require.NoError(t, err)
		assert.InDeltaSlice(t, want[0], tc.got, 1e-5*tc.n, "N = %g", tc.n) // the scenario solves at rtol 1e-9
	}
	bad := strings.Replace(big, "N = 2000", "M = 2000", 1)
	_, err = scenarios.Parse(filepath.Join(dir, "sir.toml"), []byte(sirHead+sirExperiment("a", "a.csv")+bad))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "experiments[1].constants.M: unknown key (allowed: N)")
}

// sirPop is SIR with population N.
type sirPop struct{ N float64 }

func (sirPop) Dim() int       { return 3 }
func (sirPop) NumParams() int { return 2 }
func (m sirPop) Func(dst []float64, _ float64, z, p []float64) {
	inf := p[0] * z[0] * z[1] / m.N
	dst[0], dst[1], dst[2] = -inf, inf-p[1]*z[1], p[1]*z[1]
}
func (sirPop) JVP([]float64, float64, []float64, []float64, []float64, []float64) {}
func (sirPop) VJP([]float64, []float64, float64, []float64, []float64, []float64) {}

// TestExperimentsWithoutObservables: [[experiments]] without
// [[observables]] read every state from its column, σ = 1 with the scale
// estimated from the residuals (least-squares standard errors).
func TestExperimentsWithoutObservables(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.csv"), []byte("t,x\n1,1.2131\n2,0.7358\n3,0.4463\n4,0.2707\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.csv"), []byte("t,x\n1,2.4261\n2,1.4715\n3,0.8925\n4,0.5413\n"), 0o644))
	src := `[system]
kind = "expression"
state = ["x"]
[system.equations]
x = "-k*x"
[[parameters]]
name = "k"
init = 0.3
[[parameters]]
name = "x0"
init = 1.0
local = true
[[experiments]]
name = "a"
file = "a.csv"
z0 = ["x0"]
[[experiments]]
name = "b"
file = "b.csv"
z0 = ["x0"]
`
	sc, err := scenarios.Parse(filepath.Join(dir, "s.toml"), []byte(src))
	require.NoError(t, err)
	p := sc.FitProblem()
	assert.True(t, p.UnknownScale)
	res, err := identify.Fit(context.Background(), p, nil, nil)
	require.NoError(t, err)
	// The data are 2e^{−t/2} and 4e^{−t/2} to 4 digits.
	assert.InDelta(t, 0.5, res.Params[0], 1e-3)
	assert.InDelta(t, 2, res.Params[1], 1e-2)
	assert.InDelta(t, 4, res.Params[2], 1e-2)
	assert.False(t, math.IsNaN(res.StdErr[0]))
}
