package identify_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
)

// peltsTruth is a Hudson's Bay-like hare–lynx system: θ = [α β δ γ] and the
// initial populations, in thousands of pelts.
var peltsTruth = []float64{0.55, 0.028, 0.024, 0.8, 30, 4}

// lognormalLV simulates 21 yearly counts of both species with multiplicative
// noise of σ = 0.1 on the log scale and returns the problem of fitting θ and
// the unknown initial populations from init (a multiple of the truth).
func lognormalLV(t testing.TB, seed uint64, init float64) *identify.Problem {
	m := dynamics.LotkaVolterra{}
	times := identify.Linspace(0, 20, 21)
	st, err := identify.Simulate(m, peltsTruth[:4], 0, peltsTruth[4:], times, &aca.Settings{RTol: 1e-11, ATol: 1e-12})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range st {
		st[i] *= math.Exp(0.1 * rng.NormFloat64())
	}
	names := []string{"alpha", "beta", "delta", "gamma", "hare0", "lynx0"}
	params := make([]identify.Parameter, len(names))
	for i, n := range names {
		params[i] = identify.Parameter{Name: n, Init: init * peltsTruth[i], Min: 0, Max: math.Inf(1)}
	}
	return &identify.Problem{Model: m, Params: params, Solver: aca.Settings{RTol: 1e-9, ATol: 1e-10},
		Experiments: []identify.Experiment{{Name: "pelts", Theta: []int{0, 1, 2, 3}, Local: []int{4, 5},
			Z0: identify.InitialValues{Param: []int{4, 5}}, Times: times, Observation: identify.StateObservation{0, 1},
			Observables: []identify.Observable{{Name: "hare", LogNormal: true, Sigma: 0.1}, {Name: "lynx", LogNormal: true, Sigma: 0.1}},
			Values:      st}}}
}

// TestLognormalLotkaVolterraCoverage: the classic covariance of the
// likelihood is the inverse Fisher information, so each estimate should be
// within 2 standard errors of the truth in about 95% of the seeds. Ten
// seeds cannot tell 95% from 80% (seeds 0–9 give 8–10 hits per parameter),
// so the test counts over 100 seeds and asks for ≥ 90 each: P(< 90 | 95%)
// ≈ 1%, and the seeds are fixed, so the outcome is too.
func TestLognormalLotkaVolterraCoverage(t *testing.T) {
	hits, first10 := make([]int, len(peltsTruth)), make([]int, len(peltsTruth))
	for seed := range uint64(100) {
		p := lognormalLV(t, seed, 1)
		res, err := identify.Fit(context.Background(), p, nil, nil)
		require.NoError(t, err)
		require.Equal(t, "converged", res.Status, res.Starts[0].Message)
		for i, v := range peltsTruth {
			if math.Abs(res.Params[i]-v) <= 2*res.StdErr[i] {
				hits[i]++
				if seed < 10 {
					first10[i]++
				}
			}
		}
	}
	t.Logf("within 2 SE: %v of 100 seeds (%v of seeds 0–9)", hits, first10)
	for i, h := range hits {
		assert.GreaterOrEqual(t, h, 90, "parameter %d", i)
	}
}

// TestLognormalLotkaVolterraFarStart: from twice the truth in every
// parameter the default optimizer (LM with its continuation windows) still
// reaches the optimum.
func TestLognormalLotkaVolterraFarStart(t *testing.T) {
	p := lognormalLV(t, 1, 2)
	res, err := identify.Fit(context.Background(), p, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "converged", res.Status, res.Starts[0].Message)
	near, err := identify.Fit(context.Background(), lognormalLV(t, 1, 1), nil, nil)
	require.NoError(t, err)
	t.Logf("far start: %d epochs, %d nfe, loss %.6g; near start loss %.6g", res.Epochs, res.NFE, res.Loss, near.Loss)
	assert.InDeltaSlice(t, near.Params, res.Params, 1e-4*peltsTruth[0]*10)
	assert.InDelta(t, near.Loss, res.Loss, 1e-8*math.Abs(near.Loss))
}
