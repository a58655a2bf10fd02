package integrate

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
)

// Attempt describes one attempted step to a Recorder. Its slices are the solver's
// buffers, valid only during the call: a recorder copies what it keeps.
type Attempt struct {
	// T is the start time and H the signed step size actually tried.
	T, H float64
	// HProposed is the step the controller proposed; H differs from it only when
	// the step was shortened (or stretched by at most 1%) to land on an output time.
	HProposed float64
	// Landing is true when the step ends exactly on output time Output.
	Landing bool
	// Output is the index of the output time at T+H when Landing, else −1.
	Output int
	// Z is the state at T and ZNew the proposed state at T+H.
	Z, ZNew []float64
	// K holds the stage derivatives.
	K [][]float64
	// Err is the error norm (0 for fixed-step methods); the step is accepted when Err ≤ 1.
	Err float64
	// ErrPrev is the controller's memory: the error norm of the last accepted step.
	ErrPrev float64
	// AfterReject is true when the previous attempt was rejected.
	AfterReject bool
	// Accepted reports the outcome.
	Accepted bool
}

// Recorder receives every attempted step of a solve, accepted or not. Gradient
// methods use it to keep what their backward pass needs; the solver itself keeps
// nothing.
type Recorder interface {
	Record(a *Attempt)
}

// Jumper is an optional interface of a Recorder: after the solver lands on output
// time k (and has written z there to dst) it calls Jump, which may change z in
// place to restart from a new state, as the adjoint method does when it adds
// ∂L/∂z(t_k). Jump reports whether it changed z. Outputs at t0 itself are not
// passed to Jump.
type Jumper interface {
	Jump(k int, t float64, z []float64) bool
}

// Solver integrates dz/dt = f(t, z, θ) with an explicit Runge–Kutta method and
// owns the workspace for it, so repeated solves of the same dimension allocate
// nothing. A Solver is not safe for concurrent use; use one per goroutine.
type Solver struct {
	r   resolved
	dim int
	k   [][]float64
	z   []float64
	y   []float64
	zn  []float64
	att Attempt
	// lastH is the step of the last attempt, whose stages k[1:] still hold
	// after a rejection.
	lastH float64
}

// NewSolver returns a solver with the given settings (nil means the defaults).
// The settings are copied; later changes to s have no effect.
func NewSolver(s *Settings) *Solver {
	return &Solver{r: resolve(s)}
}

// Method returns the solver's tableau.
func (s *Solver) Method() *Tableau { return s.r.tb }

// Tolerances returns the resolved relative and absolute tolerances.
func (s *Solver) Tolerances() (rtol, atol float64) { return s.r.rtol, s.r.atol }

// Controller returns the resolved step-size controller.
func (s *Solver) Controller() Controller { return s.r.ctrl }

// ErrExponent returns k = q+1 of the controller exponents for the solver's method.
func (s *Solver) ErrExponent() float64 { return s.r.tb.errExponentOrder() }

func (s *Solver) grow(dim int) {
	if s.dim == dim && len(s.k) == s.r.tb.Stages() {
		return
	}
	s.dim = dim
	s.k = make([][]float64, s.r.tb.Stages())
	for i := range s.k {
		s.k[i] = make([]float64, dim)
	}
	s.z = make([]float64, dim)
	s.y = make([]float64, dim)
	s.zn = make([]float64, dim)
}

// ErrorNorm is the RMS over components of e_i / (atol + rtol·max(|z_i|, |zNew_i|)),
// the quantity the controller keeps at or below 1.
func ErrorNorm(e, z, zNew []float64, rtol, atol float64) float64 {
	sum := 0.0
	for i, ei := range e {
		sc := atol + rtol*math.Max(math.Abs(z[i]), math.Abs(zNew[i]))
		r := ei / sc
		sum += r * r
	}
	return math.Sqrt(sum / float64(len(e)))
}

// Solve integrates from (t0, z0) through the output times, which must be strictly
// monotone in one direction (forward or backward in time) and may start at t0.
// It writes z(times[k]) into dst[k·dim:(k+1)·dim] and, when rec is not nil,
// reports every attempted step to it. Steps land exactly on each output time.
//
// Failures are errors naming the time reached: ErrMaxSteps, ErrStepUnderflow,
// ErrNonFinite, ErrBadInput, or the model's own StateChecker error. When f is
// not finite at an accepted point (or at t0), a StateChecker is asked first and
// its error, which can say why, is returned instead of ErrNonFinite.
func (s *Solver) Solve(dst []float64, m dynamics.Dynamics, theta []float64, t0 float64, z0 []float64, times []float64, rec Recorder) (Stats, error) {
	var st Stats
	dim := m.Dim()
	if len(z0) != dim || len(theta) != m.NumParams() || len(dst) != dim*len(times) {
		panic(fmt.Sprintf("integrate: Solve: len(z0)=%d len(theta)=%d len(dst)=%d; want %d, %d, %d",
			len(z0), len(theta), len(dst), dim, m.NumParams(), dim*len(times)))
	}
	if err := checkTimes(t0, times); err != nil {
		return st, err
	}
	for i, v := range z0 {
		if !finite(v) {
			return st, fmt.Errorf("%w: z0[%d] = %v", ErrBadInput, i, v)
		}
	}
	s.grow(dim)
	tb, r := s.r.tb, &s.r
	out := 0
	for out < len(times) && times[out] == t0 {
		copy(dst[out*dim:], z0)
		out++
	}
	if out == len(times) {
		return st, nil
	}
	tEnd := times[len(times)-1]
	dir := 1.0
	if tEnd < t0 {
		dir = -1
	}
	z, k := s.z, s.k
	copy(z, z0)
	t := t0
	m.Func(k[0], t, z, theta)
	st.NFE++
	if i := firstNonFinite(k[0]); i >= 0 {
		if err := checkState(m, t, z, theta); err != nil {
			return st, err
		}
		return st, fmt.Errorf("%w: f[%d] = %v at t=%.6g (the initial state)", ErrNonFinite, i, k[0][i], t)
	}
	adaptive := tb.Adaptive()
	var h float64
	switch {
	case r.step > 0:
		h = r.step
	case adaptive:
		h = s.initialStep(m, theta, t, z, math.Abs(tEnd-t0), dir, &st)
	default:
		h = math.Abs(tEnd-t0) / 100
	}
	h *= dir
	fsal := tb.FSAL()
	errPrev, afterReject := 1.0, false
	a := &s.att
	jumper, _ := rec.(Jumper)
	for attempts := 0; out < len(times); attempts++ {
		if attempts >= r.maxSteps {
			return st, fmt.Errorf("%w (%d) at t=%.6g (h=%.2g) before t=%.6g; raise max_steps or loosen the tolerances",
				ErrMaxSteps, r.maxSteps, t, h, tEnd)
		}
		target := times[out]
		hh, landing := h, false
		if rem := target - t; math.Abs(rem) <= 1.01*math.Abs(h) {
			hh, landing = rem, true
		} else if math.Abs(h) <= 16*epsilon*math.Max(1, math.Abs(t)) {
			if afterReject {
				if err := s.explainReject(m, theta, t, z); err != nil {
					return st, fmt.Errorf("%w at t=%.6g (h=%.2g): the steps tried leave the model's domain: %w",
						ErrStepUnderflow, t, h, err)
				}
			}
			return st, fmt.Errorf("%w at t=%.6g (h=%.2g); the system may be stiff, singular or near a collision",
				ErrStepUnderflow, t, h)
		}
		st.NFE += tb.EvalStages(k, s.y, m, theta, t, hh, z, true)
		zn := s.zn
		Combine(zn, z, hh, tb.B, k)
		errNorm := 0.0
		if adaptive {
			Combine(s.y, nil, hh, tb.BErr, k)
			errNorm = ErrorNorm(s.y, z, zn, r.rtol, r.atol)
			if !finite(errNorm) {
				errNorm = math.Inf(1)
			}
		} else if i := firstNonFinite(zn); i >= 0 {
			return st, fmt.Errorf("%w: z[%d] = %v at t=%.6g (h=%.2g); try a smaller step", ErrNonFinite, i, zn[i], t+hh, hh)
		}
		accepted := errNorm <= 1
		oi := -1
		if landing {
			oi = out
		}
		s.lastH = hh
		*a = Attempt{T: t, H: hh, HProposed: h, Landing: landing, Output: oi, Z: z, ZNew: zn, K: k,
			Err: errNorm, ErrPrev: errPrev, AfterReject: afterReject, Accepted: accepted}
		if rec != nil {
			rec.Record(a)
		}
		h, _, _, _, _ = s.NextStep(a)
		if !accepted {
			st.Rejected++
			afterReject = true
			continue
		}
		st.Accepted++
		if landing {
			t = target
		} else {
			t += hh
		}
		copy(z, zn)
		if fsal {
			k[0], k[len(k)-1] = k[len(k)-1], k[0]
		} else {
			m.Func(k[0], t, z, theta)
			st.NFE++
		}
		if err := checkState(m, t, z, theta); err != nil {
			return st, err
		}
		if i := firstNonFinite(k[0]); i >= 0 {
			return st, fmt.Errorf("%w: f[%d] = %v at t=%.6g", ErrNonFinite, i, k[0][i], t)
		}
		if landing {
			copy(dst[out*dim:(out+1)*dim], z)
			if jumper != nil && jumper.Jump(out, t, z) {
				m.Func(k[0], t, z, theta)
				st.NFE++
			}
			out++
		}
		if adaptive {
			errPrev = errNorm
		}
		afterReject = false
	}
	return st, nil
}

// NextStep is the step the solver proposes after attempt a, given the solver's
// controller: the rule Solve follows, exposed so that methods differentiating
// through the controller use the same one. The second result is the factor's
// derivative with respect to a.Err and the third with respect to a.ErrPrev, both
// scaled by a.H (so dh/dErr and dh/dErrPrev); the fourth is dh/dH and the fifth
// dh/dHProposed.
func (s *Solver) NextStep(a *Attempt) (h, dErr, dPrev, dH, dHProp float64) {
	if !s.r.tb.Adaptive() || (a.Accepted && a.Landing) {
		return a.HProposed, 0, 0, 0, 1
	}
	f, de, dp := s.r.ctrl.Factor(a.Err, a.ErrPrev, s.r.tb.errExponentOrder(), a.AfterReject)
	return a.H * f, a.H * de, a.H * dp, f, 0
}

// checkState returns the model's own verdict on (t, z) when it implements
// dynamics.StateChecker. Solve asks it before reporting a non-finite f, so that
// a model that knows why f failed (an expression's log of a negative value, a
// close encounter of two bodies) names the cause instead of "f[i] = NaN".
func checkState(m dynamics.Dynamics, t float64, z, theta []float64) error {
	if c, ok := m.(dynamics.StateChecker); ok {
		return c.CheckState(t, z, theta)
	}
	return nil
}

// explainReject asks the model's StateChecker about the first stage of the
// last (rejected) attempt from (t, z) whose derivative was not finite. A
// solution that runs into the edge of the model's domain (an expression's
// sqrt of a state that reaches zero) makes every trial step past the edge
// fail, so the steps shrink until they underflow; the checker can then say
// what fails there instead of leaving "the system may be stiff".
func (s *Solver) explainReject(m dynamics.Dynamics, theta []float64, t float64, z []float64) error {
	if _, ok := m.(dynamics.StateChecker); !ok {
		return nil
	}
	tb, h := s.r.tb, s.lastH
	for st := 1; st < len(tb.C); st++ {
		if firstNonFinite(s.k[st]) < 0 {
			continue
		}
		Combine(s.y, z, h, tb.A[st], s.k) // the stage's state, as EvalStages made it
		return checkState(m, t+tb.C[st]*h, s.y, theta)
	}
	return nil
}

const epsilon = 2.220446049250313e-16

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func firstNonFinite(x []float64) int {
	for i, v := range x {
		if !finite(v) {
			return i
		}
	}
	return -1
}

func checkTimes(t0 float64, times []float64) error {
	if !finite(t0) {
		return fmt.Errorf("%w: t0 = %v", ErrBadInput, t0)
	}
	if len(times) == 0 {
		return fmt.Errorf("%w: no output times", ErrBadInput)
	}
	dir := 0.0
	prev := t0
	for i, ti := range times {
		if !finite(ti) {
			return fmt.Errorf("%w: times[%d] = %v", ErrBadInput, i, ti)
		}
		d := ti - prev
		if i == 0 && d == 0 {
			continue
		}
		if d == 0 || (dir != 0 && d*dir < 0) {
			return fmt.Errorf("%w: times[%d] = %g after %g; output times must be strictly monotone", ErrBadInput, i, ti, prev)
		}
		if dir == 0 {
			dir = math.Copysign(1, d)
		}
		prev = ti
	}
	return nil
}

// initialStep chooses the first step by Hairer, Nørsett & Wanner, Solving ODEs I,
// II.4: a step that keeps an Euler step's error near the tolerance, from the
// norms of z0, f(z0) and a finite-difference estimate of the second derivative. It costs one
// evaluation of f and uses k[1] and the y buffer as scratch.
func (s *Solver) initialStep(m dynamics.Dynamics, theta []float64, t float64, z []float64, span, dir float64, st *Stats) float64 {
	r := &s.r
	f0, y, f1 := s.k[0], s.y, s.zn
	if len(s.k) > 1 {
		f1 = s.k[1]
	}
	var d0, d1 float64
	for i := range z {
		sc := r.atol + r.rtol*math.Abs(z[i])
		d0 += (z[i] / sc) * (z[i] / sc)
		d1 += (f0[i] / sc) * (f0[i] / sc)
	}
	n := float64(len(z))
	d0, d1 = math.Sqrt(d0/n), math.Sqrt(d1/n)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, span)
	for i := range z {
		y[i] = z[i] + dir*h0*f0[i]
	}
	m.Func(f1, t+dir*h0, y, theta)
	st.NFE++
	d2 := 0.0
	for i := range z {
		sc := r.atol + r.rtol*math.Abs(z[i])
		v := (f1[i] - f0[i]) / sc
		d2 += v * v
	}
	d2 = math.Sqrt(d2/n) / h0
	var h1 float64
	if dm := math.Max(d1, d2); dm <= 1e-15 || !finite(dm) {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/dm, 1/float64(r.tb.Order+1))
	}
	return math.Min(math.Min(100*h0, h1), span)
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
