package integrate

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
)

// Solver integrates dz/dt = f(t, z, θ) with a Runge–Kutta method and owns the
// workspace for it, so repeated solves of the same dimension allocate nothing.
// A Solver is not safe for concurrent use; use one per goroutine.
type Solver struct {
	r       resolved
	stepper stepper
	// cur is the method in use: r.tb, or for Auto (r.tb.Stiff set) the
	// implicit one while the problem is stiff.
	cur *Tableau
	// explicit and implicit are the steppers of Auto; stepper is one of them.
	explicit, implicit stepper
	detect             stiffness
	dim                int
	z                  []float64 // the current state
	zn                 []float64 // the candidate state of an attempt
	e                  []float64 // its local error estimate
	y2, f2             []float64 // the stiffness detector's scratch
	bw                 []float64 // dense-output weights b_s(θ)
	att                Attempt
}

// NewSolver returns a solver with the given settings (nil means the defaults).
// The settings are copied; later changes to s have no effect.
func NewSolver(s *Settings) *Solver {
	r := resolve(s)
	sv := &Solver{r: r, cur: r.tb, dim: -1}
	if r.tb.Implicit() {
		sv.stepper = newImplicitRK(r.tb, r)
		return sv
	}
	sv.explicit = newExplicitRK(r.tb)
	sv.stepper = sv.explicit
	if r.tb.Stiff != nil {
		sv.implicit = newImplicitRK(r.tb.Stiff, r)
	}
	if r.tb.Adaptive() && !r.constant {
		sv.detect = newStiffness(r.tb)
	}
	return sv
}

// Method returns the solver's tableau.
func (s *Solver) Method() *Tableau { return s.r.tb }

// Tolerances returns the resolved relative and absolute tolerances.
func (s *Solver) Tolerances() (rtol, atol float64) { return s.r.rtol, s.r.atol }

// Controller returns the step-size controller the solver uses, with defaults
// filled in: a PI with every field set, or Constant for a fixed-step method.
func (s *Solver) Controller() Controller { return s.r.ctrl }

func (s *Solver) grow(dim int) {
	s.stepper.setup(dim)
	if s.implicit != nil {
		s.implicit.setup(dim)
	}
	if s.dim == dim {
		return
	}
	s.dim = dim
	s.z = make([]float64, dim)
	s.zn = make([]float64, dim)
	s.e = make([]float64, dim)
	s.y2 = make([]float64, dim)
	s.f2 = make([]float64, dim)
	s.bw = make([]float64, s.r.tb.Stages())
}

// run is the state of one solve that lives from one attempt to the next.
type run struct {
	m           dynamics.Dynamics
	theta       []float64
	dst, times  []float64
	rec         Recorder
	jumper      Jumper
	stopper     Stopper
	mrec        MethodRecorder
	brec        BreakpointRecorder
	out         int     // index of the next output time
	stop        int     // index of the next output time a step must end on (≥ out)
	tEnd        float64 // where the current attempt ends: t+h, or exactly an output time or breakpoint
	t, h        float64 // the current time and the proposed signed step
	errPrev     float64 // error norm of the last accepted step
	afterReject bool
	st          Stats
	bps         []float64 // the model's breakpoints (dynamics.Breakpointer), nil if none
	bp          int       // index of the next breakpoint strictly after t
	dir         float64   // +1 forward, −1 backward
	atBP        bool      // the attempt ends on breakpoint bps[bp]
}

// Solve integrates from (t0, z0) through the output times, which must be strictly
// monotone in one direction (forward or backward in time) and may start at t0.
// It writes z(times[k]) into dst[k·dim:(k+1)·dim] and, when rec is not nil,
// reports every attempted step to it. With a dense output (Settings.Land
// false and a tableau with Dense) the steps land on the last output time, on
// breakpoints and on the outputs a Stopper or Jumper marks, and the outputs
// inside a step are interpolated; otherwise steps land exactly on each output
// time.
//
// Failures are errors naming the time reached: ErrMaxSteps, ErrStepUnderflow,
// ErrNonFinite, ErrBadInput, or the model's own StateChecker error. When f is
// not finite at an accepted point (or at t0), a StateChecker is asked first and
// its error, which can say why, is returned instead of ErrNonFinite.
func (s *Solver) Solve(dst []float64, m dynamics.Dynamics, theta []float64, t0 float64, z0 []float64, times []float64, rec Recorder) (Stats, error) {
	st, err := s.solve(dst, m, theta, t0, z0, times, rec)
	if s.dim >= 0 {
		addCounts(&st, s.stepper)
		if s.implicit != nil && s.implicit != s.stepper {
			addCounts(&st, s.implicit)
		}
	}
	return st, err
}

func (s *Solver) solve(dst []float64, m dynamics.Dynamics, theta []float64, t0 float64, z0 []float64, times []float64, rec Recorder) (Stats, error) {
	checkShapes(dst, m, theta, z0, times)
	if err := checkInput(t0, z0, times); err != nil {
		return Stats{}, err
	}
	if s.explicit != nil && s.stepper != s.explicit { // Auto starts explicit
		s.stepper, s.cur = s.explicit, s.r.tb
	}
	s.grow(m.Dim())
	s.detect.reset()
	r := run{m: m, theta: theta, dst: dst, times: times, rec: rec, t: t0, errPrev: 1}
	r.jumper, _ = rec.(Jumper)
	r.brec, _ = rec.(BreakpointRecorder)
	r.stopper, _ = rec.(Stopper)
	if r.mrec, _ = rec.(MethodRecorder); r.mrec != nil {
		r.mrec.RecordMethod(s.cur)
	}
	r.breakpoints(m, t0)
	for r.out < len(times) && times[r.out] == t0 {
		copy(dst[r.out*s.dim:], z0)
		r.out++
	}
	if r.out == len(times) {
		return r.st, nil
	}
	s.nextStop(&r)
	copy(s.z, z0)
	if err := s.start(&r); err != nil {
		return r.st, err
	}
	for attempts := 0; r.out < len(times); attempts++ {
		if attempts >= s.r.maxSteps {
			if s.detect.count > 0 {
				return r.st, fmt.Errorf("%w (%d) at t=%.6g (h=%.2g) before t=%.6g; the problem looks stiff there (h·ρ(J) ≈ %.3g at the stability limit %.3g of %s): use an implicit method ([solver] method = \"kvaerno5\") or method = \"auto\"",
					ErrMaxSteps, s.r.maxSteps, r.t, r.h, times[len(times)-1], s.detect.last, s.detect.bound, s.r.tb.Name)
			}
			return r.st, fmt.Errorf("%w (%d) at t=%.6g (h=%.2g) before t=%.6g; raise max_steps or loosen the tolerances",
				ErrMaxSteps, s.r.maxSteps, r.t, r.h, times[len(times)-1])
		}
		if err := s.attemptOnce(&r); err != nil {
			return r.st, err
		}
	}
	return r.st, nil
}

// start evaluates f at the initial point and chooses the first step: Settings.Step
// when given, Hairer–Nørsett–Wanner's choice for an adaptive controller, else
// 1/100 of the span.
func (s *Solver) start(r *run) error {
	f0, nfe := s.stepper.begin(r.m, r.theta, r.t, s.z)
	r.st.NFE += nfe
	if i := firstNonFinite(f0); i >= 0 {
		if err := checkState(r.m, r.t, s.z, r.theta); err != nil {
			return err
		}
		return fmt.Errorf("%w: f[%d] = %v at t=%.6g (the initial state)", ErrNonFinite, i, f0[i], r.t)
	}
	tEnd := r.times[len(r.times)-1]
	span, dir := math.Abs(tEnd-r.t), 1.0
	if tEnd < r.t {
		dir = -1
	}
	switch {
	case s.r.step > 0:
		r.h = s.r.step
	case !s.r.constant:
		r.h = s.initialStep(r, f0, span, dir)
	default:
		r.h = span / 100
	}
	r.h *= dir
	return nil
}

// attemptOnce tries one step, reports it, asks the controller for the next
// step and, when the attempt is accepted, moves to its end.
func (s *Solver) attemptOnce(r *run) error {
	a, computed, err := s.attempt(r)
	if err != nil {
		return err
	}
	if r.rec != nil {
		r.rec.Record(a)
		if r.atBP && r.brec != nil {
			r.brec.RecordBreakpoint(r.bps[r.bp])
		}
	}
	r.h = s.next(a, r.atBP)
	if !a.Accepted {
		r.st.Rejected++
		r.afterReject = true
		if !computed && s.r.constant {
			return fmt.Errorf("%w at t=%.6g (h=%.2g) with a constant step; let the controller shrink the step (drop the fixed step)", ErrNewton, r.t, a.H)
		}
		return nil
	}
	return s.accept(r, a)
}

// attempt tries a step toward the next output time and fills s.att. It
// reports false when the stepper could not compute the step (an implicit
// method's Newton iteration failed).
func (s *Solver) attempt(r *run) (*Attempt, bool, error) {
	hh, landing, err := s.land(r)
	if err != nil {
		return nil, false, err
	}
	adaptive := s.cur.Adaptive()
	var e []float64
	if adaptive {
		e = s.e
	}
	z, zn := s.z, s.zn
	nfe, ok := s.stepper.try(zn, e, r.m, r.theta, r.t, hh, z)
	r.st.NFE += nfe
	errNorm := 0.0
	if !ok {
		errNorm = math.Inf(1)
	} else if adaptive {
		ne, nz, nzn := e, z, zn
		if c := s.r.normComps; c > 0 && c < len(e) { // Settings.NormComponents
			ne, nz, nzn = e[:c], z[:c], zn[:c]
		}
		errNorm = ErrorNorm(ne, nz, nzn, s.r.rtol, s.r.atol)
		if !finite(errNorm) {
			errNorm = math.Inf(1)
		}
	} else if i := firstNonFinite(zn); i >= 0 {
		return nil, ok, fmt.Errorf("%w: z[%d] = %v at t=%.6g (h=%.2g); try a smaller step", ErrNonFinite, i, zn[i], r.t+hh, hh)
	}
	switch {
	case r.atBP:
		r.tEnd = r.bps[r.bp]
	case landing:
		r.tEnd = r.times[r.stop]
	default:
		r.tEnd = r.t + hh
	}
	k := r.out
	for k < len(r.times) && (r.times[k]-r.tEnd)*r.dir < 0 {
		k++
	}
	oi := -1
	if k < len(r.times) && r.times[k] == r.tEnd {
		oi = k
	}
	s.att = Attempt{T: r.t, H: hh, HProposed: r.h, Landing: oi >= 0, Output: oi, First: r.out, Inside: k - r.out,
		Z: z, ZNew: zn, K: s.stepper.stages(),
		Err: errNorm, ErrPrev: r.errPrev, AfterReject: r.afterReject, Accepted: ok && s.r.ctrl.Accept(errNorm)}
	return &s.att, ok, nil
}

// land is the output-time policy: the proposed step r.h is shortened (or
// stretched by at most 1%) to end exactly on the next stop (the next output
// time, or with dense output the next one that must be landed on, see
// nextStop) when that is within reach. A breakpoint before (or on) that output time comes first: the
// step then ends bpGap before it (see dynamics.Breakpointer), so no stage
// evaluates f on the far side of the jump, and the solve resumes on it. A
// step too small to change t is an underflow.
func (s *Solver) land(r *run) (h float64, landing bool, err error) {
	r.atBP = false
	for r.bp < len(r.bps) && (r.bps[r.bp]-r.dir*bpGap(r.bps[r.bp])-r.t)*r.dir <= 0 {
		r.bp++ // within rounding of t already: nothing to stop for
	}
	if r.bp < len(r.bps) {
		b := r.bps[r.bp]
		if (r.times[r.stop]-b)*r.dir >= 0 {
			end := b - r.dir*bpGap(b)
			if rem := end - r.t; math.Abs(rem) <= 1.01*math.Abs(r.h) && rem*r.dir > 0 {
				r.atBP = true
				return rem, b == r.times[r.stop], nil
			}
		}
	}
	if rem := r.times[r.stop] - r.t; math.Abs(rem) <= 1.01*math.Abs(r.h) {
		return rem, true, nil
	}
	if math.Abs(r.h) > 16*epsilon*math.Max(1, math.Abs(r.t)) {
		return r.h, false, nil
	}
	if r.afterReject {
		if err := s.stepper.explain(r.m, r.theta, r.t, s.z); err != nil {
			return 0, false, fmt.Errorf("%w at t=%.6g (h=%.2g): the steps tried leave the model's domain: %w",
				ErrStepUnderflow, r.t, r.h, err)
		}
	}
	return 0, false, fmt.Errorf("%w at t=%.6g (h=%.2g); the system may be stiff, singular or near a collision",
		ErrStepUnderflow, r.t, r.h)
}

// next is the step to try after attempt a: the controller's choice, except
// after an accepted step that landed on an output time, which resumes with
// the step proposed before it was shortened.
func (s *Solver) next(a *Attempt, atBP bool) float64 {
	if a.Accepted && (a.Landing || atBP) {
		return a.HProposed
	}
	return s.r.ctrl.Next(a, s.cur.ControlOrder())
}

// accept moves the solve to the end of accepted attempt a, checks the new
// state and writes it out when a landed on an output time.
func (s *Solver) accept(r *run, a *Attempt) error {
	r.st.Accepted++
	if a.Inside > 0 {
		s.interpolate(r, a)
	}
	r.t = r.tEnd
	hr := -1.0
	if s.detect.on() && s.stepper == s.explicit && s.detect.pair {
		hr = s.explicit.(*explicitRK).hRho() // from the stages, before advance reuses them
	}
	copy(s.z, s.zn)
	f, nfe := s.stepper.advance(r.m, r.theta, r.t, s.z)
	if s.detect.on() && finite(a.Err) {
		switched, err := s.watchStiffness(r, a, hr, f)
		if err != nil {
			return err
		}
		if switched {
			f, nfe = s.stepper.begin(r.m, r.theta, r.t, s.z)
			r.st.NFE += nfe
		}
	}
	r.st.NFE += nfe
	if r.atBP {
		// The step ended on the left of the jump; f restarts on its right.
		r.bp++
		f, nfe = s.stepper.begin(r.m, r.theta, r.t, s.z)
		r.st.NFE += nfe
	}
	if err := checkState(r.m, r.t, s.z, r.theta); err != nil {
		return err
	}
	if i := firstNonFinite(f); i >= 0 {
		return fmt.Errorf("%w: f[%d] = %v at t=%.6g", ErrNonFinite, i, f[i], r.t)
	}
	if a.Landing {
		s.output(r)
	}
	if r.out > r.stop {
		s.nextStop(r)
	}
	if s.cur.Adaptive() {
		r.errPrev = a.Err
	}
	r.afterReject = false
	return nil
}

// Solve integrates m from (t0, z0) through the output times with settings s (nil
// means the defaults) and returns the states at those times, one row each. It is
// the one-call convenience over Solver.Solve, which reuses its buffers.
func Solve(m dynamics.Dynamics, theta []float64, t0 float64, z0 []float64, times []float64, s *Settings) ([][]float64, Stats, error) {
	dim := m.Dim()
	flat := make([]float64, dim*len(times))
	st, err := NewSolver(s).Solve(flat, m, theta, t0, z0, times, nil)
	if err != nil {
		return nil, st, err
	}
	rows := make([][]float64, len(times))
	for i := range rows {
		rows[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	return rows, st, nil
}

// addCounts moves a stepper's Jacobian, factorization and Newton-failure
// counts into st.
func addCounts(st *Stats, sp stepper) {
	j, f, n := sp.drain()
	st.Jacobians += j
	st.Factorizations += f
	st.NewtonFailures += n
}
