package aca

import (
	"fmt"
)

// ACA is the Adaptive Checkpoint Adjoint method (Zhuang et al. 2020, Algorithm 2).
//
// Forward it keeps only the accepted steps (t_i, h_i, z_i); the step-size search
// leaves nothing behind. Backward, from the last step to the first, it recomputes
// the stages of step i from (t_i, z_i, h_i) and applies the exact adjoint of that
// one explicit Runge–Kutta step, adding ∂L/∂z(t_k) where step i ends on an
// observation time. The result is the exact derivative of the discrete solution
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
//
// Checkpoints bounds the memory of the trajectory; StageBudget spends memory
// on speed. Neither changes the gradient by a single bit.
type ACA struct {
	// Checkpoints, when positive, is the most states ACA holds at once:
	// the forward pass keeps at most max(1, Checkpoints/2) of them (thinned
	// to every other one when full), and the backward pass replays the
	// accepted steps (t_i, h_i) between them, keeping replayed states in the
	// remaining slots on a binomial schedule (Griewank & Walther 2000,
	// "revolve"). The times and step sizes of all steps are kept (O(N_t)
	// floats); the states are O(Checkpoints·dim). The replays repeat the
	// forward pass's operations exactly, so the gradient is the unbounded
	// one bit for bit; Stats.Recomputed counts the replayed steps and
	// Stats.Bytes is the peak. A held state carries its K_0 (2·dim floats a
	// slot: the forward pass may have taken K_0 from the step before).
	// Implicit steps keep their stage derivatives (their replay is one sum,
	// no Newton iteration). Cost: with c slots for a segment of l steps,
	// no step is replayed more than r times, r the least with
	// C(c+r, c) ≥ l; 10⁵ RK4 steps with 100 checkpoints replay 2.7 steps a
	// step and take about 1.6 times as long as the unbounded sweep.
	// 0 keeps every state.
	Checkpoints int
	// StageBudget is the bytes ACA may spend on keeping the forward pass's
	// stage derivatives of explicit steps (the ones the backward step would
	// evaluate again: five vectors a step for Dopri5), first steps first.
	// The backward step over a kept step then skips its evaluations of f
	// and gives the same bits. 0 keeps none. With Checkpoints it is unused.
	StageBudget int

	rec acaRecorder
	fwd forward
	w   rkAdjoint
	rev revolver
	dw  denseAdjoint
	// next is the first observation after the step the backward sweep is at
	// (it counts down through the observations inside steps).
	next   int
	iw     dirkAdjoint
	solver solverCache
}

// Name returns "aca".
func (*ACA) Name() string { return "aca" }

// Gradient runs the forward solve, keeping accepted steps, then the backward sweep.
func (m *ACA) Gradient(p *Problem, s *Settings) (*Result, error) {
	solver := m.solver.get(s)
	m.rec.limit, m.rec.budget = max(0, m.Checkpoints), max(0, m.StageBudget)
	if m.rec.limit > 0 {
		m.rec.budget = 0
	}
	m.rec.reset()
	res, err := m.fwd.run(p, solver, &m.rec)
	if err != nil {
		return res, err
	}
	n, np := p.Model.Dim(), p.Model.NumParams()
	res.Theta = make([]float64, np)
	res.Z0 = make([]float64, n)
	if err := m.backward(p, res); err != nil {
		return res, err
	}
	return res, checkGradient(p, res, "")
}

// backward is the backward sweep: from the last step to the first, and
// the observations at T0. It allocates nothing once the buffers have grown.
func (m *ACA) backward(p *Problem, res *Result) error {
	n := p.Model.Dim()
	lam := res.Z0
	r := &m.rec
	m.iw.jacs, m.iw.facts = 0, 0
	m.next = len(p.Times)
	held := 0
	if r.limit > 0 {
		if err := m.rev.run(m, p, res); err != nil {
			return err
		}
		held = m.rev.peak * m.rev.slotBytes()
	} else {
		for i := len(r.t) - 1; i >= 0; i-- {
			if err := m.back(p, res, i, r.z[i*n:(i+1)*n]); err != nil {
				return err
			}
		}
		held = 8*len(r.z) + r.cache.bytes()
	}
	for k := 0; k < t0Outputs(p); k++ {
		axpy(lam, 1, m.fwd.g[k*n:(k+1)*n])
	}
	res.Stats.Jacobians += m.iw.jacs
	res.Stats.Factorizations += m.iw.facts
	res.Stats.Bytes = r.stepBytes() + held + m.fwd.bytes()
	return nil
}

// back is the backward step over accepted step i from its state z: it adds
// ∂L/∂z at the step's end when that is an observation time, then replaces
// λ by ∂L/∂z_i and adds the step's part of dL/dθ.
func (m *ACA) back(p *Problem, res *Result, i int, z []float64) error {
	r := &m.rec
	n, np := len(z), len(res.Theta)
	lam := res.Z0
	if k := r.out[i]; k >= 0 {
		axpy(lam, 1, m.fwd.g[k*n:(k+1)*n])
		m.next = k
	}
	in := 0
	if i < len(r.inside) {
		in = int(r.inside[i])
		m.next -= in
	}
	if in > 0 {
		// Observations next … next+in−1 inside the step (dense output,
		// explicit steps only): they enter λ and K̄ through b_s(θ).
		m.dw.setup(r.tb[i], n)
		m.dw.load(p.Times, m.next, in, r.t[i], r.h[i], m.fwd.g)
		res.Stats.NFEBackward += m.dw.step(p.Model, p.Theta, r.t[i], r.h[i], z, lam, res.Theta)
	} else if off := r.koff[i]; off >= 0 {
		m.iw.setup(r.tb[i], n)
		k := r.k[off : off+r.tb[i].Stages()*n]
		res.Stats.NFEBackward += m.iw.step(p.Model, p.Theta, r.t[i], r.h[i], z, k, lam, res.Theta)
	} else {
		m.w.setup(r.tb[i], n, np)
		kc := r.cache.stages(i, r.tb[i])
		res.Stats.NFEBackward += m.w.step(p.Model, p.Theta, r.t[i], r.h[i], z, kc, lam, res.Theta)
	}
	if firstNonFinite(lam) >= 0 || firstNonFinite(res.Theta) >= 0 {
		return checkGradient(p, res, fmt.Sprintf("in the backward pass over the step from t=%.6g to t=%.6g", r.t[i], r.t[i]+r.h[i]))
	}
	return nil
}
