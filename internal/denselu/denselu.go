// Package denselu is a dense LU factorization for the Newton and adjoint
// solves of implicit Runge–Kutta methods: gonum's LAPACK (Dgetrf, Dgetrs) on
// a gonum/mat matrix, without mat.LU's condition estimate, whose pooled
// workspace allocates on every factorization. Repeated factorizations of the
// same size allocate nothing.
package denselu

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// LU holds the factors P·L·U of a square matrix.
type LU struct {
	a    *mat.Dense
	ipiv []int
	ok   bool
}

// Factor factorizes a (copied; a is left as it is) and reports whether it is
// nonsingular.
func (f *LU) Factor(a *mat.Dense) bool {
	n, c := a.Dims()
	if n != c {
		panic("denselu: matrix is not square")
	}
	if f.a == nil || len(f.ipiv) != n {
		f.a = mat.NewDense(n, n, nil)
		f.ipiv = make([]int, n)
	}
	f.a.Copy(a)
	f.ok = lapack64.Getrf(f.a.RawMatrix(), f.ipiv)
	return f.ok
}

// Solve overwrites b with the solution x of A·x = b, or of Aᵀ·x = b when
// trans is true. The factorization must be nonsingular.
func (f *LU) Solve(b []float64, trans bool) {
	if !f.ok {
		panic("denselu: Solve with a singular factorization")
	}
	t := blas.NoTrans
	if trans {
		t = blas.Trans
	}
	lapack64.Getrs(t, f.a.RawMatrix(), blas64.General{Rows: len(b), Cols: 1, Stride: 1, Data: b}, f.ipiv)
}
