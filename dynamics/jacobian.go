package dynamics

import "gonum.org/v1/gonum/mat"

// Jacobian is an optional interface for models that can write the dense
// Jacobian ∂f/∂z themselves. Implicit solvers need it for their Newton
// iteration and the implicit ACA backward pass at every stage; without it they
// build it from Dim() JVP calls, one column each (DenseJacobian).
type Jacobian interface {
	// Jac writes ∂f/∂z at (t, z, θ) into dst, which is Dim()×Dim(); entry
	// (i, j) is ∂f_i/∂z_j. It must not allocate.
	Jac(dst *mat.Dense, t float64, z, theta []float64)
}

// DenseJacobian writes ∂f/∂z of m at (t, z, θ) into dst: through Jac when m
// implements Jacobian, else column by column from JVPs with unit vectors. ej
// and col are scratch of length Dim(). It reports whether m has an analytic
// Jacobian (and so how the work should be counted).
func DenseJacobian(dst *mat.Dense, m Dynamics, t float64, z, theta, ej, col []float64) (analytic bool) {
	if j, ok := m.(Jacobian); ok {
		j.Jac(dst, t, z, theta)
		return true
	}
	clear(ej)
	for c := range ej {
		ej[c] = 1
		m.JVP(col, t, z, theta, ej, nil)
		ej[c] = 0
		for r, v := range col {
			dst.Set(r, c, v)
		}
	}
	return false
}
