package aca

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// Adjoint is the continuous adjoint method of Chen et al. (2018) (Pontryagin).
//
// Forward it keeps only z(T). Backward it solves the augmented system
//
//	dz/dt = f,  da/dt = −aᵀ∂f/∂z,  dg/dt = −aᵀ∂f/∂θ
//
// from T to t_0 with the same adaptive solver and tolerances, starting from
// (z(T), ∂L/∂z(T), 0) and adding ∂L/∂z(t_k) to a at each observation time; then
// dL/dz0 = a(t_0) and dL/dθ = g(t_0). Memory O(dim + #θ). The z it reconstructs
// backward drifts from the forward one — for a non-invertible or unstable
// reversed flow badly — and the gradient error grows with that drift (paper
// Sec. 3.2); that is the point of comparing it with ACA. Since z(t_0) = z0 is
// known, the drift is measured for free: Stats.ReconstructionError is the
// distance of the reconstructed z̃(t_0) from z0 in tolerance units.
//
// g is a quadrature (nothing in the system reads it), so by default it does
// not enter the backward solve's error norm (integrate.Settings.NormComponents
// = 2·dim): its steps are those of [z, a] whatever the number of parameters,
// as with CVODES' errconQ = false. ErrconQ puts it back.
//
// Adjoint lands on every observation time in both solves, whatever
// integrate.Settings.Land says: the backward solve adds ∂L/∂z(t_k) to a there
// as a jump (its recorder is an integrate.Jumper), and the forward solve
// lands too, because the backward reconstruction is only as good as z(T):
// with a dense forward solve at the shipped van der Pol scenario's rtol 1e-7
// (fewer, error-controlled steps, so a z(T) with the error the tolerance
// allows rather than the much smaller one of a step per observation) the
// reversed flow left the limit cycle and the backward solve underflowed.
type Adjoint struct {
	// ErrconQ includes the parameter adjoint g in the backward solve's error
	// control (CVODES' errconQ). The error norm is an RMS over components, so
	// with many parameters g's components, mostly smooth, outnumber z and a
	// and dilute their errors: the steps then change with #θ (on a test
	// oscillator 300 parameters took 86 backward steps where 3 took 123) and
	// z and a are controlled less tightly. false (the default) controls z and
	// a only.
	ErrconQ bool

	// The forward and backward solves have different dimensions; each keeps
	// its own solver.
	solver, back solverCache
	fwd          forward
	aug          augmented
	times        []float64
	z0           []float64
	out          []float64
	jump         adjointJumps
}

// Name returns "adjoint".
func (*Adjoint) Name() string { return "adjoint" }

// Gradient runs the forward solve, then the backward augmented solve.
func (m *Adjoint) Gradient(p *Problem, s *Settings) (*Result, error) {
	s = landing(s)
	solver := m.solver.get(s)
	res, err := m.fwd.run(p, solver, nil)
	if err != nil {
		return res, err
	}
	n, np := p.Model.Dim(), p.Model.NumParams()
	na := 2*n + np
	K := len(p.Times)
	m.z0 = grow(m.z0, na)
	z0 := m.z0
	last := K - 1
	copy(z0, m.fwd.states[last*n:(last+1)*n])
	copy(z0[n:2*n], m.fwd.g[last*n:(last+1)*n])
	// Backward output times: the earlier observation times, then T0 unless it is
	// an observation time itself.
	m.times = m.times[:0]
	for k := last - 1; k >= 0; k-- {
		m.times = append(m.times, p.Times[k])
	}
	if len(m.times) == 0 || m.times[len(m.times)-1] != p.T0 {
		m.times = append(m.times, p.T0)
	}
	m.out = grow(m.out, na*len(m.times))
	m.aug.m, m.aug.n, m.aug.np = p.Model, n, np
	m.jump = adjointJumps{n: n, g: m.fwd.g, last: last, final: len(m.times) - 1}
	tEnd := p.Times[last]
	if tEnd == p.T0 {
		// Every observation is at T0: nothing to integrate.
		copy(m.out[len(m.out)-na:], z0)
	} else {
		bst, err := m.back.get(m.backSettings(s, n)).Solve(m.out, &m.aug, p.Theta, tEnd, z0, m.times, &m.jump)
		res.Stats.NFEBackward = 2 * bst.NFE
		res.Stats.BackwardAccepted, res.Stats.BackwardRejected = bst.Accepted, bst.Rejected
		res.Stats.Jacobians += bst.Jacobians
		res.Stats.Factorizations += bst.Factorizations
		res.Stats.NewtonFailures += bst.NewtonFailures
		if err != nil {
			if tb := solver.Method(); tb.Implicit() || tb.Stiff != nil {
				return res, fmt.Errorf("aca: adjoint backward solve: %w; the adjoint method solves z backward from z(T), which is unstable for a stiff system (its decayed modes grow backward): use aca or forward", err)
			}
			return res, fmt.Errorf("aca: adjoint backward solve: %w", err)
		}
	}
	final := m.out[len(m.out)-na:]
	rtol, atol := solver.Tolerances()
	res.Stats.ReconstructionError = reconstructionError(final[:n], p.Z0, rtol, atol)
	res.Stats.HasReconstruction = true
	res.Z0 = append([]float64(nil), final[n:2*n]...)
	res.Theta = append([]float64(nil), final[2*n:]...)
	// An observation at T0 ends the backward solve; add its gradient here.
	for k := 0; k < t0Outputs(p) && k < last; k++ {
		axpy(res.Z0, 1, m.fwd.g[k*n:(k+1)*n])
	}
	// The forward buffers, the backward solve's initial state and its output
	// at the backward output times.
	res.Stats.Bytes = m.fwd.bytes() + 8*(len(m.z0)+len(m.out)+len(m.times))
	return res, checkGradient(p, res, "")
}

// landing returns a copy of s (nil: the defaults) with Land set.
func landing(s *Settings) *Settings {
	var l Settings
	if s != nil {
		l = *s
	}
	l.Land = true
	return &l
}

// backSettings are the settings of the backward solve: s with the error norm
// over [z, a] only, unless ErrconQ.
func (m *Adjoint) backSettings(s *Settings, n int) *Settings {
	var b Settings
	if s != nil {
		b = *s
	}
	b.NormComponents = 0
	if !m.ErrconQ {
		b.NormComponents = 2 * n
	}
	return &b
}

// reconstructionError is the RMS of (zt_i − z0_i) / (atol + rtol·|z0_i|): the
// distance of the backward solve's z̃(t0) from the known z0 in the solver's
// error-norm units (integrate.ErrorNorm with the reference state z0).
func reconstructionError(zt, z0 []float64, rtol, atol float64) float64 {
	if len(z0) == 0 {
		return 0
	}
	sum := 0.0
	for i, v := range z0 {
		r := (zt[i] - v) / (atol + rtol*math.Abs(v))
		sum += r * r
	}
	return math.Sqrt(sum / float64(len(z0)))
}

// adjointJumps adds ∂L/∂z(t_k) to the adjoint a when the backward solve lands on
// observation time t_k.
type adjointJumps struct {
	n, last, final int
	g              []float64
}

func (*adjointJumps) Record(*integrate.Attempt) {}

// Jump adds the loss gradient of the observation reached at backward output j.
func (j *adjointJumps) Jump(out int, _ float64, z []float64) bool {
	k := j.last - 1 - out // backward output j is observation last−1−j
	if k < 0 || out == j.final {
		return false // the solve ends here; the caller adds it
	}
	axpy(z[j.n:2*j.n], 1, j.g[k*j.n:(k+1)*j.n])
	return true
}

// augmented is the adjoint system [z, a, g] as a Dynamics; only Func is used.
type augmented struct {
	inner
	np int
	jw innerJac
}

func (a *augmented) Dim() int       { return 2*a.n + a.np }
func (a *augmented) NumParams() int { return a.np }

// Func writes (f, −aᵀ∂f/∂z, −aᵀ∂f/∂θ).
func (a *augmented) Func(dst []float64, t float64, x, theta []float64) {
	n := a.n
	a.m.Func(dst[:n], t, x[:n], theta)
	da, dg := dst[n:2*n], dst[2*n:]
	clear(da)
	clear(dg)
	a.m.VJP(da, dg, t, x[:n], theta, x[n:2*n])
	for i := range da {
		da[i] = -da[i]
	}
	for i := range dg {
		dg[i] = -dg[i]
	}
}

// inner is what the augmented systems of the adjoint and forward methods share:
// the model whose state is the first n components. Only their Func is ever
// called; they have no derivatives of their own.
type inner struct {
	m dynamics.Dynamics
	n int
}

// JVP is not needed by any method and panics.
func (inner) JVP(_ []float64, _ float64, _, _, _, _ []float64) {
	panic("aca: an augmented system has no JVP")
}

// VJP is not needed by any method and panics.
func (inner) VJP(_, _ []float64, _ float64, _, _, _ []float64) {
	panic("aca: an augmented system has no VJP")
}

// CheckState forwards the model's own domain check on the z part.
func (a inner) CheckState(t float64, x, theta []float64) error {
	if c, ok := a.m.(dynamics.StateChecker); ok {
		return c.CheckState(t, x[:a.n], theta)
	}
	return nil
}
