package aca

import (
	"github.com/physid/physid/dynamics"
	"gonum.org/v1/gonum/mat"
)

// The augmented systems of the adjoint and forward-sensitivity methods give
// implicit solvers a Jacobian for their Newton iteration matrix only: the
// blocks that involve first derivatives of f, without the second-derivative
// blocks (∂(aᵀ∂f/∂z)/∂z, ∂(∂f/∂z·S)/∂z), which a simplified Newton iteration
// does not need to converge (they only couple the already converging z part
// into the rest; Hairer & Wanner II, Sec. IV.8 on approximate Jacobians). The
// converged stages, and so the solution, do not depend on the iteration matrix.
var (
	_ dynamics.Jacobian = (*augmented)(nil)
	_ dynamics.Jacobian = (*sensitivities)(nil)
)

// innerJac evaluates the model's ∂f/∂z into a reused n×n matrix.
type innerJac struct {
	j       *mat.Dense
	ej, col []float64
}

func (w *innerJac) eval(m dynamics.Dynamics, n int, t float64, z, theta []float64) *mat.Dense {
	if w.j == nil || len(w.ej) != n {
		w.j, w.ej, w.col = mat.NewDense(n, n, nil), make([]float64, n), make([]float64, n)
	}
	dynamics.DenseJacobian(w.j, m, t, z, theta, w.ej, w.col)
	return w.j
}

// Jac writes the block matrix [[J, 0, 0], [0, −Jᵀ, 0], [0, 0, 0]] of the
// adjoint system [z, a, g]' = [f, −aᵀ∂f/∂z, −aᵀ∂f/∂θ].
func (a *augmented) Jac(dst *mat.Dense, t float64, x, theta []float64) {
	n := a.n
	j := a.jw.eval(a.m, n, t, x[:n], theta)
	dst.Zero()
	for r := range n {
		for c := range n {
			v := j.At(r, c)
			dst.Set(r, c, v)
			dst.Set(n+c, n+r, -v)
		}
	}
}

// Jac writes the block-diagonal matrix diag(J, J, …, J) of the system
// [z, S]' = [f, ∂f/∂z·S + ∂f/∂(θ, z0)], with S row-major dim×cols: entry
// S_ic sits at n + i·cols + c.
func (a *sensitivities) Jac(dst *mat.Dense, t float64, x, theta []float64) {
	n, cols := a.n, a.cols
	j := a.jw.eval(a.m, n, t, x[:n], theta)
	dst.Zero()
	for r := range n {
		for c := range n {
			v := j.At(r, c)
			dst.Set(r, c, v)
			for k := range cols {
				dst.Set(n+r*cols+k, n+c*cols+k, v)
			}
		}
	}
}
