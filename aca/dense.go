package aca

import (
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// denseAdjoint is the exact adjoint of one explicit Runge–Kutta step that has
// observation times inside it, written by the tableau's continuous extension
// (integrate.Tableau.Dense): z(t_k) = z + h Σ_s b_s(θ_k) K_s with
// θ_k = (t_k − t)/h. Such an observation's ∂L/∂z(t_k) = g_k enters λ of the
// step's start directly and K̄_s through the weights, so the stage sweep of
// rkAdjoint becomes, going s = S..1,
//
//	K̄_s = h b_s λ' + h Σ_k b_s(θ_k) g_k + h Σ_{j>s} a_js Ȳ_j,
//
// and finally λ = λ' + Σ_s Ȳ_s + Σ_k g_k. The stages that matter are those
// with a nonzero weight in B or in the interpolant (Dopri5's and Tsit5's last,
// FSAL, stage among them) and those feeding them.
type denseAdjoint struct {
	tb     *integrate.Tableau
	last   int
	k, y   [][]float64
	ybar   [][]float64
	kx     [][]float64 // Σ_k b_s(θ_k) g_k, per stage
	gsum   []float64   // Σ_k g_k
	kbar   []float64
	bw     []float64
	needed []bool
	feeds  []bool
}

func (w *denseAdjoint) setup(tb *integrate.Tableau, n int) {
	if w.tb == tb && len(w.kbar) == n {
		return
	}
	s := tb.Stages()
	w.tb = tb
	w.k, w.y, w.ybar, w.kx = make([][]float64, s), make([][]float64, s), make([][]float64, s), make([][]float64, s)
	for i := range s {
		w.k[i], w.y[i], w.ybar[i], w.kx[i] = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	}
	w.kbar, w.gsum, w.bw = make([]float64, n), make([]float64, n), make([]float64, s)
	w.needed, w.feeds, w.last = stagePlan(tb, true)
}

// load gathers the observations first … first+count−1 inside the step of
// size h from t: kx_s = Σ_k b_s(θ_k) g_k and gsum = Σ_k g_k.
func (w *denseAdjoint) load(times []float64, first, count int, t, h float64, g []float64) {
	n := len(w.gsum)
	clear(w.gsum)
	for s := range w.kx {
		clear(w.kx[s])
	}
	for k := first; k < first+count; k++ {
		w.tb.DenseWeights(w.bw, (times[k]-t)/h)
		gk := g[k*n : (k+1)*n]
		axpy(w.gsum, 1, gk)
		for s, b := range w.bw {
			if b != 0 {
				axpy(w.kx[s], b, gk)
			}
		}
	}
}

// step replaces lam = ∂L/∂z_{i+1} by ∂L/∂z_i for the step of size h from
// (t, z), the loaded interior observations included, and adds the step's
// contribution to dtheta. It returns the evaluations used.
func (w *denseAdjoint) step(m dynamics.Dynamics, theta []float64, t, h float64, z, lam, dtheta []float64) int {
	tb := w.tb
	nfe := 0
	for s := 0; s <= w.last; s++ {
		integrate.Combine(w.y[s], z, h, tb.A[s], w.k)
		if w.feeds[s] {
			m.Func(w.k[s], t+tb.C[s]*h, w.y[s], theta)
			nfe++
		}
	}
	for s := w.last; s >= 0; s-- {
		yb := w.ybar[s]
		clear(yb)
		if !w.needed[s] {
			continue
		}
		kb, kx := w.kbar, w.kx[s]
		for i := range kb {
			kb[i] = h * (tb.B[s]*lam[i] + kx[i])
		}
		for j := s + 1; j <= w.last; j++ {
			if a := tb.A[j][s]; a != 0 && w.needed[j] {
				axpy(kb, h*a, w.ybar[j])
			}
		}
		m.VJP(yb, dtheta, t+tb.C[s]*h, w.y[s], theta, kb)
		nfe++
	}
	for s := 0; s <= w.last; s++ {
		if w.needed[s] {
			axpy(lam, 1, w.ybar[s])
		}
	}
	axpy(lam, 1, w.gsum)
	return nfe
}
