package scenarios_test

import (
	"bytes"
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/csvio"
	"github.com/physid/physid/scenarios"
)

// update rewrites the generated test data: testdata/tanks.csv, pelts.csv and
// robertson.csv (go test ./scenarios -run TestTanksData|TestPeltsData|TestRobertsonData -update).
var update = flag.Bool("update", false, "rewrite generated test data (testdata/tanks.csv, pelts.csv, robertson.csv)")

// tanks is the two-tank model written by hand, with its pump signal: the
// generator of testdata/tanks.csv, independent of the expression compiler.
type tanks struct{ pump *dynamics.Signal }

func (tanks) Dim() int       { return 2 }
func (tanks) NumParams() int { return 4 }
func (m tanks) Func(dst []float64, t float64, z, k []float64) {
	dst[0] = -k[0]*math.Sqrt(z[0]) + k[3]*m.pump.At(t)
	dst[1] = k[1]*math.Sqrt(z[0]) - k[2]*math.Sqrt(z[1])
}
func (tanks) JVP([]float64, float64, []float64, []float64, []float64, []float64) {}
func (tanks) VJP([]float64, []float64, float64, []float64, []float64, []float64) {}
func (m tanks) Breakpoints() []float64                                           { return m.pump.Times }

// tankRun simulates one run: a random-step pump (levels U(1.5, 5) held for
// 10–60 s) sampled every second, and the saturated level of tank 2.
func tankRun(t *testing.T, n int, seed uint64, z0 []float64) (times, u, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	times, u = make([]float64, n), make([]float64, n)
	level, left := 0.0, 0
	for i := range times {
		times[i] = float64(i)
		if left == 0 {
			level, left = 1.5+3.5*rng.Float64(), 10+rng.IntN(51)
		}
		u[i], left = level, left-1
	}
	sig, err := dynamics.NewSignal("pump", times, u, dynamics.Hold)
	require.NoError(t, err)
	rows, _, err := integrate.Solve(tanks{sig}, []float64{0.5, 0.5, 0.4, 0.3}, 0, z0, times, &integrate.Settings{RTol: 1e-12, ATol: 1e-13})
	require.NoError(t, err)
	y = make([]float64, n)
	for i, r := range rows {
		y[i] = math.Min(r[1], 10)
	}
	return times, u, y
}

// TestTanksData regenerates (with -update) or checks testdata/tanks.csv:
// estimation and validation runs from their own initial levels, exact
// (y_*_exact) and with N(0, 0.05²) sensor noise (y_*).
func TestTanksData(t *testing.T) {
	const n = 1024
	times, ue, ye := tankRun(t, n, 1, []float64{3, 4})
	_, uv, yv := tankRun(t, n, 2, []float64{2, 6})
	rng := rand.New(rand.NewPCG(3, 5))
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = []float64{times[i], ue[i], ye[i] + 0.05*rng.NormFloat64(), ye[i], uv[i], yv[i] + 0.05*rng.NormFloat64(), yv[i]}
	}
	var buf bytes.Buffer
	require.NoError(t, csvio.Write(&buf, []string{"time", "u_est", "y_est", "y_est_exact", "u_val", "y_val", "y_val_exact"}, rows))
	if *update {
		require.NoError(t, os.WriteFile("testdata/tanks.csv", buf.Bytes(), 0o644))
	}
	got, err := os.ReadFile("testdata/tanks.csv")
	require.NoError(t, err)
	assert.Equal(t, buf.String(), string(got), "testdata/tanks.csv is stale: go test ./scenarios -run TestTanksData -update")
}

// tanksScenario loads tanks.toml, with the data columns swapped for the exact
// ones when exact is set.
func tanksScenario(t *testing.T, exact bool) *scenarios.Scenario {
	src, err := os.ReadFile("tanks.toml")
	require.NoError(t, err)
	s := string(src)
	if exact {
		s = strings.ReplaceAll(s, `level = "y_est"`, `level = "y_est_exact"`)
		s = strings.ReplaceAll(s, `level = "y_val"`, `level = "y_val_exact"`)
	}
	sc, err := scenarios.Parse("tanks.toml", []byte(s))
	require.NoError(t, err)
	return sc
}

// TestTanksNoiseFree: from exact data the fit recovers k1, k2, k3 and both
// runs' initial levels to 1e-4 relative (the solves are at rtol 1e-8; the
// ceiling hides h2 above 10, which costs information, not accuracy).
func TestTanksNoiseFree(t *testing.T) {
	sc := tanksScenario(t, true)
	p := sc.FitProblem()
	began := time.Now()
	res, err := identify.Fit(context.Background(), p, sc.Options(), nil)
	require.NoError(t, err)
	t.Logf("noise-free tanks: %.2f s, %d nfe, %d epochs, status %s; %v = %.8g", time.Since(began).Seconds(), res.NFE, res.Epochs, res.Status, sc.FitNames(), res.Params)
	want := map[string]float64{"k1": 0.5, "k2": 0.5, "k3": 0.4, "k4": 0.3, "h1_0@estimation": 3, "h2_0@estimation": 4,
		"h1_0@validation": 2, "h2_0@validation": 6}
	for i, n := range sc.FitNames() {
		assert.InDelta(t, want[n], res.Params[i], 1e-4*want[n], n)
	}
	require.Len(t, res.Experiments, 2)
	assert.False(t, res.Experiments[1].Fit)
	assert.Greater(t, res.Experiments[1].Observables[0].FitPercent, 99.9)
}

// TestTanksNoisyValidation: with sensor noise the validation fit_percent is
// reported, and it is 100·(1 − ‖y − ŷ‖/‖y − ȳ‖) computed by hand from the
// data and a fresh simulation of the validation run (to 1e-9).
func TestTanksNoisyValidation(t *testing.T) {
	sc := tanksScenario(t, false)
	p := sc.FitProblem()
	began := time.Now()
	res, err := identify.Fit(context.Background(), p, sc.Options(), nil)
	require.NoError(t, err)
	t.Logf("noisy tanks (2×1024 samples): %.2f s, %d nfe, status %s; params %.5g ± %.2g", time.Since(began).Seconds(), res.NFE, res.Status, res.Params, res.StdErr)
	val := res.Experiments[1]
	_, yhat, err := identify.SimulateExperiment(p, 1, res.Params, nil)
	require.NoError(t, err)
	y := sc.Experiments[1].Values
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	var se, sd float64
	for i := range y {
		se += (y[i] - yhat[i]) * (y[i] - yhat[i])
		sd += (y[i] - mean) * (y[i] - mean)
	}
	hand := 100 * (1 - math.Sqrt(se)/math.Sqrt(sd))
	t.Logf("validation fit_percent %.6f (by hand %.6f), rmse %.4g, nrmse %.4g", val.Observables[0].FitPercent, hand, val.Observables[0].RMSE, val.Observables[0].NRMSE)
	assert.InDelta(t, hand, val.Observables[0].FitPercent, 1e-9)
	assert.Greater(t, hand, 95.0)
	assert.Less(t, time.Since(began).Seconds(), 5.0)
}

// TestTanksSpeed: both 1024-sample runs fitted together (validation
// fit = true) finish well within 5 s on two shared cores.
func TestTanksSpeed(t *testing.T) {
	src, err := os.ReadFile("tanks.toml")
	require.NoError(t, err)
	sc, err := scenarios.Parse("tanks.toml", []byte(strings.Replace(string(src), "fit = false", "fit = true", 1)))
	require.NoError(t, err)
	began := time.Now()
	res, err := identify.Fit(context.Background(), sc.FitProblem(), sc.Options(), nil)
	require.NoError(t, err)
	secs := time.Since(began).Seconds()
	t.Logf("two-experiment tank fit, 2×1024 samples: %.2f s, %d nfe, %d epochs, %s", secs, res.NFE, res.Epochs, res.Status)
	assert.Equal(t, "converged", res.Status)
	assert.Less(t, secs, 5.0)
}
