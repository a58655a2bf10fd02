package integrate

import "math"

// Controller is a step-size controller: it decides whether the solver keeps an
// attempted step and which step it tries next. Controllers are values that hold
// no state of their own; what they remember between steps (the error norm of
// the last accepted step, whether the last attempt was rejected) travels in the
// Attempt, so one value can serve any number of solvers.
//
// The solver asks Next after every attempt except an accepted one that was
// shortened to land on an output time: it then resumes with a.HProposed, the
// step proposed before the shortening (see the package doc).
type Controller interface {
	// Accept reports whether the solver keeps an attempt with error norm err
	// (0 for a method without an error estimate).
	Accept(err float64) bool
	// Next returns the signed step size to try after attempt a. q is the order
	// of the method's error estimate, min(Order, ErrOrder) (Tableau.ControlOrder).
	Next(a *Attempt, q int) float64
}

// PI is the PI step-size controller of adaptive methods (Gustafsson 1991;
// Hairer & Wanner, Solving ODEs II, IV.2). After an attempt with error norm
// err it scales h by
//
//	accepted (err ≤ 1): clamp(Safety · e^(−Alpha/k) · p^(Beta/k), MinFactor, MaxFactor)
//	rejected (err > 1): clamp(Safety · e^(−1/k), MinFactor, 1)
//
// where k = q+1 with q the lower of the pair's orders, e = max(err, 1e-10)
// keeps a step with zero estimated error finite, and p = max(errPrev, 1e-4) is
// the error norm of the last accepted step (1 before the first), floored so
// that one very accurate step does not inflate the next (Hairer's 1e-4). After
// a rejection the next accepted step does not grow h (its upper clamp is 1).
// The zero value is the default controller.
type PI struct {
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

var (
	_ Controller = PI{}
	_ Controller = Constant{}
)

// PI's floors of the error norms (see PI).
const (
	errFloor     = 1e-10
	errPrevFloor = 1e-4
)

// WithDefaults returns a copy with every zero field replaced by its default.
// A negative Beta stays negative (it means 0), so WithDefaults is idempotent.
func (c PI) WithDefaults() PI {
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
	}
	return c
}

// Accept keeps an attempt whose error norm is at most 1.
func (PI) Accept(err float64) bool { return err <= 1 }

// Next returns a.H scaled by Factor.
func (c PI) Next(a *Attempt, q int) float64 {
	return a.H * c.Factor(a.Err, a.ErrPrev, q, a.AfterReject)
}

// Factor is the factor by which the controller scales h after an attempt with
// error norm err, given the error norm errPrev of the last accepted step, the
// order q of the error estimate and whether the previous attempt was rejected.
func (c PI) Factor(err, errPrev float64, q int, afterReject bool) float64 {
	c = c.WithDefaults()
	k := float64(q + 1)
	e := math.Max(err, errFloor)
	if err > 1 {
		return clamp(c.Safety*math.Pow(e, -1/k), c.MinFactor, 1)
	}
	p := math.Max(errPrev, errPrevFloor)
	f := c.Safety * math.Pow(e, -c.Alpha/k) * math.Pow(p, math.Max(c.Beta, 0)/k)
	hi := c.MaxFactor
	if afterReject {
		hi = 1
	}
	return clamp(f, c.MinFactor, hi)
}

// clamp limits f to [lo, hi].
func clamp(f, lo, hi float64) float64 {
	switch {
	case f < lo:
		return lo
	case f > hi:
		return hi
	}
	return f
}

// Constant keeps every attempt and never changes the step: the controller of
// fixed-step methods, and a way to step an adaptive tableau with a fixed h
// (its error estimate is then computed but ignored).
type Constant struct{}

// Accept keeps every attempt.
func (Constant) Accept(float64) bool { return true }

// Next returns the step proposed before the attempt.
func (Constant) Next(a *Attempt, _ int) float64 { return a.HProposed }

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
