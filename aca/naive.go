package aca

import (
	"math"
	"unsafe"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// Naive is reverse-mode differentiation through the solver program as written:
// every attempted step, rejected ones included, with the step size as a
// differentiable function of earlier error estimates through the controller and
// the error norm — what automatic differentiation of an adaptive solver records.
//
// Memory grows with every attempt: O(N_t·m·stages·dim) for N_t accepted steps
// and m attempts per step, and the computation graph is as deep. Its gradient is
// the exact derivative of the whole adaptive program (the step sizes included);
// only the automatic initial step is held fixed. Since the time of a stage,
// t_n + c_s·h_n with t_{n+1} = t_n + h_n, depends on θ and z0 through the step
// sizes, the reverse pass of a non-autonomous model needs ∂f/∂t: it takes it
// from dynamics.TimeDerivative and treats a model without it as autonomous
// (∂f/∂t = 0), which gives a wrong gradient for one whose f does depend on t.
// Evaluations of ∂f/∂t are not counted in Stats.NFEBackward. Breakpoints of
// the model (dynamics.Breakpointer) are differentiated as the solver runs them
// (integrate.BreakpointRecorder): a step cut to end just before a jump at b
// has h = b − 8ε·max(1, |b|) − t, a function of t and not of the controller;
// the next step starts at the constant t = b with f(b, z) evaluated afresh as
// its first stage, whose VJP takes the adjoint instead of the FSAL stage of
// the cut step; and the step proposed before the cut resumes. It fails where
// the forward solve fails, and in practice where the deep graph lets gradients vanish or explode.
//
// Naive always lands on every observation time (it solves with
// integrate.Settings.Land set): it reverses the program of a landing solve,
// whose outputs are step-end values; the dense output is not reversed.
type Naive struct {
	tape   naiveTape
	fwd    forward
	solver solverCache
	sweep  naiveSweep
}

// Name returns "naive".
func (*Naive) Name() string { return "naive" }

// naiveTape records every attempt: z, the new z, stages K and stage inputs Y,
// and which attempts were cut short by a breakpoint.
type naiveTape struct {
	n, s int
	tb   *integrate.Tableau
	at   []integrate.Attempt // scalars only; the slices are nil
	data []float64           // per attempt: z, zNew, K (s rows), Y (s rows)
	bps  []naiveBreakpoint   // in attempt order; empty without breakpoints
}

// naiveBreakpoint marks attempt at as one whose step was cut to end just
// before breakpoint b (integrate.BreakpointRecorder).
type naiveBreakpoint struct {
	at int
	b  float64
}

// RecordBreakpoint marks the attempt just recorded as ending before b.
func (r *naiveTape) RecordBreakpoint(b float64) {
	r.bps = append(r.bps, naiveBreakpoint{at: len(r.at) - 1, b: b})
}

func (r *naiveTape) stride() int { return (2 + 2*r.s) * r.n }

func (r *naiveTape) Record(a *integrate.Attempt) {
	n := r.n
	r.data = append(r.data, a.Z...)
	r.data = append(r.data, a.ZNew...)
	for _, k := range a.K {
		r.data = append(r.data, k...)
	}
	// Stage inputs Y_s = z + h Σ a_sj K_j, as an autodiff tape would hold them.
	for s := 0; s < r.s; s++ {
		r.data = append(r.data, a.Z...)
		y := r.data[len(r.data)-n:]
		integrate.Combine(y, y, a.H, r.tb.A[s], a.K)
	}
	sc := *a
	sc.Z, sc.ZNew, sc.K = nil, nil, nil
	r.at = append(r.at, sc)
}

// Gradient runs the forward solve recording the whole program, then reverses it.
func (m *Naive) Gradient(p *Problem, s *Settings) (*Result, error) {
	n, np := p.Model.Dim(), p.Model.NumParams()
	solver := m.solver.get(landing(s))
	tb := solver.Method()
	if err := naiveSupports(tb); err != nil {
		return nil, err
	}
	ns := tb.Stages()
	m.tape.n, m.tape.s, m.tape.tb = n, ns, tb
	m.tape.at, m.tape.data, m.tape.bps = m.tape.at[:0], m.tape.data[:0], m.tape.bps[:0]
	rule, err := newStepRule(solver)
	if err != nil {
		return nil, err
	}
	res, err := m.fwd.run(p, solver, &m.tape)
	if err != nil {
		return res, err
	}
	res.Theta = make([]float64, np)
	w := &m.sweep
	w.setup(p, solver, rule, m.fwd.g, res.Theta)
	stride := m.tape.stride()
	bps := m.tape.bps
	for idx := len(m.tape.at) - 1; idx >= 0; idx-- {
		w.bp = nil
		if k := len(bps) - 1; k >= 0 && bps[k].at == idx {
			w.bp, bps = &bps[k], bps[:k]
		}
		w.attempt(&m.tape.at[idx], m.tape.data[idx*stride:(idx+1)*stride])
	}
	// The first stage of the first attempt is f(t0, z0).
	w.nfe += vjp(p, p.T0, p.Z0, w.k0b, w.zb, res.Theta) // t0 is fixed: no t̄
	for k := 0; k < t0Outputs(p); k++ {
		axpy(w.zb, 1, m.fwd.g[k*n:(k+1)*n])
	}
	res.Z0 = append([]float64(nil), w.zb...)
	res.Stats.NFEBackward = w.nfe
	res.Stats.Bytes = 8*len(m.tape.data) + len(m.tape.at)*int(unsafe.Sizeof(integrate.Attempt{})) + m.fwd.bytes() +
		len(m.tape.bps)*int(unsafe.Sizeof(naiveBreakpoint{}))
	return res, checkGradient(p, res, "")
}

// naiveSweep reverses the tape attempt by attempt, last to first: it holds the
// adjoints of the program state carried between attempts and the work vectors
// of one attempt's reversal.
type naiveSweep struct {
	p              *Problem
	dfdt           dynamics.TimeDerivative // nil for an autonomous model
	tb             *integrate.Tableau
	rule           stepRule
	g, theta       []float64 // ∂L/∂z(t_k) and the dL/dθ being accumulated
	rtol, atol     float64
	fsal, adaptive bool
	n, ns          int
	nfe            int

	zb            []float64 // z̄
	k0b           []float64 // K̄0 of the carried first stage
	tbar, hb, epb float64   // t̄, h̄ (proposed step), ēp (controller memory)

	// Within one attempt.
	zbn  []float64   // z̄ of the attempt's input
	znb  []float64   // adjoint of the attempt's new state
	eb   []float64   // adjoint of the error estimate
	e    []float64   // the error estimate
	ybar []float64   // Ȳ_s
	ft   []float64   // ∂f/∂t at a stage
	kb   [][]float64 // K̄_s
	hhb  float64     // adjoint of the step actually tried

	bp *naiveBreakpoint // the breakpoint that cut the attempt short, or nil

	work []float64 // backs the vectors above: 8 + stages rows of n
}

// setup prepares the sweep, reusing the work vectors of the last call.
func (w *naiveSweep) setup(p *Problem, solver *integrate.Solver, rule stepRule, g, theta []float64) {
	tb := solver.Method()
	n, ns := p.Model.Dim(), tb.Stages()
	work, kb := grow(w.work, (8+ns)*n), w.kb
	*w = naiveSweep{p: p, tb: tb, rule: rule, g: g, theta: theta, fsal: tb.FSAL(), adaptive: tb.Adaptive(), n: n, ns: ns, work: work}
	w.rtol, w.atol = solver.Tolerances()
	w.dfdt, _ = p.Model.(dynamics.TimeDerivative)
	clear(work)
	row := func(i int) []float64 { return work[i*n : (i+1)*n] }
	w.zb, w.k0b, w.zbn, w.znb, w.eb, w.e, w.ybar, w.ft = row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)
	if cap(kb) < ns {
		kb = make([][]float64, ns)
	}
	w.kb = kb[:ns]
	for i := range w.kb {
		w.kb[i] = row(8 + i)
	}
}

// stage and input return K_s and Y_s of an attempt's tape record d.
func (w *naiveSweep) stage(d []float64, s int) []float64 { return d[(2+s)*w.n : (3+s)*w.n] }
func (w *naiveSweep) input(d []float64, s int) []float64 {
	return d[(2+w.ns+s)*w.n : (3+w.ns+s)*w.n]
}

// attempt reverses one attempt a with tape record d: the carried state, the
// controller, the error norm, the new state and the stages.
func (w *naiveSweep) attempt(a *integrate.Attempt, d []float64) {
	for s := range w.kb {
		clear(w.kb[s])
	}
	w.hhb = 0
	errb, tbn, epbn, k0pass := w.carry(a, d)
	_, dErr, dPrev, dH, dHProp := w.rule.partials(a, w.bp != nil)
	errb += w.hb * dErr
	epbn += w.hb * dPrev
	w.hhb += w.hb * dH
	hbn := w.hb * dHProp
	if w.adaptive && errb != 0 && a.Err > 0 && !math.IsInf(a.Err, 0) {
		w.errorNorm(a, d, errb)
	}
	w.newState(a, d)
	tbn += w.stages(a, d)
	if k0pass {
		axpy(w.kb[0], 1, w.k0b)
	}
	copy(w.k0b, w.kb[0])
	if a.Landing || w.bp != nil {
		// h = t_out − t, or b − 8ε·max(1, |b|) − t before a breakpoint b:
		// a function of t, not of the proposed step.
		tbn -= w.hhb
	} else {
		hbn += w.hhb
	}
	copy(w.zb, w.zbn)
	w.tbar, w.hb, w.epb = tbn, hbn, epbn
}

// carry routes the adjoints carried from the next attempt into this one: an
// accepted attempt's new state (and first stage, FSAL or evaluated there) is
// what comes next, a rejected one passes its input on unchanged. After a step
// cut short by a breakpoint b the solve moves to t = b, a constant, and the
// next first stage is f(b, z_{n+1}) evaluated afresh, never the FSAL stage.
// It returns the adjoints of the error norm, of t and of the controller
// memory so far, and whether K̄0 passes through.
func (w *naiveSweep) carry(a *integrate.Attempt, d []float64) (errb, tbn, epbn float64, k0pass bool) {
	n := w.n
	if !a.Accepted {
		copy(w.zbn, w.zb)
		clear(w.znb)
		return 0, w.tbar, w.epb, true
	}
	if a.Landing {
		axpy(w.zb, 1, w.g[a.Output*n:(a.Output+1)*n])
	}
	copy(w.znb, w.zb)
	clear(w.zbn)
	if w.bp != nil {
		// t_{n+1} = b is fixed: the fresh stage's time takes no adjoint, and
		// none of t̄ reaches h.
		w.nfe += vjp(w.p, w.bp.b, d[n:2*n], w.k0b, w.znb, w.theta)
		return w.epb, 0, 0, false
	}
	if w.fsal {
		axpy(w.kb[w.ns-1], 1, w.k0b)
	} else {
		w.nfe += vjp(w.p, a.T+a.H, d[n:2*n], w.k0b, w.znb, w.theta)
		// The next first stage is f(t_{n+1}, z_{n+1}): its time has the
		// adjoint of t_{n+1}, dropped below when the step lands (t_out is fixed).
		w.tbar += w.timeAdjoint(a.T+a.H, d[n:2*n], w.k0b)
	}
	if !a.Landing {
		w.hhb += w.tbar
		tbn = w.tbar
	}
	return w.epb, tbn, 0, false
}

// errorNorm reverses err = ‖h Σ BErr_s K_s‖ (integrate.ErrorNorm) with
// incoming adjoint errb.
func (w *naiveSweep) errorNorm(a *integrate.Attempt, d []float64, errb float64) {
	n, hh, tb := w.n, a.H, w.tb
	z, zn, e := d[:n], d[n:2*n], w.e
	clear(e)
	for s, c := range tb.BErr {
		if c != 0 {
			axpy(e, hh*c, w.stage(d, s))
		}
	}
	inv := errb / (float64(n) * a.Err)
	for i := 0; i < n; i++ {
		sc := w.atol + w.rtol*math.Max(math.Abs(z[i]), math.Abs(zn[i]))
		r := e[i] / sc
		w.eb[i] = inv * r / sc
		scb := -inv * r * r / sc
		if math.Abs(z[i]) >= math.Abs(zn[i]) {
			w.zbn[i] += scb * w.rtol * sign(z[i])
		} else {
			w.znb[i] += scb * w.rtol * sign(zn[i])
		}
	}
	for s, c := range tb.BErr {
		if c != 0 {
			axpy(w.kb[s], hh*c, w.eb)
			w.hhb += c * dot(w.stage(d, s), w.eb)
		}
	}
}

// newState reverses z' = z + h Σ b_s K_s.
func (w *naiveSweep) newState(a *integrate.Attempt, d []float64) {
	axpy(w.zbn, 1, w.znb)
	for s, c := range w.tb.B {
		if c != 0 {
			axpy(w.kb[s], a.H*c, w.znb)
			w.hhb += c * dot(w.stage(d, s), w.znb)
		}
	}
}

// stages reverses the stages, last to first: Y_s = z + h Σ_j a_sj K_j,
// K_s = f(t + c_s h, Y_s). It returns the adjoint of t that the stage times
// contribute (and adds c_s times it to h̄).
func (w *naiveSweep) stages(a *integrate.Attempt, d []float64) (tsum float64) {
	tb, hh := w.tb, a.H
	for s := w.ns - 1; s >= 1; s-- {
		clear(w.ybar)
		ts := a.T + tb.C[s]*hh
		w.nfe += vjp(w.p, ts, w.input(d, s), w.kb[s], w.ybar, w.theta)
		if g := w.timeAdjoint(ts, w.input(d, s), w.kb[s]); g != 0 {
			tsum += g
			w.hhb += tb.C[s] * g
		}
		axpy(w.zbn, 1, w.ybar)
		for j, c := range tb.A[s] {
			if c != 0 {
				axpy(w.kb[j], hh*c, w.ybar)
				w.hhb += c * dot(w.stage(d, j), w.ybar)
			}
		}
	}
	return tsum
}

// timeAdjoint returns uᵀ∂f/∂t at (t, y), the adjoint a stage with cotangent u
// passes to its time; 0 without evaluating anything for an autonomous model
// or u = 0.
func (w *naiveSweep) timeAdjoint(t float64, y, u []float64) float64 {
	if w.dfdt == nil || allZero(u) {
		return 0
	}
	w.dfdt.DfDt(w.ft, t, y, w.p.Theta)
	return dot(w.ft, u)
}

func allZero(u []float64) bool {
	for _, v := range u {
		if v != 0 {
			return false
		}
	}
	return true
}

// vjp adds uᵀ∂f/∂z at (t, y) to dz and uᵀ∂f/∂θ to dtheta, skipping u = 0 as
// autodiff skips a node no gradient reaches; it returns the evaluations used.
func vjp(p *Problem, t float64, y, u, dz, dtheta []float64) int {
	if allZero(u) {
		return 0
	}
	p.Model.VJP(dz, dtheta, t, y, p.Theta, u)
	return 1
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}
