package scenarios_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
)

// TestLikelihoodGradientsMatchFiniteDifferences: the ACA gradient of the
// likelihood of each new kind of problem (inputs with breakpoints and a
// saturating observable; lognormal noise with an estimated σ and unknown
// initial states; two experiments with a local parameter) agrees with
// central differences of the loss. The solves are at rtol 1e-12, so the
// loss is smooth in θ to ~1e-11 and differences with h = 1e-5 relative are
// good to ~1e-7: 1e-6 relative leaves a margin.
func TestLikelihoodGradientsMatchFiniteDifferences(t *testing.T) {
	dir := t.TempDir()
	sirCSV(t, dir, "a.csv", 0.3, 0.1, 1)
	sirCSV(t, dir, "b.csv", 0.45, 0.1, 2)
	sir, err := scenarios.Parse(filepath.Join(dir, "sir.toml"), []byte(sirHead+sirExperiment("a", "a.csv")+sirExperiment("b", "b.csv")))
	require.NoError(t, err)
	pelts, err := scenarios.Load("lotka_volterra_lognormal.toml")
	require.NoError(t, err)
	src, err := os.ReadFile("tanks.toml")
	require.NoError(t, err)
	linear, err := scenarios.Parse("tanks.toml", []byte(strings.Replace(string(src), `interpolation = "hold"`, `interpolation = "linear"`, 1)))
	require.NoError(t, err)
	require.Equal(t, dynamics.LinearInterp, linear.Inputs[0].Interpolation)
	for name, sc := range map[string]*scenarios.Scenario{"tanks": tanksScenario(t, false), "tanks, linear input": linear, "pelts": pelts, "sir": sir} {
		t.Run(name, func(t *testing.T) {
			p := sc.FitProblem()
			p.Solver.RTol, p.Solver.ATol = 1e-12, 1e-12
			if name == "tanks, linear input" {
				// The linear input bends at its samples, the observation
				// times; with dense output steps straddle the bends, where
				// the adaptive solve's loss moves with θ by more than these
				// differences resolve (2e-6 relative measured). Landing puts
				// the bends on step ends, as before; ACA through the dense
				// output is checked against frozen-step differences in aca.
				p.Solver.Land = true
			}
			theta := make([]float64, len(p.Params))
			for i, q := range p.Params {
				theta[i] = q.Init
			}
			_, got, err := identify.Gradient(p, theta)
			require.NoError(t, err)
			want := make([]float64, len(theta))
			for j := range theta {
				h := 1e-5 * math.Max(1e-3, math.Abs(theta[j]))
				x := append([]float64(nil), theta...)
				f := func(v float64) float64 {
					x[j] = v
					l, _, err := identify.Gradient(p, x)
					require.NoError(t, err)
					return l
				}
				want[j] = fd.Derivative(f, theta[j], &fd.Settings{Formula: fd.Central, Step: h})
			}
			worst := 0.0
			for j := range want {
				if want[j] != 0 {
					worst = math.Max(worst, math.Abs(got[j]-want[j])/math.Abs(want[j]))
				}
			}
			t.Logf("%s: worst relative difference from central differences %.2g", name, worst)
			for j := range want {
				assert.InDelta(t, want[j], got[j], 1e-6*math.Max(math.Abs(want[j]), 1e-3*maxAbs(want)), "dL/d%s", p.Params[j].Name)
			}
		})
	}
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
