package expr_test

import (
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// TestJacobianMatchesJVP: the symbolic dense Jacobian equals the one built
// column by column from JVPs (the same partials, so to rounding), on
// Robertson's kinetics and on a model with functions, and allocates nothing.
func TestJacobianMatchesJVP(t *testing.T) {
	for _, spec := range []expr.Spec{
		{
			State: []string{"y1", "y2", "y3"}, Params: []string{"k1", "k2", "k3"},
			Equations: []expr.Equation{
				{Name: "y1", Expr: "-k1*y1 + k3*y2*y3"},
				{Name: "y2", Expr: "k1*y1 - k3*y2*y3 - k2*y2^2"},
				{Name: "y3", Expr: "k2*y2^2"},
			},
		},
		{
			State: []string{"x", "v"}, Params: []string{"w"},
			Equations: []expr.Equation{
				{Name: "x", Expr: "v*exp(-x) + sin(w*t)"},
				{Name: "v", Expr: "-w^2*x - tanh(v)*x"},
			},
		},
	} {
		m, err := expr.New(spec)
		require.NoError(t, err)
		n := m.Dim()
		z, theta := make([]float64, n), make([]float64, m.NumParams())
		for i := range z {
			z[i] = 0.3 + 0.2*float64(i)
		}
		for i := range theta {
			theta[i] = 1.5 + float64(i)
		}
		got, want := mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
		m.Jac(got, 0.7, z, theta)
		var plain struct{ dynamics.Dynamics } // hides Jac: DenseJacobian falls back to JVPs
		plain.Dynamics = m
		analytic := dynamics.DenseJacobian(want, plain, 0.7, z, theta, make([]float64, n), make([]float64, n))
		require.False(t, analytic)
		assert.True(t, mat.EqualApprox(got, want, 1e-14), "Jac\n%v\nJVP\n%v", mat.Formatted(got), mat.Formatted(want))
		assert.True(t, dynamics.DenseJacobian(want, m, 0.7, z, theta, nil, nil))
		assert.Zero(t, testing.AllocsPerRun(10, func() { m.Jac(got, 0.7, z, theta) }))
	}
}
