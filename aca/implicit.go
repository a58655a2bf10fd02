package aca

import (
	"errors"
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/denselu"
	"gonum.org/v1/gonum/mat"
)

// dirkAdjoint is the workspace of the exact adjoint of one diagonally
// implicit Runge–Kutta step, through its converged stage equations by the
// implicit function theorem (not through the Newton iterations that solved
// them).
//
// The step solves G_s(K) = K_s − f(t + c_s h, Y_s) = 0 with Y_s = z + h Σ_{j≤s}
// a_sj K_j, and z' = z + h Σ b_s K_s. With J_s = ∂f/∂z at the converged Y_s
// (not the frozen J of the Newton iteration) the multipliers μ_s of the
// lower-triangular system ∂G/∂K solve, going s = S..1,
//
//	(I − h a_ss J_s)ᵀ μ_s = h b_s λ' + h Σ_{j>s} a_js Ȳ_j,   Ȳ_s = J_sᵀ μ_s,
//
// θ̄ += (∂f/∂θ)ᵀ μ_s and λ = λ' + Σ_s Ȳ_s: the explicit recursion of rkAdjoint
// with one transpose solve per implicit stage (an explicit stage, a_ss = 0,
// has μ_s = K̄_s).
type dirkAdjoint struct {
	tb   *integrate.Tableau
	y    [][]float64 // Y_s
	ybar [][]float64 // Ȳ_s
	kv   [][]float64 // the rows K_s of the recorded stages
	mu   []float64
	lu   denselu.LU
	stageLU
}

// stageLU factors the matrix I − h a_ss J_s of an implicit stage, with J_s =
// ∂f/∂z at the converged stage input: the adjoint step (dirkAdjoint) solves
// with its transpose, the tangent step (tangent) with it.
type stageLU struct {
	jac, iter *mat.Dense
	ej, col   []float64 // DenseJacobian's scratch
	// jacs, facts count the Jacobians and factorizations.
	jacs, facts int
}

func (w *stageLU) setup(n int) {
	w.jac, w.iter = mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
	w.ej, w.col = make([]float64, n), make([]float64, n)
}

// factor evaluates J at (t, y) and factors I − hg·J into lu. It returns the
// evaluations used (n JVPs when the model supplies no Jacobian) and whether
// the matrix is nonsingular.
func (w *stageLU) factor(lu *denselu.LU, m dynamics.Dynamics, t float64, y, theta []float64, hg float64) (nfe int, ok bool) {
	n := len(y)
	if !dynamics.DenseJacobian(w.jac, m, t, y, theta, w.ej, w.col) {
		nfe = n
	}
	w.jacs++
	for i := range n {
		for j := range n {
			v := -hg * w.jac.At(i, j)
			if i == j {
				v++
			}
			w.iter.Set(i, j, v)
		}
	}
	w.facts++
	return nfe, lu.Factor(w.iter)
}

func (w *dirkAdjoint) setup(tb *integrate.Tableau, n int) {
	if w.tb == tb && len(w.mu) == n {
		return
	}
	s := tb.Stages()
	w.tb = tb
	w.y, w.ybar, w.kv = make([][]float64, s), make([][]float64, s), make([][]float64, s)
	for i := range s {
		w.y[i], w.ybar[i] = make([]float64, n), make([]float64, n)
	}
	w.mu = make([]float64, n)
	w.stageLU.setup(n)
	w.lu = denselu.LU{}
}

// step replaces lam = ∂L/∂z' by ∂L/∂z and adds the step's contribution to
// dtheta, for the recorded step of size h from (t, z) with stage derivatives
// k (S rows of n, row-major). It returns the evaluations used (VJPs, and JVPs
// for Jacobians the model does not supply).
func (w *dirkAdjoint) step(m dynamics.Dynamics, theta []float64, t, h float64, z, k, lam, dtheta []float64) int {
	tb := w.tb
	n := len(z)
	S := tb.Stages()
	nfe := 0
	for s := range S {
		w.kv[s] = k[s*n : (s+1)*n]
	}
	for s := range S {
		integrate.Combine(w.y[s], z, h, tb.A[s], w.kv)
	}
	for s := S - 1; s >= 0; s-- {
		mu := w.mu
		for i := range mu {
			mu[i] = h * tb.B[s] * lam[i]
		}
		for j := s + 1; j < S; j++ {
			if a := tb.A[j][s]; a != 0 {
				axpy(mu, h*a, w.ybar[j])
			}
		}
		ts := t + tb.C[s]*h
		if row := tb.A[s]; len(row) == s+1 && row[s] != 0 {
			jnfe, ok := w.factor(&w.lu, m, ts, w.y[s], theta, h*row[s])
			nfe += jnfe
			if !ok {
				// I − hγJ singular at the converged stage: the step's map is
				// not differentiable here; report it as a non-finite gradient.
				for i := range mu {
					mu[i] = nan
				}
			} else {
				w.lu.Solve(mu, true)
			}
		}
		yb := w.ybar[s]
		clear(yb)
		m.VJP(yb, dtheta, ts, w.y[s], theta, mu)
		nfe++
	}
	for s := range S {
		axpy(lam, 1, w.ybar[s])
	}
	return nfe
}

var nan = math.NaN()

// ErrUnsupported means a gradient method cannot differentiate the solver it
// was given.
var ErrUnsupported = errors.New("aca: unsupported")

// naiveSupports is Naive's one check: it tapes explicit stages only, not the
// Newton iterations of an implicit method (nor Auto's switches to one).
func naiveSupports(tb *integrate.Tableau) error {
	if tb.Implicit() || tb.Stiff != nil {
		return fmt.Errorf("%w: naive differentiates explicit methods only, and %s is (or switches to) an implicit one; use aca, adjoint or forward, whose gradients through implicit steps are exact", ErrUnsupported, tb.Name)
	}
	return nil
}
