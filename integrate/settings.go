package integrate

import (
	"errors"
	"math"
)

// Errors a solve can end with. Each is wrapped with the time reached and the step
// size; branch with errors.Is.
var (
	// ErrMaxSteps means the solver took Settings.MaxSteps attempts without reaching the end.
	ErrMaxSteps = errors.New("integrate: maximum number of steps reached")
	// ErrStepUnderflow means the step size fell below the resolution of t.
	ErrStepUnderflow = errors.New("integrate: step size underflow")
	// ErrNonFinite means the state or its derivative became NaN or infinite.
	ErrNonFinite = errors.New("integrate: non-finite state")
	// ErrBadInput means the call itself was malformed (times not monotone, NaN input).
	ErrBadInput = errors.New("integrate: bad input")
	// ErrStiff means an explicit method detected that the problem is stiff:
	// its steps are held at the edge of its stability region, far below what
	// the tolerances need. An implicit method (Kvaerno5) or Auto solves it.
	ErrStiff = errors.New("integrate: the problem looks stiff")
	// ErrNewton means an implicit method's Newton iteration failed on a step
	// that could not be shrunk (a constant step).
	ErrNewton = errors.New("integrate: Newton iteration failed")
)

// Settings configures a solve. The zero value (or nil) is Dopri5 with rtol 1e-6,
// atol 1e-9 and an automatic initial step.
type Settings struct {
	// Method is the Runge–Kutta tableau; nil means Dopri5.
	Method *Tableau
	// RTol and ATol are the relative and absolute tolerances of adaptive methods;
	// 0 means 1e-6 and 1e-9. Fixed-step methods ignore them.
	RTol, ATol float64
	// Step is the step size of constant stepping, a fixed-step method or the
	// Constant controller (0 means 1/100 of the span), or the initial step of
	// an adaptive controller (0 means Hairer–Nørsett–Wanner's automatic
	// choice). Its sign is ignored: the direction comes from the times.
	Step float64
	// MaxSteps bounds the number of attempted steps; 0 means 100000.
	MaxSteps int
	// Controller chooses the step sizes of adaptive methods; nil means PI{}.
	// Fixed-step methods (no error estimate) always step with Constant{}, and
	// Constant{} steps an adaptive tableau with a fixed h.
	Controller Controller
	// NormComponents, when positive, limits the error norm to the first
	// NormComponents components of the state: the rest are still integrated
	// with the same steps but do not choose them. It is for quadratures
	// appended to a system (components that f never reads, such as the
	// parameter adjoint g of the adjoint method, CVODES' errconQ = false),
	// whose error then follows from the steps of the others. 0 (or a value not
	// below the dimension) means every component.
	NormComponents int
	// NewtonTol is κ, the convergence tolerance of the Newton iteration of
	// implicit methods in error-norm units (the estimated distance of a stage
	// from its solution, relative to atol + rtol·|z|); 0 means RADAU5's
	// min(0.03, √rtol), 1e-3 at the default rtol 1e-6. Values below
	// 10·ε/rtol, the rounding of the stages, mean 10·ε/rtol.
	NewtonTol float64
	// Land makes every step end exactly on each output time, the output
	// then being a step-end value. false (the default) lets error control
	// alone choose the steps for methods with a dense output (Tableau.Dense:
	// Dopri5, Tsit5, rk23): the solver lands only on the last output time,
	// on breakpoints and on the outputs a Stopper marks, and interpolates the
	// outputs inside a step. Methods without one (euler, rk2, rk4, heuneuler,
	// rk45, the implicit Kvaerno methods and auto) always land. Landing is
	// more accurate per output when the outputs are sparse: the interpolant
	// is one order below the method (4 for Dopri5 and Tsit5), so at loose
	// tolerances an interpolated output can carry a larger error than a
	// step-end value; with many outputs per natural step, landing costs
	// steps (and gains accuracy from the extra steps).
	Land bool
}

// resolved is Settings with every default filled in.
type resolved struct {
	tb         *Tableau
	rtol, atol float64
	step       float64
	maxSteps   int
	normComps  int
	ctrl       Controller
	newtonTol  float64
	// dense is true when outputs inside a step are interpolated (the method
	// has a dense output and Land is false).
	dense bool
	// constant is true when ctrl is Constant: the step is then fixed and a
	// zero Step means 1/100 of the span instead of the automatic choice.
	constant bool
}

func resolve(s *Settings) resolved {
	var r resolved
	if s != nil {
		r = resolved{tb: s.Method, rtol: s.RTol, atol: s.ATol, step: math.Abs(s.Step), maxSteps: s.MaxSteps, normComps: s.NormComponents, ctrl: s.Controller, newtonTol: s.NewtonTol}
	}
	if r.tb == nil {
		r.tb = Dopri5
	}
	if r.rtol == 0 {
		r.rtol = 1e-6
	}
	if r.atol == 0 {
		r.atol = 1e-9
	}
	if r.maxSteps == 0 {
		r.maxSteps = 100000
	}
	switch c := r.ctrl.(type) {
	case nil:
		r.ctrl = PI{}.WithDefaults()
	case PI:
		r.ctrl = c.WithDefaults()
	}
	if !r.tb.Adaptive() {
		r.ctrl = Constant{}
	}
	_, r.constant = r.ctrl.(Constant)
	r.dense = (s == nil || !s.Land) && r.tb.HasDense() && !r.tb.Implicit() && r.tb.Stiff == nil
	return r
}

// Stats counts the work of a solve.
type Stats struct {
	// NFE is the number of evaluations of f.
	NFE int
	// Accepted and Rejected count attempted steps by outcome.
	Accepted, Rejected int
	// Jacobians counts evaluations of ∂f/∂z (implicit methods; each is Dim()
	// JVPs, counted in NFE, unless the model implements dynamics.Jacobian),
	// Factorizations the LU factorizations of I − hγJ, and NewtonFailures the
	// attempts whose Newton iteration failed (they count as rejected).
	Jacobians, Factorizations, NewtonFailures int
	// StiffSteps counts the accepted steps that Auto took with its implicit method.
	StiffSteps int
	// StiffnessNFE counts the evaluations of f by the stiffness detector of
	// explicit methods without Hairer's stage pair (all but Dopri5 and Auto):
	// one per 100 accepted steps while the problem looks non-stiff. They are
	// not in NFE, which counts the method's own work.
	StiffnessNFE int
}

// Add accumulates o into s.
func (s *Stats) Add(o Stats) {
	s.NFE += o.NFE
	s.Accepted += o.Accepted
	s.Rejected += o.Rejected
	s.Jacobians += o.Jacobians
	s.Factorizations += o.Factorizations
	s.NewtonFailures += o.NewtonFailures
	s.StiffSteps += o.StiffSteps
	s.StiffnessNFE += o.StiffnessNFE
}
