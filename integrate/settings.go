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
)

// Settings configures a solve. The zero value (or nil) is Dopri5 with rtol 1e-6,
// atol 1e-9 and an automatic initial step.
type Settings struct {
	// Method is the Runge–Kutta tableau; nil means Dopri5.
	Method *Tableau
	// RTol and ATol are the relative and absolute tolerances of adaptive methods;
	// 0 means 1e-6 and 1e-9. Fixed-step methods ignore them.
	RTol, ATol float64
	// Step is the step size of a fixed-step method (0 means 1/100 of the span) or
	// the initial step of an adaptive one (0 means Hairer–Nørsett–Wanner's
	// automatic choice). Its sign is ignored: the direction comes from the times.
	Step float64
	// MaxSteps bounds the number of attempted steps; 0 means 100000.
	MaxSteps int
	// Controller is the step-size controller of adaptive methods; the zero value
	// means the defaults documented on Controller.
	Controller Controller
}

// Controller is a PI step-size controller (Hairer & Wanner, Solving ODEs II, IV.2;
// Gustafsson 1991). After a step with error norm err (≤ 1 accepted) it scales h by
//
//	accepted: clamp(Safety · err^(−Alpha/k) · errPrev^(Beta/k), MinFactor, MaxFactor)
//	rejected: clamp(Safety · err^(−1/k), MinFactor, 1)
//
// where k = q+1 with q the lower of the pair's orders and errPrev the error norm of
// the last accepted step (1 before the first). After a rejection the next accepted
// step does not grow h.
type Controller struct {
	// Safety is the safety factor; 0 means 0.9.
	Safety float64
	// MinFactor and MaxFactor bound the change of h per step; 0 means 0.2 and 10.
	MinFactor, MaxFactor float64
	// Alpha is the integral gain; 0 means 0.7.
	Alpha float64
	// Beta is the proportional gain; 0 means 0.4, a negative value means 0
	// (plain integral control).
	Beta float64
}

// errFloor keeps err^(−α) finite for a step with zero estimated error, and
// errPrevFloor keeps one very accurate step from inflating the next (Hairer's 1e-4).
const (
	errFloor     = 1e-10
	errPrevFloor = 1e-4
)

// resolved returns a copy with defaults filled in.
func (c Controller) resolved() Controller {
	if c.Safety == 0 {
		c.Safety = 0.9
	}
	if c.MinFactor == 0 {
		c.MinFactor = 0.2
	}
	if c.MaxFactor == 0 {
		c.MaxFactor = 10
	}
	if c.Alpha == 0 {
		c.Alpha = 0.7
	}
	if c.Beta == 0 {
		c.Beta = 0.4
	} else if c.Beta < 0 {
		c.Beta = 0
	}
	return c
}

// Factor returns the factor by which the controller scales h after an attempt with
// error norm err, together with its partial derivatives with respect to err and
// errPrev (zero where the factor is clamped). k is q+1 (see Controller);
// afterReject is true when the previous attempt was rejected. The zero Controller
// uses the defaults. Reverse-mode methods that differentiate through the
// controller use the partials.
func (c Controller) Factor(err, errPrev, k float64, afterReject bool) (f, dErr, dPrev float64) {
	c = c.resolved()
	e := math.Max(err, errFloor)
	if err > 1 {
		f = c.Safety * math.Pow(e, -1/k)
		dErr = -f / (k * e)
		if f < c.MinFactor {
			return c.MinFactor, 0, 0
		}
		if f > 1 {
			return 1, 0, 0
		}
		return f, dErr, 0
	}
	p := math.Max(errPrev, errPrevFloor)
	f = c.Safety * math.Pow(e, -c.Alpha/k) * math.Pow(p, c.Beta/k)
	dErr, dPrev = -c.Alpha*f/(k*e), c.Beta*f/(k*p)
	if err < errFloor {
		dErr = 0
	}
	if errPrev < errPrevFloor {
		dPrev = 0
	}
	hi := c.MaxFactor
	if afterReject {
		hi = 1
	}
	switch {
	case f < c.MinFactor:
		return c.MinFactor, 0, 0
	case f > hi:
		return hi, 0, 0
	}
	return f, dErr, dPrev
}

// resolved is Settings with every default filled in.
type resolved struct {
	tb         *Tableau
	rtol, atol float64
	step       float64
	maxSteps   int
	ctrl       Controller
}

func resolve(s *Settings) resolved {
	var r resolved
	if s != nil {
		r = resolved{tb: s.Method, rtol: s.RTol, atol: s.ATol, step: math.Abs(s.Step), maxSteps: s.MaxSteps, ctrl: s.Controller}
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
	r.ctrl = r.ctrl.resolved()
	return r
}

// Stats counts the work of a solve.
type Stats struct {
	// NFE is the number of evaluations of f.
	NFE int
	// Accepted and Rejected count attempted steps by outcome.
	Accepted, Rejected int
}

// Add accumulates o into s.
func (s *Stats) Add(o Stats) {
	s.NFE += o.NFE
	s.Accepted += o.Accepted
	s.Rejected += o.Rejected
}
