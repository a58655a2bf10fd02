package aca

import (
	"fmt"
	"math"

	"github.com/physid/physid/integrate"
)

// DifferentiableController is a step-size controller whose next step Naive can
// differentiate. aca supplies the derivatives of integrate.PI and
// integrate.Constant itself; a custom integrate.Controller implements this to
// be used with Naive.
type DifferentiableController interface {
	integrate.Controller
	// NextPartials returns Next(a, q) and its partial derivatives with respect
	// to a.Err, a.ErrPrev, a.H and a.HProposed.
	NextPartials(a *integrate.Attempt, q int) (h, dErr, dPrev, dH, dHProposed float64)
}

// stepRule is the solver's rule for the step after an attempt together with
// its partials: the controller's choice, except after an accepted step that
// landed on an output time or was cut short by a breakpoint, which resumes
// with a.HProposed (the output-time and breakpoint policy of integrate).
type stepRule struct {
	c DifferentiableController
	q int
}

func newStepRule(s *integrate.Solver) (stepRule, error) {
	r := stepRule{q: s.Method().ControlOrder()}
	switch c := s.Controller().(type) {
	case DifferentiableController:
		r.c = c
	case integrate.PI:
		r.c = piPartials{c.WithDefaults()}
	case integrate.Constant:
		r.c = constantPartials{c}
	default:
		return r, fmt.Errorf("aca: naive: the step-size controller %T has no derivative (implement aca.DifferentiableController)", c)
	}
	return r, nil
}

func (r stepRule) partials(a *integrate.Attempt, atBreakpoint bool) (h, dErr, dPrev, dH, dHProposed float64) {
	if a.Accepted && (a.Landing || atBreakpoint) {
		return a.HProposed, 0, 0, 0, 1
	}
	return r.c.NextPartials(a, r.q)
}

// constantPartials: the next step is a.HProposed.
type constantPartials struct{ integrate.Constant }

func (constantPartials) NextPartials(a *integrate.Attempt, _ int) (h, dErr, dPrev, dH, dHProposed float64) {
	return a.HProposed, 0, 0, 0, 1
}

// piPartials differentiates the PI controller's formula as integrate.PI
// documents it: h' = H·f with, for k = q+1, e = max(err, 1e-10) and
// p = max(errPrev, 1e-4),
//
//	rejected (err > 1): f = Safety·e^(−1/k),                   ∂f/∂err = −f/(k·e)
//	accepted:           f = Safety·e^(−Alpha/k)·p^(Beta/k),   ∂f/∂err = −Alpha·f/(k·e), ∂f/∂errPrev = Beta·f/(k·p)
//
// and zero partials where f is clamped or an error norm is floored. So that the
// value matches the solver's bit for bit it is integrate.PI's, and a test
// checks that the unclamped formula here reproduces it.
type piPartials struct{ integrate.PI } // with defaults filled in

// PI's floors of the error norms, as integrate.PI documents them.
const (
	piErrFloor     = 1e-10
	piErrPrevFloor = 1e-4
)

func (c piPartials) NextPartials(a *integrate.Attempt, q int) (h, dErr, dPrev, dH, dHProposed float64) {
	f, de, dp := c.factor(a.Err, a.ErrPrev, q, a.AfterReject)
	return a.H * f, a.H * de, a.H * dp, f, 0
}

// factor returns the PI factor and its partials with respect to err and errPrev.
func (c piPartials) factor(err, errPrev float64, q int, afterReject bool) (f, dErr, dPrev float64) {
	k := float64(q + 1)
	e := math.Max(err, piErrFloor)
	f = c.Factor(err, errPrev, q, afterReject)
	if err > 1 {
		raw := c.Safety * math.Pow(e, -1/k)
		if raw < c.MinFactor || raw > 1 {
			return f, 0, 0
		}
		return f, -f / (k * e), 0
	}
	p := math.Max(errPrev, piErrPrevFloor)
	beta := math.Max(c.Beta, 0)
	raw := c.Safety * math.Pow(e, -c.Alpha/k) * math.Pow(p, beta/k)
	hi := c.MaxFactor
	if afterReject {
		hi = 1
	}
	if raw < c.MinFactor || raw > hi {
		return f, 0, 0
	}
	dErr, dPrev = -c.Alpha*f/(k*e), beta*f/(k*p)
	if err < piErrFloor {
		dErr = 0
	}
	if errPrev < piErrPrevFloor {
		dPrev = 0
	}
	return f, dErr, dPrev
}
