package scenarios_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/csvio"
	"github.com/physid/physid/scenarios"
)

// TestPeltsData regenerates (with -update) or checks testdata/pelts.csv:
// 21 yearly hare and lynx counts of Lotka–Volterra at the scenario's values
// with lognormal noise σ = 0.1.
func TestPeltsData(t *testing.T) {
	times := identify.Linspace(0, 20, 21)
	rows, _, err := integrate.Solve(dynamics.LotkaVolterra{}, []float64{0.55, 0.028, 0.024, 0.8}, 0, []float64{30, 4}, times,
		&integrate.Settings{RTol: 1e-12, ATol: 1e-12, Land: true}) // as the shipped file was made
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(21, 4))
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = []float64{times[i], r[0] * math.Exp(0.1*rng.NormFloat64()), r[1] * math.Exp(0.1*rng.NormFloat64())}
	}
	var buf bytes.Buffer
	require.NoError(t, csvio.Write(&buf, []string{"t", "hare", "lynx"}, out))
	if *update {
		require.NoError(t, os.WriteFile("testdata/pelts.csv", buf.Bytes(), 0o644))
	}
	got, err := os.ReadFile("testdata/pelts.csv")
	require.NoError(t, err)
	assert.Equal(t, buf.String(), string(got), "testdata/pelts.csv is stale: go test ./scenarios -run TestPeltsData -update")
}

// TestPeltsScenario fits the shipped lognormal scenario, σ estimated (LM
// with the σ residual row): every parameter within 3 standard errors of
// the value that made the data.
func TestPeltsScenario(t *testing.T) {
	sc, err := scenarios.Load("lotka_volterra_lognormal.toml")
	require.NoError(t, err)
	require.True(t, sc.Likelihood())
	res, err := identify.Fit(context.Background(), sc.FitProblem(), sc.Options(), nil)
	require.NoError(t, err)
	assert.Equal(t, "converged", res.Status)
	truth, _ := sc.TrueValues()
	t.Logf("pelts: %v = %.4g ± %.2g (%s)", sc.FitNames(), res.Params, res.StdErr, res.Status)
	for i, v := range truth {
		assert.InDelta(t, v, res.Params[i], 3*res.StdErr[i], sc.FitNames()[i])
	}
}

// sirCSV writes an outbreak of S' = −βSI/N, I' = βSI/N − γI, R' = γI (N =
// 1000, 1% infected at t = 0) observed daily for 60 days with N(0, 5²) noise
// on I.
func sirCSV(t *testing.T, dir, name string, beta, gamma float64, seed uint64) {
	m := sirModel{}
	times := identify.Linspace(1, 60, 60)
	rows, _, err := integrate.Solve(m, []float64{beta, gamma}, 0, []float64{990, 10, 0}, times, &integrate.Settings{RTol: 1e-12, ATol: 1e-12})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, 9))
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = []float64{times[i], r[1] + 5*rng.NormFloat64()}
	}
	var buf bytes.Buffer
	require.NoError(t, csvio.Write(&buf, []string{"day", "infected"}, out))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644))
}

type sirModel struct{}

func (sirModel) Dim() int       { return 3 }
func (sirModel) NumParams() int { return 2 }
func (sirModel) Func(dst []float64, _ float64, z, p []float64) {
	inf := p[0] * z[0] * z[1] / 1000
	dst[0], dst[1], dst[2] = -inf, inf-p[1]*z[1], p[1]*z[1]
}
func (sirModel) JVP([]float64, float64, []float64, []float64, []float64, []float64) {}
func (sirModel) VJP([]float64, []float64, float64, []float64, []float64, []float64) {}

const sirHead = `
[system]
kind = "expression"
state = ["S", "I", "R"]
[system.constants]
N = 1000
[system.equations]
S = "-beta*S*I/N"
I = "beta*S*I/N - gamma*I"
R = "gamma*I"
[[parameters]]
name = "beta"
init = 0.25
min = 0.0
local = true
[[parameters]]
name = "gamma"
init = 0.12
min = 0.0
[[observables]]
name = "infected"
expr = "I"
sigma = 5.0
[solver]
rtol = 1e-9
atol = 1e-9
`

func sirExperiment(name, file string) string {
	return fmt.Sprintf("[[experiments]]\nname = %q\nfile = %q\ncolumns = { t = \"day\" }\nz0 = [990.0, 10.0, 0.0]\n", name, file)
}

// TestSIRTwoOutbreaks: two outbreaks share the recovery rate γ = 0.1 and each
// has its own infection rate (β = 0.3 and 0.45, local). The joint fit
// recovers all three (within 3 standard errors), and its standard error of
// γ is smaller than that of either outbreak fitted alone: both outbreaks
// inform γ.
func TestSIRTwoOutbreaks(t *testing.T) {
	dir := t.TempDir()
	sirCSV(t, dir, "a.csv", 0.3, 0.1, 1)
	sirCSV(t, dir, "b.csv", 0.45, 0.1, 2)
	fit := func(src string) (*scenarios.Scenario, *identify.Result) {
		file := filepath.Join(dir, "sir.toml")
		sc, err := scenarios.Parse(file, []byte(src))
		require.NoError(t, err)
		res, err := identify.Fit(context.Background(), sc.FitProblem(), sc.Options(), nil)
		require.NoError(t, err)
		require.Equal(t, "converged", res.Status)
		return sc, res
	}
	sc, joint := fit(sirHead + sirExperiment("a", "a.csv") + sirExperiment("b", "b.csv"))
	names := sc.FitNames()
	require.Equal(t, []string{"beta@a", "gamma", "beta@b"}, names)
	want := []float64{0.3, 0.1, 0.45}
	for i := range want {
		assert.InDelta(t, want[i], joint.Params[i], 3*joint.StdErr[i], names[i])
	}
	_, a := fit(sirHead + sirExperiment("a", "a.csv"))
	_, b := fit(sirHead + sirExperiment("b", "b.csv"))
	t.Logf("joint %v = %.5g ± %.2g; γ alone: a %.5g ± %.2g, b %.5g ± %.2g", names, joint.Params, joint.StdErr, a.Params[1], a.StdErr[1], b.Params[1], b.StdErr[1])
	assert.Less(t, joint.StdErr[1], a.StdErr[1])
	assert.Less(t, joint.StdErr[1], b.StdErr[1])
}
