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
	mu   []float64
	ej   []float64 // JVP scratch
	col  []float64
	jac  *mat.Dense
	iter *mat.Dense
	lu   denselu.LU
	// jacs, facts count the Jacobians and factorizations of the backward pass.
	jacs, facts int
}

func (w *dirkAdjoint) setup(tb *integrate.Tableau, n int) {
	if w.tb == tb && len(w.mu) == n {
		return
	}
	s := tb.Stages()
	w.tb = tb
	w.y, w.ybar = make([][]float64, s), make([][]float64, s)
	for i := range s {
		w.y[i], w.ybar[i] = make([]float64, n), make([]float64, n)
	}
	w.mu, w.ej, w.col = make([]float64, n), make([]float64, n), make([]float64, n)
	w.jac, w.iter = mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
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
		y := w.y[s]
		copy(y, z)
		for j, a := range tb.A[s] {
			if a != 0 {
				axpy(y, h*a, k[j*n:(j+1)*n])
			}
		}
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
			if !dynamics.DenseJacobian(w.jac, m, ts, w.y[s], theta, w.ej, w.col) {
				nfe += n
			}
			w.jacs++
			hg := h * row[s]
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
			if !w.lu.Factor(w.iter) {
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
