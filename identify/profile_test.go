package identify_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/identify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// exprProblem observes the one-state model z' = rhs from z(0) = z0 at times,
// simulated at truth with noise σ (seeded), all parameters starting at init.
func exprProblem(t testing.TB, rhs string, params []string, truth, init []float64, bounds [][2]float64, z0 float64, times []float64, sigma float64, seed uint64) *identify.Problem {
	t.Helper()
	m, err := expr.New(expr.Spec{State: []string{"z"}, Params: params, Equations: []expr.Equation{{Name: "z", Expr: rhs}}})
	require.NoError(t, err)
	s := aca.Settings{RTol: 1e-10, ATol: 1e-12}
	values, err := identify.Simulate(m, truth, 0, []float64{z0}, times, &s)
	require.NoError(t, err)
	identify.AddNoise(values, sigma, seed)
	ps := make([]identify.Parameter, len(params))
	for i, name := range params {
		ps[i] = identify.Parameter{Name: name, Init: init[i]}
		if bounds != nil {
			ps[i].Min, ps[i].Max = bounds[i][0], bounds[i][1]
		}
	}
	return &identify.Problem{Model: m, Params: ps, Z0: []float64{z0}, Times: times, Values: values, Solver: s}
}

// TestProfileLinearMatchesAnalytic: z' = a + b·t from z(0) = 0 is z(t) =
// a·t + b·t²/2, linear in θ = (a, b): with X the n×2 design matrix, C =
// (XᵀX)⁻¹ and SSR̂ the optimum's residual sum of squares, fixing θ_i and
// minimising over the other gives exactly SSR_i(θ_i) = SSR̂ + (θ_i − θ̂_i)²/C_ii.
// The interval (n/2)·log(SSR_i/SSR̂) ≤ Δ is therefore
//
//	θ̂_i ± √(C_ii·SSR̂·(e^{2Δ/n} − 1)) = θ̂_i ± se_i·√((n−p)(e^{2Δ/n} − 1)),
//
// a Wald-type interval whose factor (2.09 here, n = 12, p = 2) tends to 1.96
// as n grows; the t/F-based exact interval would use t²_{n−p}/(n−p) in place
// of e^{2Δ/n} − 1. Dopri5 integrates a quadratic exactly and LM solves a
// linear least-squares problem in one step, so the only error is the
// interpolation of the crossing, after refinement within 1% of √Δ on a nearly
// straight √Stat: 1e-4 of the half-width is ample.
func TestProfileLinearMatchesAnalytic(t *testing.T) {
	times := identify.Linspace(0.5, 6, 12)
	p := exprProblem(t, "a + b*t", []string{"a", "b"}, []float64{1, -0.3}, []float64{0.5, 0.5}, nil, 0, times, 0.1, 3)
	// GradTol 1e-12: the optimum to ~1e-10, below the 1e-8 the value is checked to
	// (the default optimality tolerance, 1e-6, leaves it ~1e-7 off).
	res, err := identify.Profile(context.Background(), p, &identify.Options{Jitter: -1, GradTol: 1e-12}, &identify.LM{}, identify.ProfileSettings{})
	require.NoError(t, err)

	n, np := len(times), 2
	X := mat.NewDense(n, np, nil)
	for k, tk := range times {
		X.Set(k, 0, tk)
		X.Set(k, 1, tk*tk/2)
	}
	y := mat.NewVecDense(n, p.Values)
	var xtx, C mat.Dense
	xtx.Mul(X.T(), X)
	require.NoError(t, C.Inverse(&xtx))
	var xty, theta, fitted, resid mat.VecDense
	xty.MulVec(X.T(), y)
	theta.MulVec(&C, &xty)
	fitted.MulVec(X, &theta)
	resid.SubVec(y, &fitted)
	ssr := mat.Dot(&resid, &resid)
	delta := distuv.ChiSquared{K: 1}.Quantile(0.95) / 2
	assert.InDelta(t, 1.920729, delta, 1e-6)
	assert.InDelta(t, delta, res.Threshold, 1e-15)
	assert.Equal(t, n, res.Observations)
	require.Len(t, res.Profiles, 2)
	for i, pp := range res.Profiles {
		half := math.Sqrt(C.At(i, i) * ssr * math.Expm1(2*delta/float64(n)))
		se := math.Sqrt(C.At(i, i) * ssr / float64(n-np))
		require.True(t, pp.Identifiable(), "%s: %+v %+v", pp.Name, pp.Lower, pp.Upper)
		assert.InDelta(t, theta.AtVec(i), pp.Value, 1e-8, pp.Name)
		assert.InDelta(t, se, pp.StdErr, 1e-6*se, pp.Name)
		assert.InDelta(t, theta.AtVec(i)-half, pp.Lower.Limit, 1e-4*half, pp.Name)
		assert.InDelta(t, theta.AtVec(i)+half, pp.Upper.Limit, 1e-4*half, pp.Name)
		assert.InDelta(t, half, se*math.Sqrt(float64(n-np)*math.Expm1(2*delta/float64(n))), 1e-12)
		assert.InDelta(t, pp.Value-1.959964*se, pp.WaldLower, 1e-6*se)
		assert.InDelta(t, pp.Value+1.959964*se, pp.WaldUpper, 1e-6*se)
		for j := 1; j < len(pp.Points); j++ {
			assert.Less(t, pp.Points[j-1].Value, pp.Points[j].Value, "points sorted")
		}
		t.Logf("%s: profile [%.6g, %.6g], analytic ±%.6g, Wald ±%.6g, %d points", pp.Name, pp.Lower.Limit, pp.Upper.Limit, half, 1.96*se, len(pp.Points))
	}
}

// decayProblem is z' = −k·(z − c) from z(0) = 2 with k = 0.8, c = 0.5,
// observed at 40 times in [0.125, 5] with noise σ = 0.05: small and nonlinear
// in k, with c a nuisance parameter for k's profile and the other way round.
func decayProblem(t testing.TB, seed uint64) *identify.Problem {
	return exprProblem(t, "-k*(z - c)", []string{"k", "c"}, []float64{0.8, 0.5}, []float64{1, 0.3},
		[][2]float64{{0, 10}, {-5, 5}}, 2, identify.Linspace(0.125, 5, 40), 0.05, seed)
}

// TestProfileCoverage: over seeds, the 95% profile intervals of k and c
// cover the truth in at least 90% of 50 seeds; the 50 take about two seconds,
// so they always run.
// The miss count of a true 95% interval over 50 seeds is Binomial(50, 0.05)
// (mean 2.5); the seeds are fixed, so the outcome is too. Measured: 47 of 50
// for k and for c (200 seeds: 190 and 188, i.e. 95% and 94%); with 20
// observations instead of 40 it was 45 of 50, the small-sample optimism of
// the χ² calibration.
func TestProfileCoverage(t *testing.T) {
	const seeds, want = 50, 45
	truth := []float64{0.8, 0.5}
	covered, wald := make([]int, 2), make([]int, 2)
	for seed := 1; seed <= seeds; seed++ {
		p := decayProblem(t, uint64(seed))
		// GradTol 1e-12: the optimum to ~1e-10, below the 1e-8 the value is checked to
		// (the default optimality tolerance, 1e-6, leaves it ~1e-7 off).
		res, err := identify.Profile(context.Background(), p, &identify.Options{Jitter: -1, GradTol: 1e-12}, &identify.LM{}, identify.ProfileSettings{})
		require.NoError(t, err)
		for i, pp := range res.Profiles {
			require.True(t, pp.Identifiable(), "seed %d %s: %+v %+v", seed, pp.Name, pp.Lower, pp.Upper)
			if pp.Lower.Limit <= truth[i] && truth[i] <= pp.Upper.Limit {
				covered[i]++
			}
			if pp.WaldLower <= truth[i] && truth[i] <= pp.WaldUpper {
				wald[i]++
			}
		}
	}
	for i, name := range []string{"k", "c"} {
		t.Logf("%s: profile interval covers the truth in %d of %d seeds, Wald in %d", name, covered[i], seeds, wald[i])
		assert.GreaterOrEqual(t, covered[i], want, name)
	}
}

// TestProfileNonIdentifiable: in z' = −a·b·z only the product a·b is
// determined, so a's profile is flat: for every a in its bounds b = (a·b)̂/a
// fits equally well, and both sides reach a bound below the threshold.
func TestProfileNonIdentifiable(t *testing.T) {
	p := exprProblem(t, "-a*b*z", []string{"a", "b"}, []float64{1, 1}, []float64{1.2, 0.9},
		[][2]float64{{0.5, 2}, {0.1, 10}}, 1, identify.Linspace(0.25, 4, 16), 0.02, 7)
	res, err := identify.Profile(context.Background(), p, &identify.Options{Jitter: -1}, &identify.LM{}, identify.ProfileSettings{Params: []int{0}})
	require.NoError(t, err)
	require.Len(t, res.Profiles, 1)
	pp := res.Profiles[0]
	assert.Equal(t, "a", pp.Name)
	assert.False(t, pp.Identifiable())
	assert.Equal(t, identify.StopBound, pp.Lower.Stop, pp.Lower.Message)
	assert.Equal(t, identify.StopBound, pp.Upper.Stop, pp.Upper.Message)
	for _, pt := range pp.Points {
		assert.Less(t, pt.Stat, res.Threshold, "flat profile at a = %g", pt.Value)
	}
	assert.Equal(t, 0.5, pp.Points[0].Value)
	assert.Equal(t, 2.0, pp.Points[len(pp.Points)-1].Value)
}

// TestProfileDeterministic: the same numbers for one worker or four, and for
// GOMAXPROCS 1 or 2.
func TestProfileDeterministic(t *testing.T) {
	run := func(workers int) *identify.ProfileResult {
		res, err := identify.Profile(context.Background(), decayProblem(t, 11), &identify.Options{Jitter: -1}, &identify.LM{}, identify.ProfileSettings{Workers: workers})
		require.NoError(t, err)
		return res
	}
	a, b := run(1), run(4)
	prev := runtime.GOMAXPROCS(1)
	c := run(0)
	runtime.GOMAXPROCS(2)
	d := run(0)
	runtime.GOMAXPROCS(prev)
	for _, other := range []*identify.ProfileResult{b, c, d} {
		assert.Equal(t, a.Profiles, other.Profiles)
	}
}

// TestProfileOneFreeParameter: with nothing else to fit the profile is the
// loss itself; dz/dt = k·z is still identifiable from noisy data.
func TestProfileOneFreeParameter(t *testing.T) {
	p := exprProblem(t, "-k*z", []string{"k"}, []float64{0.7}, []float64{1}, nil, 1, identify.Linspace(0.5, 5, 10), 0.02, 5)
	// GradTol 1e-12: the optimum to ~1e-10, below the 1e-8 the value is checked to
	// (the default optimality tolerance, 1e-6, leaves it ~1e-7 off).
	res, err := identify.Profile(context.Background(), p, &identify.Options{Jitter: -1, GradTol: 1e-12}, &identify.LM{}, identify.ProfileSettings{})
	require.NoError(t, err)
	pp := res.Profiles[0]
	require.True(t, pp.Identifiable())
	assert.Less(t, pp.Lower.Limit, pp.Value)
	assert.Greater(t, pp.Upper.Limit, pp.Value)
	// Near-linear here: the profile and Wald intervals agree to a few percent.
	assert.InDelta(t, pp.WaldUpper-pp.WaldLower, pp.Upper.Limit-pp.Lower.Limit, 0.1*(pp.WaldUpper-pp.WaldLower))
}

// TestProfileBadInput: fixed, unknown and repeated parameters are refused
// with ErrNotProfilable and the parameter's name.
func TestProfileBadInput(t *testing.T) {
	p := decayProblem(t, 1)
	p.Params[1].Fixed = true
	for _, tc := range []struct {
		params []int
		want   string
	}{{[]int{1}, "parameter c: it is fixed"}, {[]int{5}, "parameter index 5: unknown"}, {[]int{0, 0}, "parameter k: listed twice"}} {
		_, err := identify.Profile(context.Background(), p, nil, &identify.LM{}, identify.ProfileSettings{Params: tc.params})
		require.ErrorIs(t, err, identify.ErrNotProfilable)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// Profile the decay rate of y' = k·y from ten noisy points of y = 2·e^{−0.5t}
// (σ = 0.02): the 95% profile-likelihood interval beside Wald's.
func ExampleProfile() {
	times := identify.Linspace(0.5, 5, 10)
	values, err := identify.Simulate(dynamics.Exponential{}, []float64{-0.5}, 0, []float64{2}, times, &aca.Settings{RTol: 1e-10, ATol: 1e-12})
	if err != nil {
		panic(err)
	}
	identify.AddNoise(values, 0.02, 1)
	p := &identify.Problem{
		Model:  dynamics.Exponential{},
		Params: []identify.Parameter{{Name: "k", Init: -0.1}},
		Z0:     []float64{2},
		Times:  times,
		Values: values,
		Solver: aca.Settings{RTol: 1e-10, ATol: 1e-12},
	}
	// GradTol 1e-12: the optimum to ~1e-10, below the 1e-8 the value is checked to
	// (the default optimality tolerance, 1e-6, leaves it ~1e-7 off).
	res, err := identify.Profile(context.Background(), p, &identify.Options{Jitter: -1, GradTol: 1e-12}, &identify.LM{}, identify.ProfileSettings{})
	if err != nil {
		panic(err)
	}
	k := res.Profiles[0]
	fmt.Printf("threshold %.4g on (n/2)·log(L/L̂) with n = %d\n", res.Threshold, res.Observations)
	fmt.Printf("k = %.4g, profile [%.4g, %.4g], Wald [%.4g, %.4g], identifiable: %v\n",
		k.Value, k.Lower.Limit, k.Upper.Limit, k.WaldLower, k.WaldUpper, k.Identifiable())
	// Output:
	// threshold 1.921 on (n/2)·log(L/L̂) with n = 10
	// k = -0.5033, profile [-0.5186, -0.4886], Wald [-0.5176, -0.489], identifiable: true
}
