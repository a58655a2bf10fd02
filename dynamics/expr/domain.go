package expr

import "math"

// problem is a kind of domain error.
type problem uint8

const (
	probNone problem = iota
	probLog
	probSqrt
	probDivZero
	probPowNeg
	probPowZero
	probNonFinite
)

var problemText = [...]string{
	probLog:       "log of non-positive value",
	probSqrt:      "sqrt of negative value",
	probDivZero:   "division by zero",
	probPowNeg:    "negative base raised to a non-integer power",
	probPowZero:   "zero raised to a negative power",
	probNonFinite: "non-finite value",
}

// event is one recorded domain error. It is a plain value so that recording it
// allocates nothing.
type event struct {
	what  problem
	eq    int32
	deriv bool
	t     float64
}

// record keeps e as the pending event unless one is pending (CheckState then
// judges the first), and as the last event unless one at the same time is
// already kept: the first problem at a time explains the others (a log of −1
// is what makes f NaN), while a later time means a later attempt.
func (m *Model) record(e event) {
	if m.ev.what == probNone {
		m.ev = e
	}
	if m.last.what == probNone || m.last.t != e.t {
		m.last = e
	}
}

// flag records a domain error of instruction k of p.
//
//go:noinline
func (m *Model) flag(p *program, k int, what problem, t float64) {
	m.record(event{what: what, eq: max(p.owner[k], 0), deriv: p.deriv[k], t: t})
}

// flagNonFinite records the first non-finite component of f.
//
//go:noinline
func (m *Model) flagNonFinite(f []float64, t float64) {
	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			m.record(event{what: probNonFinite, eq: int32(i), t: t})
			return
		}
	}
}

// CheckState returns a *DomainError (wrapping ErrDomain) when f is outside its
// domain at (t, z, θ): a log of a non-positive value, a square root of a
// negative one, a division by zero, a negative base to a non-integer power, or
// a non-finite component. It costs nothing while no evaluation since the last
// check has recorded a domain error. When one has, CheckState evaluates f at
// (t, z, θ), because the error may come from a trial step that the solver has
// since rejected: only a failure at the accepted point is reported.
func (m *Model) CheckState(t float64, z, theta []float64) error {
	if m.ev.what == probNone {
		return nil
	}
	m.ev = event{}
	m.Func(m.fbuf, t, z, theta)
	if m.ev.what == probNone {
		return nil
	}
	return m.ev.err(m.c)
}

// Err returns the latest domain error that Func, JVP or VJP recorded (the
// first of those at its time t) as a *DomainError, or nil if there was none
// since the model was made or Reset. It explains a failed solve even when the solver never got to call
// CheckState: a step size that underflowed at the edge of log's domain, or a
// non-finite f the solver caught itself.
func (m *Model) Err() error {
	if m.last.what == probNone {
		return nil
	}
	return m.last.err(m.c)
}

// Reset forgets every recorded domain error.
func (m *Model) Reset() { m.ev, m.last = event{}, event{} }

func (e event) err(c *compiled) error {
	return &DomainError{Equation: c.states[e.eq], Index: int(e.eq), T: e.t,
		Problem: problemText[e.what], Derivative: e.deriv}
}
