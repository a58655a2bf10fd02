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
	"gonum.org/v1/gonum/mat"
)

// fdJacobian is ∂z/∂θ at the observations by central differences of tight
// solves, row-major (times × observed) × params: independent of the forward
// sensitivities. With h = 1e-4·|θ| the truncation error is ~h²·z”' ≈ 1e-8
// relative and the rounding ~1e-11/h ≈ 1e-7·|z|/|θ|.
func fdJacobian(t testing.TB, p *identify.Problem, theta []float64) (z []float64, jac [][]float64) {
	sim := func(th []float64) []float64 {
		s, err := identify.Simulate(p.Model, th, p.T0, p.Z0, p.Times, &aca.Settings{RTol: 1e-13, ATol: 1e-13})
		require.NoError(t, err)
		return s // every state is observed in these problems
	}
	z = sim(theta)
	jac = make([][]float64, len(z))
	for i := range jac {
		jac[i] = make([]float64, len(theta))
	}
	for j := range theta {
		h := 1e-4 * math.Abs(theta[j])
		up, dn := append([]float64(nil), theta...), append([]float64(nil), theta...)
		up[j] += h
		dn[j] -= h
		zu, zd := sim(up), sim(dn)
		for i := range z {
			jac[i][j] = (zu[i] - zd[i]) / (2 * h)
		}
	}
	return z, jac
}

// TestCovarianceMatchesFormulas: on weighted Lotka–Volterra (w_k = 0.9^t_k),
// the classic covariance equals s²(JᵀWJ)⁻¹ with s² = eᵀWe/(N − p) and the
// sandwich N/(N − p)·(JᵀWJ)⁻¹(Σ_k w_k² e_k² J_kᵀJ_k)(JᵀWJ)⁻¹, both built here
// from a finite-difference Jacobian and an explicit inverse. W = diag(w_k/K)
// as in the loss; both formulas are invariant to its scale. The FD Jacobian is
// good to ~1e-7 relative, which the covariance inherits: 1e-6 relative.
func TestCovarianceMatchesFormulas(t *testing.T) {
	p := lvProblem(t, 0.1, 6)
	p.Solver = aca.Settings{RTol: 1e-12, ATol: 1e-12}
	p.Weights = make([]float64, len(p.Times))
	for k, tk := range p.Times {
		p.Weights[k] = math.Pow(0.9, tk)
	}
	fit, err := identify.Fit(context.Background(), p, nil, nil)
	require.NoError(t, err)
	require.Equal(t, "converged", fit.Status)
	theta := fit.Params
	z, J := fdJacobian(t, p, theta)
	N, np, K, nobs := len(z), len(theta), len(p.Times), 2
	A := mat.NewDense(np, np, nil)    // JᵀWJ
	meat := mat.NewDense(np, np, nil) // Σ w² e² JᵢᵀJᵢ
	ewe := 0.0
	for i := range N {
		w := p.Weights[i/nobs] / float64(K)
		e := z[i] - p.Values[i]
		ewe += w * e * e
		for a := range np {
			for b := range np {
				A.Set(a, b, A.At(a, b)+w*J[i][a]*J[i][b])
				meat.Set(a, b, meat.At(a, b)+w*w*e*e*J[i][a]*J[i][b])
			}
		}
	}
	var Ainv mat.Dense
	require.NoError(t, Ainv.Inverse(A))
	var classic, sandwich, tmp mat.Dense
	classic.Scale(ewe/float64(N-np), &Ainv)
	tmp.Mul(&Ainv, meat)
	sandwich.Mul(&tmp, &Ainv)
	sandwich.Scale(float64(N)/float64(N-np), &sandwich)
	for _, tc := range []struct {
		kind string
		want *mat.Dense
	}{{identify.Classic, &classic}, {identify.Sandwich, &sandwich}} {
		t.Run(tc.kind, func(t *testing.T) {
			c, err := identify.EstimateCovariance(p, theta, tc.kind, nil)
			require.NoError(t, err)
			require.Equal(t, []string{"alpha", "beta", "delta", "gamma"}, c.Parameters)
			worst := 0.0
			for a := range np {
				worst = math.Max(worst, math.Abs(c.StdErr[a]/math.Sqrt(tc.want.At(a, a))-1))
				assert.InDelta(t, math.Sqrt(tc.want.At(a, a)), c.StdErr[a], 1e-6*math.Sqrt(tc.want.At(a, a)), "stderr %d", a)
				for b := range np {
					scale := math.Sqrt(tc.want.At(a, a) * tc.want.At(b, b))
					assert.InDelta(t, tc.want.At(a, b), c.Matrix[a][b], 1e-6*scale, "cov %d %d", a, b)
					assert.InDelta(t, tc.want.At(a, b)/scale, c.Correlation[a][b], 1e-6, "corr %d %d", a, b)
				}
			}
			t.Logf("%s: stderr %.6g, largest relative deviation from the direct formula %.2g (FD %.6g, %.6g, %.6g, %.6g)", tc.kind, c.StdErr, worst,
				math.Sqrt(tc.want.At(0, 0)), math.Sqrt(tc.want.At(1, 1)), math.Sqrt(tc.want.At(2, 2)), math.Sqrt(tc.want.At(3, 3)))
		})
	}
	// The fit reports the classic kind by default, the sandwich on request.
	assert.Equal(t, identify.Classic, fit.Covariance.Kind)
	sw, err := identify.Fit(context.Background(), p, &identify.Options{Covariance: identify.Sandwich}, nil)
	require.NoError(t, err)
	assert.Equal(t, identify.Sandwich, sw.Covariance.Kind)
	assert.InDelta(t, math.Sqrt(sandwich.At(0, 0)), sw.StdErr[0], 1e-6*math.Sqrt(sandwich.At(0, 0)))
}

// TestStdErrNotes: every missing standard error says why.
func TestStdErrNotes(t *testing.T) {
	t.Run("not identifiable", func(t *testing.T) {
		// y' = −a·b·y determines only the product a·b.
		m, err := expr.New(expr.Spec{State: []string{"y"}, Params: []string{"a", "b", "c"},
			Equations: []expr.Equation{{Name: "y", Expr: "-a*b*y + c"}}})
		require.NoError(t, err)
		times := identify.Linspace(0.2, 4, 20)
		values, err := identify.Simulate(m, []float64{0.5, 2, 0.3}, 0, []float64{3}, times, &tight)
		require.NoError(t, err)
		identify.AddNoise(values, 0.01, 3)
		p := &identify.Problem{Model: m, Params: []identify.Parameter{{Name: "a", Init: 0.6}, {Name: "b", Init: 1.8}, {Name: "c", Init: 0.2}},
			Z0: []float64{3}, Times: times, Values: values, Solver: tight}
		res, err := identify.Fit(context.Background(), p, nil, nil)
		require.NoError(t, err)
		assert.True(t, math.IsNaN(res.StdErr[0]) && math.IsNaN(res.StdErr[1]))
		assert.Contains(t, res.StdErrNote[0], "not identifiable: only a combination with b")
		assert.Contains(t, res.StdErrNote[1], "not identifiable: only a combination with a")
		assert.False(t, math.IsNaN(res.StdErr[2]), "c is identifiable")
		assert.Equal(t, []string{"c"}, res.Covariance.Parameters)
		assert.Equal(t, 2, res.Covariance.Rank)
	})
	t.Run("at a bound and fixed", func(t *testing.T) {
		p := sirProblem(t)
		res, err := identify.Fit(context.Background(), p, nil, nil)
		require.NoError(t, err)
		assert.True(t, math.IsNaN(res.StdErr[1]))
		assert.Equal(t, "at its lower bound", res.StdErrNote[1])
		assert.Equal(t, "", res.StdErrNote[0])
		assert.Equal(t, []string{"beta"}, res.Covariance.Parameters)
		p.Params[1].Fixed, p.Params[1].Init = true, 0.15
		c, err := identify.EstimateCovariance(p, res.Params, identify.Classic, nil)
		require.NoError(t, err)
		assert.Equal(t, "fixed", c.Notes[1])
	})
	t.Run("not converged", func(t *testing.T) {
		p := lvProblem(t, 0.1, 1)
		res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 1}, &identify.LM{Windows: 1})
		require.NoError(t, err)
		assert.Equal(t, "max_epochs", res.Status)
		for i := range p.Params {
			assert.Equal(t, "fit not converged (max_epochs): indicative only", res.StdErrNote[i])
			assert.False(t, math.IsNaN(res.StdErr[i]))
		}
	})
}

// TestNoCovarianceSaysWhy: with fewer observations than free parameters there
// is no covariance, and every free parameter's note says why.
func TestNoCovarianceSaysWhy(t *testing.T) {
	p := lvProblem(t, 0, 0)
	p.Times, p.Values = p.Times[:1], p.Values[:2]
	res, err := identify.Fit(context.Background(), p, &identify.Options{Epochs: 3}, nil)
	require.NoError(t, err)
	assert.Nil(t, res.Covariance)
	for i := range p.Params {
		assert.Contains(t, res.StdErrNote[i], "no covariance: 2 observations for 4 free parameters")
	}
}
