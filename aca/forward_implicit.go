package aca

import (
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/internal/denselu"
)

// Forward sensitivities through implicit steps are the tangent of the
// discrete map, step by step along the accepted steps of the forward solve
// (like ACA, the steps are held fixed): for each column Ṡ of S = ∂z/∂(θ, z0),
// going s = 1..S,
//
//	(I − h a_ss J_s) K̇_s = ∂f/∂z(Y_s)·(Ṡ + h Σ_{j<s} a_sj K̇_j) + ∂f/∂θ(Y_s)·θ̇,
//
// one JVP and one solve with the stage's factorization per column, and
// Ṡ' = Ṡ + h Σ b_s K̇_s. Integrating the sensitivity equations alongside z
// with an implicit method would need a Newton iteration matrix with the
// second derivatives of f (∂(∂f/∂z·S)/∂z), which a Dynamics does not have;
// without them Newton fails on strongly nonlinear stiff systems (Robertson).
// The tangent is the exact derivative of the discrete solution, so it equals
// ACA's gradient to rounding; the error control covers z only.
type tangent struct {
	y      [][]float64 // Y_s
	k      [][]float64 // K_s (recomputed for explicit steps)
	kd     [][]float64 // K̇_s for one column
	v      []float64
	vt     []float64 // unit vector in θ
	lu     []denselu.LU
	stages int
	n      int
	stageLU
}

func (w *tangent) setup(n, np, stages int) {
	if w.n == n && w.stages >= stages && len(w.vt) == np {
		return
	}
	w.n, w.stages = n, stages
	mk := func() [][]float64 {
		r := make([][]float64, stages)
		for i := range r {
			r[i] = make([]float64, n)
		}
		return r
	}
	w.y, w.k, w.kd = mk(), mk(), mk()
	w.v = make([]float64, n)
	w.vt = make([]float64, np)
	w.stageLU.setup(n)
	w.lu = make([]denselu.LU, stages)
}

// step advances S (n×cols, row-major, θ columns first) over the step of size
// h from (t, z) with tableau tb; k holds the recorded stages of an implicit
// step (nil for an explicit one, whose stages are recomputed). It returns the
// evaluations used.
func (w *tangent) step(m dynamics.Dynamics, theta []float64, tb *integrate.Tableau, t, h float64, z, k, S []float64, cols int) int {
	n, np := len(z), len(theta)
	ns := tb.Stages()
	nfe := 0
	for s := range ns {
		y, row := w.y[s], tb.A[s]
		if k != nil {
			// The recorded K_s, its own diagonal term added last.
			copy(w.k[s], k[s*n:(s+1)*n])
		}
		integrate.Combine(y, z, h, row, w.k)
		if k == nil {
			m.Func(w.k[s], t+tb.C[s]*h, y, theta)
			nfe++
		}
		if len(row) == s+1 && row[s] != 0 {
			jnfe, ok := w.factor(&w.lu[s], m, t+tb.C[s]*h, y, theta, h*row[s])
			nfe += jnfe
			if !ok {
				for i := range S {
					S[i] = nan
				}
				return nfe
			}
		}
	}
	for c := range cols {
		var vt []float64
		if c < np {
			w.vt[c] = 1
			vt = w.vt
		}
		for s := range ns {
			v := w.v
			for i := range n {
				v[i] = S[i*cols+c]
			}
			row := tb.A[s]
			for j := 0; j < s && j < len(row); j++ {
				if row[j] != 0 {
					axpy(v, h*row[j], w.kd[j])
				}
			}
			m.JVP(w.kd[s], t+tb.C[s]*h, w.y[s], theta, v, vt)
			nfe++
			if len(row) == s+1 && row[s] != 0 {
				w.lu[s].Solve(w.kd[s], false)
			}
		}
		for s, b := range tb.B {
			if b != 0 {
				for i := range n {
					S[i*cols+c] += h * b * w.kd[s][i]
				}
			}
		}
		if c < np {
			w.vt[c] = 0
		}
	}
	return nfe
}

// gradientImplicit is Forward for an implicit method or Auto: the forward
// solve keeps its accepted steps, and the tangent runs along them.
func (m *Forward) gradientImplicit(p *Problem, solver *integrate.Solver, cols int) (*Result, error) {
	m.rec.reset()
	res, err := m.fwd.run(p, solver, &m.rec)
	if err != nil {
		return res, err
	}
	n, np := p.Model.Dim(), p.Model.NumParams()
	K := len(p.Times)
	S := make([]float64, n*cols)
	if cols > np {
		for i := range n {
			S[i*cols+np+i] = 1
		}
	}
	sens := make([]float64, n*cols*K)
	for k := range t0Outputs(p) {
		copy(sens[k*n*cols:], S)
	}
	r := &m.rec
	maxStages := 0
	for _, tb := range r.tb {
		maxStages = max(maxStages, tb.Stages())
	}
	m.tan.setup(n, np, maxStages)
	m.tan.jacs, m.tan.facts = 0, 0
	nfe := 0
	for i := range r.t {
		var k []float64
		if off := r.koff[i]; off >= 0 {
			k = r.k[off : off+r.tb[i].Stages()*n]
		}
		nfe += m.tan.step(p.Model, p.Theta, r.tb[i], r.t[i], r.h[i], r.z[i*n:(i+1)*n], k, S, cols)
		if o := r.out[i]; o >= 0 {
			copy(sens[o*n*cols:(o+1)*n*cols], S)
		}
	}
	res.Stats.NFEForward += nfe
	res.Stats.Jacobians += m.tan.jacs
	res.Stats.Factorizations += m.tan.facts
	res.Sensitivities = sens
	contract(res, m.fwd.g, sens, np, cols, cols > np)
	res.Stats.Bytes = 8 * (len(r.t) + len(r.h) + len(r.z) + len(r.out) + len(r.tb) + len(r.koff) + len(r.k) + len(S))
	return res, checkGradient(p, res, "")
}
