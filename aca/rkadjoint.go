package aca

import (
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// rkAdjoint is the workspace of the exact adjoint of one explicit RK step.
type rkAdjoint struct {
	tb     *integrate.Tableau
	last   int         // highest stage that influences the new state
	k      [][]float64 // stage derivatives K_s evaluated here
	kv     [][]float64 // the K_s of this step: k[s], or rows of the stage cache
	y      [][]float64 // stage inputs Y_s (s ≥ 1)
	yv     [][]float64 // Y_s of this step: z for s = 0, else y[s]
	kbar   []float64   // K̄_s for the current stage
	ybar   [][]float64 // Ȳ_s
	needed []bool
	feeds  []bool // K_s enters the input of a later needed stage
	// Per needed stage s, the later needed stages j that use it and their
	// A[j][s] (coefficients read once per tableau, not once per element).
	users [][]int
	uses  [][]float64
	// Per needed stage s, the terms of K̄_s: coefficients h·B[s], h·A[j][s]
	// (set once per step) and vectors λ', Ȳ_j (λ' set when λ moves).
	coef [][]float64
	vecs [][][]float64
	lam  []float64   // the λ the vecs point at
	sum  [][]float64 // the Ȳ_s of the needed stages, in stage order
}

func (w *rkAdjoint) setup(tb *integrate.Tableau, n, np int) {
	if w.tb == tb && len(w.kbar) == n {
		return
	}
	s := tb.Stages()
	w.tb = tb
	w.k, w.y, w.ybar = make([][]float64, s), make([][]float64, s), make([][]float64, s)
	for i := 0; i < s; i++ {
		w.k[i], w.y[i], w.ybar[i] = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	w.kv, w.yv = make([][]float64, s), make([][]float64, s)
	w.kbar = make([]float64, n)
	// A stage matters when its weight is nonzero or a stage that matters uses it:
	// Dopri5's seventh (FSAL) stage only feeds the error estimate and is skipped.
	w.needed, w.feeds, w.last = stagePlan(tb, false)
	w.users, w.uses = make([][]int, s), make([][]float64, s)
	w.coef, w.vecs, w.lam = make([][]float64, s), make([][][]float64, s), nil
	w.sum = w.sum[:0]
	for i := 0; i <= w.last; i++ {
		if !w.needed[i] {
			continue
		}
		w.sum = append(w.sum, w.ybar[i])
		w.vecs[i] = [][]float64{nil}
		for j := i + 1; j <= w.last; j++ {
			if a := tb.A[j][i]; a != 0 && w.needed[j] {
				w.users[i] = append(w.users[i], j)
				w.uses[i] = append(w.uses[i], a)
				w.vecs[i] = append(w.vecs[i], w.ybar[j])
			}
		}
		w.coef[i] = make([]float64, len(w.vecs[i]))
	}
}

// step replaces lam = ∂L/∂z_{i+1} by ∂L/∂z_i and adds the step's contribution to
// dtheta, for the step of size h from (t, z). It returns the evaluations used.
// kc, when not nil, holds the step's feeding stages as the forward pass
// computed them (stageCache), which step then does not evaluate again.
//
// For Y_s = z + h Σ_{j<s} a_sj K_j, K_s = f(t + c_s h, Y_s), z' = z + h Σ b_s K_s:
// going s = S..1, K̄_s = h b_s λ' + h Σ_{j>s} a_js Ȳ_j; Ȳ_s = (∂f/∂z)ᵀK̄_s;
// θ̄ += (∂f/∂θ)ᵀK̄_s; finally λ = λ' + Σ_s Ȳ_s.
//
// The kernels are fused (one pass per vector written) and give the bits of
// a copy and one axpy per term: each element sees the same operations in
// the same order.
func (w *rkAdjoint) step(m dynamics.Dynamics, theta []float64, t, h float64, z, kc, lam, dtheta []float64) int {
	tb := w.tb
	n := len(z)
	nfe := 0
	for s := 0; s <= w.last; s++ {
		if s == 0 {
			w.yv[0] = z
		} else if w.needed[s] || w.feeds[s] {
			integrate.Combine(w.y[s], z, h, tb.A[s], w.kv)
			w.yv[s] = w.y[s]
		}
		if !w.feeds[s] {
			// K_s of the last stages only feeds the new state, which the
			// backward sweep does not need: the VJP below needs just Y_s.
			continue
		}
		if kc != nil {
			w.kv[s], kc = kc[:n:n], kc[n:]
			continue
		}
		m.Func(w.k[s], t+tb.C[s]*h, w.yv[s], theta)
		w.kv[s] = w.k[s]
		nfe++
	}
	if len(lam) > 0 && (len(w.lam) != len(lam) || &w.lam[0] != &lam[0]) {
		w.lam = lam
		for s := range w.vecs {
			if w.vecs[s] != nil {
				w.vecs[s][0] = lam
			}
		}
	}
	for s := w.last; s >= 0; s-- {
		if !w.needed[s] {
			continue
		}
		coef := w.coef[s]
		coef[0] = h * tb.B[s]
		for u, a := range w.uses[s] {
			coef[u+1] = h * a
		}
		lincomb(w.kbar, coef, w.vecs[s])
		yb := w.ybar[s]
		clear(yb)
		m.VJP(yb, dtheta, t+tb.C[s]*h, w.yv[s], theta, w.kbar)
		nfe++
	}
	addAll(lam, w.sum)
	return nfe
}

// lincomb writes Σ_j c[j]·x[j] into dst, the terms added left to right per
// element, the first one not added to anything (so a −0 stays −0, as in
// dst[i] = c·x[i] followed by axpys).
func lincomb(dst []float64, c []float64, x [][]float64) {
	n := len(dst)
	switch len(c) {
	case 1:
		c0, x0 := c[0], x[0][:n]
		for i := range dst {
			dst[i] = c0 * x0[i]
		}
	case 2:
		c0, c1, x0, x1 := c[0], c[1], x[0][:n], x[1][:n]
		for i := range dst {
			dst[i] = c0*x0[i] + c1*x1[i]
		}
	case 3:
		c0, c1, c2, x0, x1, x2 := c[0], c[1], c[2], x[0][:n], x[1][:n], x[2][:n]
		for i := range dst {
			dst[i] = c0*x0[i] + c1*x1[i] + c2*x2[i]
		}
	case 4:
		c0, c1, c2, c3 := c[0], c[1], c[2], c[3]
		x0, x1, x2, x3 := x[0][:n], x[1][:n], x[2][:n], x[3][:n]
		for i := range dst {
			dst[i] = c0*x0[i] + c1*x1[i] + c2*x2[i] + c3*x3[i]
		}
	case 5:
		c0, c1, c2, c3, c4 := c[0], c[1], c[2], c[3], c[4]
		x0, x1, x2, x3, x4 := x[0][:n], x[1][:n], x[2][:n], x[3][:n], x[4][:n]
		for i := range dst {
			dst[i] = c0*x0[i] + c1*x1[i] + c2*x2[i] + c3*x3[i] + c4*x4[i]
		}
	case 6:
		c0, c1, c2, c3, c4, c5 := c[0], c[1], c[2], c[3], c[4], c[5]
		x0, x1, x2, x3, x4, x5 := x[0][:n], x[1][:n], x[2][:n], x[3][:n], x[4][:n], x[5][:n]
		for i := range dst {
			dst[i] = c0*x0[i] + c1*x1[i] + c2*x2[i] + c3*x3[i] + c4*x4[i] + c5*x5[i]
		}
	default:
		c0, x0 := c[0], x[0][:n]
		for i := range dst {
			v := c0 * x0[i]
			for j := 1; j < len(c); j++ {
				v += c[j] * x[j][i]
			}
			dst[i] = v
		}
	}
}

// addAll adds the vectors x to y, in order per element (y + x0 + x1 + …).
func addAll(y []float64, x [][]float64) {
	n := len(y)
	switch len(x) {
	case 1:
		x0 := x[0][:n]
		for i := range y {
			y[i] += x0[i]
		}
	case 6:
		x0, x1, x2, x3, x4, x5 := x[0][:n], x[1][:n], x[2][:n], x[3][:n], x[4][:n], x[5][:n]
		for i := range y {
			y[i] = y[i] + x0[i] + x1[i] + x2[i] + x3[i] + x4[i] + x5[i]
		}
	default:
		for i := range y {
			v := y[i]
			for _, xj := range x {
				v += xj[i]
			}
			y[i] = v
		}
	}
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}
