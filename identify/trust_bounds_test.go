package identify_test

import (
	"context"
	"math"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/identify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tight is the solver of the acceptance tests: at 1e-11 the loss is smooth to
// ~1e-20 relative, far below the 1e-6 the comparisons ask of parameters.
var tight = aca.Settings{RTol: 1e-11, ATol: 1e-11}

// sirProblem observes the infected of an SIR epidemic (N = 1000, β = 0.3,
// γ = 0.1, daily for 60 days) with Gaussian noise σ = 5.
func sirProblem(t testing.TB) *identify.Problem {
	m, err := expr.New(expr.Spec{
		State:     []string{"S", "I", "R"},
		Params:    []string{"beta", "gamma"},
		Constants: []expr.Constant{{Name: "N", Value: 1000}},
		Equations: []expr.Equation{{Name: "S", Expr: "-beta*S*I/N"}, {Name: "I", Expr: "beta*S*I/N - gamma*I"}, {Name: "R", Expr: "gamma*I"}},
	})
	require.NoError(t, err)
	z0 := []float64{990, 10, 0}
	times := identify.Linspace(1, 60, 60)
	states, err := identify.Simulate(m, []float64{0.3, 0.1}, 0, z0, times, &tight)
	require.NoError(t, err)
	values := make([]float64, len(times))
	for k := range times {
		values[k] = states[k*3+1]
	}
	identify.AddNoise(values, 5, 11)
	return &identify.Problem{Model: m, Params: []identify.Parameter{{Name: "beta", Init: 0.25, Min: 0, Max: 5}, {Name: "gamma", Init: 0.2, Min: 0.15, Max: 1}},
		Z0: z0, Times: times, Observed: []int{1}, Values: values, Solver: tight}
}

// lossAndGradient is L and dL/dθ at θ from ACA: a gradient method independent
// of the forward sensitivities LM and the optimality test use.
func lossAndGradient(t testing.TB, p *identify.Problem, theta []float64) (float64, []float64) {
	loss, err := aca.NewLeastSquares(p.Model.Dim(), p.Observed, p.Values, p.Weights)
	require.NoError(t, err)
	res, err := aca.Gradient(&aca.Problem{Model: p.Model, Theta: theta, T0: p.T0, Z0: p.Z0, Times: p.Times, Loss: loss}, &p.Solver, &aca.ACA{})
	require.NoError(t, err)
	return res.Loss, res.Theta
}

// TestBoundConstrainedOptimum: when the unconstrained optimum lies outside the
// box, the default fit ends at the constrained one: the active parameter
// exactly at its bound with the gradient pushing outward, the others
// stationary (KKT), and equal to the optimum of the problem with the active
// parameter fixed at its bound.
func TestBoundConstrainedOptimum(t *testing.T) {
	for _, tc := range []struct {
		name   string
		build  func(testing.TB) *identify.Problem
		active int
		at     string
	}{
		// γ ≥ 0.15 while the data come from γ = 0.1.
		{"sir gamma min", sirProblem, 1, identify.AtMin},
		// α ≤ 1 while the data come from α = 1.1.
		{"lotka-volterra alpha max", func(t testing.TB) *identify.Problem {
			p := lvProblem(t, 0.1, 4)
			p.Solver = tight
			p.Params[0].Init, p.Params[0].Min, p.Params[0].Max = 0.9, 0.1, 1.0
			for i := 1; i < 4; i++ {
				p.Params[i].Min, p.Params[i].Max = 0.01, 10
			}
			return p
		}, 0, identify.AtMax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.build(t)
			res, err := identify.Fit(context.Background(), p, nil, nil)
			require.NoError(t, err)
			best := res.Starts[res.Best]
			require.Equal(t, "converged", best.Status, best.Message)
			q := p.Params[tc.active]
			bound := q.Min
			if tc.at == identify.AtMax {
				bound = q.Max
			}
			assert.Equal(t, bound, res.Params[tc.active], "LM lands on the bound exactly")
			assert.Equal(t, tc.at, best.AtBound[tc.active])

			// KKT, from an independent gradient: the active component pushes
			// outward; the others are ≤ 1e-6 of the gradient at the start (the
			// projected gradient has fallen by six orders, where the loss is
			// flat to ~1e-12 relative: the parameters are settled to ~1e-6).
			L, g := lossAndGradient(t, p, res.Params)
			init := make([]float64, len(p.Params))
			for i, q := range p.Params {
				init[i] = q.Init
			}
			_, g0 := lossAndGradient(t, p, init)
			g0max := 0.0
			for _, v := range g0 {
				g0max = math.Max(g0max, math.Abs(v))
			}
			if tc.at == identify.AtMin {
				assert.Greater(t, g[tc.active], 0.0, "dL/d%s pushes below the lower bound", q.Name)
			} else {
				assert.Less(t, g[tc.active], 0.0, "dL/d%s pushes above the upper bound", q.Name)
			}
			for i := range g {
				if i != tc.active {
					assert.LessOrEqual(t, math.Abs(g[i]), 1e-6*g0max, "projected dL/d%s", p.Params[i].Name)
				}
			}

			// The reference: the active parameter fixed at its bound and the
			// rest fitted by L-BFGS (another optimizer, no bound active) with
			// tight tolerances. Both optima are settled to ~1e-8 relative,
			// so 1e-6 relative leaves a wide margin.
			ref := *p
			ref.Params = append([]identify.Parameter(nil), p.Params...)
			ref.Params[tc.active].Init, ref.Params[tc.active].Fixed = bound, true
			for i := range ref.Params {
				if i != tc.active {
					ref.Params[i].Init = res.Params[i] * 1.02
				}
			}
			want, err := identify.Fit(context.Background(), &ref, &identify.Options{Epochs: 500}, &identify.LBFGS{})
			require.NoError(t, err)
			for i := range p.Params {
				assert.InDelta(t, want.Params[i], res.Params[i], 1e-6*math.Abs(want.Params[i]), p.Params[i].Name)
			}
			assert.InDelta(t, want.Loss, L, 1e-9*L)
			t.Logf("%s: θ = %.9g, loss %.9g, %s; reference θ = %.9g, loss %.9g; dL/dθ = %.3g (start %.3g)",
				tc.name, res.Params, res.Loss, best.Message, want.Params, want.Loss, g, g0)
		})
	}
}

// TestSIRBoundGoldenSection: with γ at its bound the constrained optimum is a
// 1-D problem in β; a golden-section search on L(β, 0.15) (plain solves, no
// gradients) brackets it to 1e-9 relative, and the default fit agrees to 1e-6.
func TestSIRBoundGoldenSection(t *testing.T) {
	p := sirProblem(t)
	res, err := identify.Fit(context.Background(), p, nil, nil)
	require.NoError(t, err)
	lossAt := func(beta float64) float64 {
		states, err := identify.Simulate(p.Model, []float64{beta, 0.15}, 0, p.Z0, p.Times, &tight)
		require.NoError(t, err)
		s := 0.0
		for k := range p.Times {
			d := states[k*3+1] - p.Values[k]
			s += d * d
		}
		return s / float64(len(p.Times))
	}
	a, b := 0.2, 0.6
	phi := (math.Sqrt(5) - 1) / 2
	for b-a > 1e-10 {
		c, d := b-phi*(b-a), a+phi*(b-a)
		if lossAt(c) < lossAt(d) {
			b = d
		} else {
			a = c
		}
	}
	beta := (a + b) / 2
	assert.Equal(t, 0.15, res.Params[1])
	assert.InDelta(t, beta, res.Params[0], 1e-6*beta)
	t.Logf("golden section β = %.10g; fit β = %.10g (rel. %.2g)", beta, res.Params[0], math.Abs(res.Params[0]-beta)/beta)
}

// TestDefaultFitFromRandomStarts: ten starts (the init and nine drawn from a
// Latin hypercube inside [0.01, 10]⁴) on noisy Lotka–Volterra; the default
// fit (LM with continuation) reaches the global optimum, the loss within 1e-6
// relative of the best known, in at least nine.
func TestDefaultFitFromRandomStarts(t *testing.T) {
	p := lvProblem(t, 0.2, 5)
	for i := range p.Params {
		p.Params[i].Min, p.Params[i].Max = 0.01, 10
	}
	res, err := identify.Fit(context.Background(), p, &identify.Options{Starts: 10, Seed: 1}, nil)
	require.NoError(t, err)
	// The best known: the best start, or a fit from the truth.
	fromTruth := *p
	fromTruth.Params = append([]identify.Parameter(nil), p.Params...)
	for i := range fromTruth.Params {
		fromTruth.Params[i].Init = lvTruth[i]
	}
	ref, err := identify.Fit(context.Background(), &fromTruth, nil, nil)
	require.NoError(t, err)
	best := math.Min(res.Loss, ref.Loss)
	hits := 0
	for i, s := range res.Starts {
		for j, q := range p.Params {
			assert.True(t, s.Init[j] > q.Min && s.Init[j] < q.Max, "start %d %s inside the bounds", i, q.Name)
		}
		if math.Abs(s.Loss-best) <= 1e-6*best {
			hits++
		}
		t.Logf("start %d: %-9s loss %.10g from %.3g", i, s.Status, s.Loss, s.Init)
	}
	for j, q := range p.Params {
		assert.Equal(t, q.Init, res.Starts[0].Init[j], "start 0 is the init as given")
	}
	assert.GreaterOrEqual(t, hits, 9)
	t.Logf("%d of 10 starts at the global optimum (loss %.10g)", hits, best)
}

// TestOptimizersJudgedAlike: L-BFGS and Adam work through the smooth bound
// transform, yet their status comes from the same test in θ: L-BFGS reaches
// the SIR optimum with γ within boundTol (1e-9 of the box width) of its lower
// bound, reported at_bound and converged; 100 Adam epochs are far from it and
// say so, with their standard errors marked indicative.
func TestOptimizersJudgedAlike(t *testing.T) {
	p := sirProblem(t)
	lb, err := identify.Fit(context.Background(), p, nil, &identify.LBFGS{})
	require.NoError(t, err)
	s := lb.Starts[0]
	assert.Equal(t, "converged", s.Status, s.Message)
	assert.Equal(t, []string{"", identify.AtMin}, s.AtBound)
	assert.InDelta(t, 0.15, s.Params[1], 1e-9*(1-0.15))
	assert.Equal(t, "at its lower bound", lb.StdErrNote[1])

	ad, err := identify.Fit(context.Background(), p, nil, &identify.Adam{LR: 0.01})
	require.NoError(t, err)
	s = ad.Starts[0]
	assert.Equal(t, "max_epochs", s.Status)
	assert.Greater(t, s.Optimality, 1e-6)
	assert.Contains(t, s.Message, "not at an optimum")
	assert.Equal(t, "fit not converged (max_epochs): indicative only", ad.StdErrNote[0])
	t.Logf("lbfgs: θ = %.10g, %s; adam: θ = %.4g, loss %.6g, cosine %.2g", lb.Params, lb.Starts[0].Message, ad.Params, ad.Loss, s.Optimality)
}

// TestStartPoints: start 0 is the init; the others form a Latin hypercube,
// one per stratum of each parameter's range (log-scaled where it spans two
// decades), strictly inside the bounds, the same for the same seed.
func TestStartPoints(t *testing.T) {
	p := &identify.Problem{Params: []identify.Parameter{
		{Name: "wide", Init: 1, Min: 0.01, Max: 10}, // three decades: log-uniform
		{Name: "narrow", Init: 0.5, Min: 0, Max: 2}, // uniform
		{Name: "open", Init: 2},                     // unbounded: [0.2, 20], log-uniform
		{Name: "fixed", Init: 3, Min: 1, Max: 5, Fixed: true},
	}}
	const n = 9
	pts := identify.StartPoints(p, n, 4, 0)
	require.Len(t, pts, n)
	assert.Equal(t, []float64{1, 0.5, 2, 3}, pts[0])
	assert.Equal(t, pts, identify.StartPoints(p, n, 4, 0), "deterministic")
	assert.NotEqual(t, pts, identify.StartPoints(p, n, 5, 0), "seeded")
	for j, scale := range []func(float64) float64{
		func(v float64) float64 { return (math.Log(v) - math.Log(0.01)) / (math.Log(10) - math.Log(0.01)) },
		func(v float64) float64 { return v / 2 },
		func(v float64) float64 { return (math.Log(v) - math.Log(0.2)) / (math.Log(20) - math.Log(0.2)) },
	} {
		seen := make([]bool, n-1)
		for _, pt := range pts[1:] {
			s := scale(pt[j])
			require.True(t, s > 0 && s < 1, "%s = %g inside its range", p.Params[j].Name, pt[j])
			k := int(s * (n - 1))
			assert.False(t, seen[k], "%s: one start per stratum", p.Params[j].Name)
			seen[k] = true
		}
	}
	for _, pt := range pts {
		assert.Equal(t, 3.0, pt[3], "fixed keeps its init")
	}
	// With jitter, every start (the first too) is the init ±jitter.
	for _, pt := range identify.StartPoints(p, 3, 4, 0.1) {
		assert.InDelta(t, 1, pt[0], 0.1)
		assert.NotEqual(t, 1.0, pt[0])
	}
}
