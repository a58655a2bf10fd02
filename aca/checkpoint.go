package aca

import (
	"fmt"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// ACA is the Adaptive Checkpoint Adjoint method (Zhuang et al. 2020, Algorithm 2).
//
// Forward it keeps only the accepted steps (t_i, h_i, z_i); the step-size search
// leaves nothing behind. Backward, from the last step to the first, it recomputes
// the stages of step i from (t_i, z_i, h_i) and applies the exact adjoint of that
// one explicit Runge–Kutta step, adding ∂L/∂z(t_k) where step i ends on an
// observation time, and through the dense-output weights where t_k falls
// inside step i (integrate.Settings.Land false, see denseAdjoint). The result is the exact derivative of the discrete solution
// with the accepted steps held fixed.
//
// Memory: O(N_t·dim) floats for the trajectory. Cost: the forward solve plus, per
// accepted step, one VJP per stage and one evaluation per stage whose
// derivative feeds a later stage (all stages but the last, for the usual
// tableaux). It fails only where the forward solve fails.
//
// An implicit step (Kvaerno3/4/5, or the stiff steps of Auto, whose steps
// carry their method) keeps its converged stage derivatives as well, O(S·dim)
// more per step, and its backward step is the exact adjoint through the
// stage equations by the implicit function theorem (dirkAdjoint): per
// implicit stage one Jacobian at the converged stage, one LU of
// I − h a_ss J and one transpose solve, and one VJP. The result is again the
// exact derivative of the discrete solution with the accepted steps fixed,
// up to the Newton tolerance of the forward solve (Settings.NewtonTol).
type ACA struct {
	rec    acaRecorder
	fwd    forward
	w      rkAdjoint
	dw     denseAdjoint
	iw     dirkAdjoint
	solver solverCache
}

// Name returns "aca".
func (*ACA) Name() string { return "aca" }

// acaRecorder keeps the accepted steps of a solve.
type acaRecorder struct {
	t   []float64
	h   []float64
	z   []float64 // state at the start of each step, row-major
	out []int     // observation index reached at the end of each step, or −1
	// inside counts the observations strictly inside each step, written by
	// the dense output; they precede the step's end observation, so the
	// backward sweep finds their indices by counting down. It stays empty
	// (no memory) until a step has one, and shorter than t after the last.
	inside []int32
	tb     []*integrate.Tableau
	// koff is the offset into k of an implicit step's stage derivatives, or
	// −1 for an explicit step (whose stages the backward pass recomputes).
	koff []int
	k    []float64
	cur  *integrate.Tableau // the method of the attempts now reported
}

// RecordMethod notes the method of the attempts that follow (Auto switches).
func (r *acaRecorder) RecordMethod(tb *integrate.Tableau) { r.cur = tb }

func (r *acaRecorder) reset() {
	r.t, r.h, r.z, r.out, r.tb, r.koff, r.k = r.t[:0], r.h[:0], r.z[:0], r.out[:0], r.tb[:0], r.koff[:0], r.k[:0]
	r.inside = r.inside[:0]
}

// Record keeps an accepted step and ignores a rejected one.
func (r *acaRecorder) Record(a *integrate.Attempt) {
	if !a.Accepted {
		return
	}
	r.t = append(r.t, a.T)
	r.h = append(r.h, a.H)
	r.z = append(r.z, a.Z...)
	r.out = append(r.out, a.Output)
	if a.Inside > 0 {
		for len(r.inside) < len(r.t)-1 {
			r.inside = append(r.inside, 0)
		}
		r.inside = append(r.inside, int32(a.Inside))
	}
	r.tb = append(r.tb, r.cur)
	if r.cur.Implicit() {
		r.koff = append(r.koff, len(r.k))
		for _, k := range a.K {
			r.k = append(r.k, k...)
		}
	} else {
		r.koff = append(r.koff, -1)
	}
}

// Gradient runs the forward solve, keeping accepted steps, then the backward sweep.
func (m *ACA) Gradient(p *Problem, s *Settings) (*Result, error) {
	solver := m.solver.get(s)
	m.rec.reset()
	res, err := m.fwd.run(p, solver, &m.rec)
	if err != nil {
		return res, err
	}
	n, np := p.Model.Dim(), p.Model.NumParams()
	res.Theta = make([]float64, np)
	res.Z0 = make([]float64, n)
	lam := res.Z0
	r := &m.rec
	m.iw.jacs, m.iw.facts = 0, 0
	next := len(p.Times) // the first observation after step i
	for i := len(r.t) - 1; i >= 0; i-- {
		if k := r.out[i]; k >= 0 {
			axpy(lam, 1, m.fwd.g[k*n:(k+1)*n])
			next = k
		}
		in := 0
		if i < len(r.inside) {
			in = int(r.inside[i])
			next -= in
		}
		z := r.z[i*n : (i+1)*n]
		if in > 0 {
			// Observations next … next+in−1 inside the step (dense output,
			// explicit steps only).
			m.dw.setup(r.tb[i], n)
			m.dw.load(p.Times, next, in, r.t[i], r.h[i], m.fwd.g)
			res.Stats.NFEBackward += m.dw.step(p.Model, p.Theta, r.t[i], r.h[i], z, lam, res.Theta)
		} else if off := r.koff[i]; off >= 0 {
			m.iw.setup(r.tb[i], n)
			k := r.k[off : off+r.tb[i].Stages()*n]
			res.Stats.NFEBackward += m.iw.step(p.Model, p.Theta, r.t[i], r.h[i], z, k, lam, res.Theta)
		} else {
			m.w.setup(r.tb[i], n, np)
			res.Stats.NFEBackward += m.w.step(p.Model, p.Theta, r.t[i], r.h[i], z, lam, res.Theta)
		}
		if firstNonFinite(lam) >= 0 || firstNonFinite(res.Theta) >= 0 {
			return res, checkGradient(p, res, fmt.Sprintf("in the backward pass over the step from t=%.6g to t=%.6g", r.t[i], r.t[i]+r.h[i]))
		}
	}
	for k := 0; k < t0Outputs(p); k++ {
		axpy(lam, 1, m.fwd.g[k*n:(k+1)*n])
	}
	res.Stats.Jacobians += m.iw.jacs
	res.Stats.Factorizations += m.iw.facts
	res.Stats.Bytes = 8*(len(r.t)+len(r.h)+len(r.z)+len(r.out)) + 4*len(r.inside) + m.fwd.bytes()
	if len(r.k) > 0 {
		// Implicit steps keep their stages, and each step its method and
		// stage offset (an all-explicit solve needs neither).
		res.Stats.Bytes += 8 * (len(r.k) + len(r.tb) + len(r.koff))
	}
	return res, checkGradient(p, res, "")
}

// rkAdjoint is the workspace of the exact adjoint of one explicit RK step.
type rkAdjoint struct {
	tb     *integrate.Tableau
	last   int         // highest stage that influences the new state
	k      [][]float64 // stage derivatives K_s
	y      [][]float64 // stage inputs Y_s
	kbar   []float64   // K̄_s for the current stage
	ybar   [][]float64 // Ȳ_s
	needed []bool
	feeds  []bool // K_s enters the input of a later needed stage
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
	w.kbar = make([]float64, n)
	// A stage matters when its weight is nonzero or a stage that matters uses it:
	// Dopri5's seventh (FSAL) stage only feeds the error estimate and is skipped.
	w.needed = make([]bool, s)
	for i := s - 1; i >= 0; i-- {
		w.needed[i] = tb.B[i] != 0
		for j := i + 1; j < s; j++ {
			if w.needed[j] && tb.A[j][i] != 0 {
				w.needed[i] = true
			}
		}
	}
	w.feeds = make([]bool, s)
	for i := range s {
		for j := i + 1; j < s; j++ {
			if w.needed[j] && tb.A[j][i] != 0 {
				w.feeds[i] = true
			}
		}
	}
	w.last = 0
	for i := range w.needed {
		if w.needed[i] {
			w.last = i
		}
	}
}

// step replaces lam = ∂L/∂z_{i+1} by ∂L/∂z_i and adds the step's contribution to
// dtheta, for the step of size h from (t, z). It returns the evaluations used.
//
// For Y_s = z + h Σ_{j<s} a_sj K_j, K_s = f(t + c_s h, Y_s), z' = z + h Σ b_s K_s:
// going s = S..1, K̄_s = h b_s λ' + h Σ_{j>s} a_js Ȳ_j; Ȳ_s = (∂f/∂z)ᵀK̄_s;
// θ̄ += (∂f/∂θ)ᵀK̄_s; finally λ = λ' + Σ_s Ȳ_s.
func (w *rkAdjoint) step(m dynamics.Dynamics, theta []float64, t, h float64, z, lam, dtheta []float64) int {
	tb := w.tb
	nfe := 0
	for s := 0; s <= w.last; s++ {
		y := w.y[s]
		copy(y, z)
		for j, a := range tb.A[s] {
			if a != 0 {
				axpy(y, h*a, w.k[j])
			}
		}
		if w.feeds[s] {
			// K_s of the last stages only feeds the new state, which the
			// backward sweep does not need: the VJP below needs just Y_s.
			m.Func(w.k[s], t+tb.C[s]*h, y, theta)
			nfe++
		}
	}
	for s := w.last; s >= 0; s-- {
		yb := w.ybar[s]
		clear(yb)
		if !w.needed[s] {
			continue
		}
		kb := w.kbar
		for i := range kb {
			kb[i] = h * tb.B[s] * lam[i]
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
	return nfe
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}
