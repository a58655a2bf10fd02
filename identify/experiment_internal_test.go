package identify

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
)

// lvLikelihood is Lotka–Volterra with unknown initial populations, two
// lognormal observables and, when estimate is set, an estimated σ of the
// predator: every path of the likelihood objective at once.
func lvLikelihood(t testing.TB, estimate bool) *Problem {
	m := dynamics.LotkaVolterra{}
	truth := []float64{0.55, 0.028, 0.024, 0.8}
	z0 := []float64{30, 4}
	times := Linspace(1, 20, 20)
	st, err := Simulate(m, truth, 0, z0, times, &aca.Settings{RTol: 1e-10, ATol: 1e-12})
	require.NoError(t, err)
	for i := range st {
		st[i] *= math.Exp(0.1 * math.Sin(float64(7*i))) // a deterministic "noise"
	}
	obs := []Observable{{Name: "prey", LogNormal: true, Sigma: 0.1}, {Name: "predator", LogNormal: true, Sigma: 0.1}}
	params := []Parameter{{Name: "alpha", Init: 0.5, Min: 0, Max: 5}, {Name: "beta", Init: 0.03, Min: 0, Max: 1},
		{Name: "delta", Init: 0.02, Min: 0, Max: 1}, {Name: "gamma", Init: 0.9, Min: 0, Max: 5},
		{Name: "prey0", Init: 28, Min: 0, Max: 200}, {Name: "predator0", Init: 5, Min: 0, Max: 200}}
	if estimate {
		params = append(params, Parameter{Name: "sigma", Init: 0.2, Min: 0.01, Max: 10})
		obs[1].Sigma, obs[1].SigmaParam = 0, 6
	}
	return &Problem{Model: m, Params: params, Solver: aca.Settings{RTol: 1e-10, ATol: 1e-12},
		Experiments: []Experiment{{Name: "pelts", Theta: []int{0, 1, 2, 3}, Local: []int{4, 5}, Z0: InitialValues{Param: []int{4, 5}},
			Times: times, Observation: StateObservation{0, 1}, Observables: obs, Values: st}}}
}

// TestLikelihoodGradientsMatchFiniteDifferences checks dL/du of the
// gradient path and the LM residual Jacobian against central differences
// (h = 1e-6 relative on 1e-10 solves: good to ~1e-7 relative).
func TestLikelihoodGradientsMatchFiniteDifferences(t *testing.T) {
	for _, est := range []bool{false, true} {
		p := lvLikelihood(t, est)
		require.NoError(t, p.Validate())
		ob, err := newObjective(p)
		require.NoError(t, err)
		x := ob.freeOf(ob.theta)
		u := ob.uOf(ob.theta)
		grad := make([]float64, len(u))
		_, err = ob.eval(u, grad)
		require.NoError(t, err)
		r, jac, err := ob.residuals(x)
		require.NoError(t, err)
		nf := len(x)
		for j := range u {
			h := 1e-6 * math.Max(1, math.Abs(u[j]))
			up, um := clone(u), clone(u)
			up[j] += h
			um[j] -= h
			lp, err := ob.eval(up, nil)
			require.NoError(t, err)
			lm, err := ob.eval(um, nil)
			require.NoError(t, err)
			fd := (lp - lm) / (2 * h)
			assert.InDelta(t, fd, grad[j], 1e-6*math.Max(1, math.Abs(fd)), "dL/du[%d] (estimate σ %v)", j, est)

			hx := 1e-6 * math.Max(1, math.Abs(x[j]))
			xp, xm := clone(x), clone(x)
			xp[j] += hx
			xm[j] -= hx
			rp, _, err := ob.residuals(xp)
			require.NoError(t, err)
			rm, _, err := ob.residuals(xm)
			require.NoError(t, err)
			for row := range r {
				fd := (rp[row] - rm[row]) / (2 * hx)
				assert.InDelta(t, fd, jac[row*nf+j], 1e-5*math.Max(1, math.Abs(fd)), "∂ρ[%d]/∂x[%d]", row, j)
			}
		}
		// Σρ² is the likelihood up to a constant: the same differences.
		_ = r
	}
}
