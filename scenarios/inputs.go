package scenarios

import (
	"fmt"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/identify"
)

// inputModel is an expression model whose equations use measured inputs:
// the compiled model takes the inputs as extra trailing parameters, and
// Func, JVP and VJP fill them from the signals at t. The inputs' own
// derivatives are dropped (they are data). With no signals bound (the
// scenario's Model before any experiment) an input reads as 0.
type inputModel struct {
	inner   *expr.Model
	np      int // the declared parameters
	inputs  []string
	signals []*dynamics.Signal
	bps     []float64
	buf     []float64 // θ followed by u(t)
	vbuf    []float64 // vθ followed by zeros
	dbuf    []float64 // dθ scratch
}

var (
	_ dynamics.Dynamics     = (*inputModel)(nil)
	_ dynamics.Breakpointer = (*inputModel)(nil)
	_ dynamics.Cloner       = (*inputModel)(nil)
	_ dynamics.StateChecker = (*inputModel)(nil)
	_ dynamics.Named        = (*inputModel)(nil)
)

func newInputModel(inner *expr.Model, np int, inputs []string, signals []*dynamics.Signal) *inputModel {
	m := &inputModel{inner: inner, np: np, inputs: inputs, signals: signals}
	n := np + len(inputs)
	m.buf, m.vbuf, m.dbuf = make([]float64, n), make([]float64, n), make([]float64, n)
	var lists [][]float64
	for _, s := range signals {
		lists = append(lists, s.Breakpoints())
	}
	m.bps = dynamics.MergeBreakpoints(lists...)
	return m
}

func (m *inputModel) Dim() int       { return m.inner.Dim() }
func (m *inputModel) NumParams() int { return m.np }

func (m *inputModel) load(t float64, theta []float64) []float64 {
	copy(m.buf, theta)
	for i := range m.inputs {
		v := 0.0
		if m.signals != nil {
			v = m.signals[i].At(t)
		}
		m.buf[m.np+i] = v
	}
	return m.buf
}

// Func writes f(t, z, θ, u(t)).
func (m *inputModel) Func(dst []float64, t float64, z, theta []float64) {
	m.inner.Func(dst, t, z, m.load(t, theta))
}

// JVP writes ∂f/∂z·vz + ∂f/∂θ·vθ at u(t).
func (m *inputModel) JVP(dst []float64, t float64, z, theta, vz, vtheta []float64) {
	var vt []float64
	if vtheta != nil {
		copy(m.vbuf, vtheta)
		vt = m.vbuf
	}
	m.inner.JVP(dst, t, z, m.load(t, theta), vz, vt)
}

// VJP adds uᵀ∂f/∂z and uᵀ∂f/∂θ at u(t).
func (m *inputModel) VJP(dz, dtheta []float64, t float64, z, theta, u []float64) {
	if dtheta == nil {
		m.inner.VJP(dz, nil, t, z, m.load(t, theta), u)
		return
	}
	clear(m.dbuf)
	m.inner.VJP(dz, m.dbuf, t, z, m.load(t, theta), u)
	for i := range m.np {
		dtheta[i] += m.dbuf[i]
	}
}

// Breakpoints returns the sample times of the hold inputs.
func (m *inputModel) Breakpoints() []float64 { return m.bps }

// CheckState reports an input needed outside its data, then the
// expression's own domain errors.
func (m *inputModel) CheckState(t float64, z, theta []float64) error {
	for _, s := range m.signals {
		if err := s.Check(t); err != nil {
			return err
		}
	}
	return m.inner.CheckState(t, z, m.load(t, theta))
}

// Err is the expression's latest domain error.
func (m *inputModel) Err() error { return m.inner.Err() }

// Clone copies the workspace and the signals' lookup positions.
func (m *inputModel) Clone() dynamics.Dynamics {
	var sig []*dynamics.Signal
	for _, s := range m.signals {
		sig = append(sig, s.Clone())
	}
	c := newInputModel(m.inner.Clone().(*expr.Model), m.np, m.inputs, sig)
	return c
}

func (m *inputModel) StateNames() []string { return m.inner.StateNames() }
func (m *inputModel) ParamNames() []string { return m.inner.ParamNames()[:m.np] }

// exprObservation computes observables written as expressions of the
// states, the parameters, the inputs and t. It is compiled by dynamics/expr
// as a "model" whose states are the observables (unused) and whose
// parameters are [states, model parameters, inputs]: Func gives every h at
// once and VJP its exact derivatives, min and max included.
type exprObservation struct {
	m       *expr.Model
	n, np   int
	theta   []int // model parameter i is p[theta[i]] (nil: identity)
	signals []*dynamics.Signal
	nin     int
	buf     []float64
	dbuf    []float64
	dummy   []float64
}

func newExprObservation(m *expr.Model, n, np int, theta []int, signals []*dynamics.Signal, nin int) *exprObservation {
	k := n + np + nin
	return &exprObservation{m: m, n: n, np: np, theta: theta, signals: signals, nin: nin,
		buf: make([]float64, k), dbuf: make([]float64, k), dummy: make([]float64, m.Dim())}
}

func (o *exprObservation) Len() int { return o.m.Dim() }

func (o *exprObservation) load(t float64, z, p []float64) []float64 {
	copy(o.buf, z)
	for i := range o.np {
		j := i
		if o.theta != nil {
			j = o.theta[i]
		}
		o.buf[o.n+i] = p[j]
	}
	for i := range o.nin {
		v := 0.0
		if o.signals != nil {
			v = o.signals[i].At(t)
		}
		o.buf[o.n+o.np+i] = v
	}
	return o.buf
}

func (o *exprObservation) Eval(dst []float64, t float64, z, p []float64) {
	o.m.Func(dst, t, o.dummy, o.load(t, z, p))
}

func (o *exprObservation) VJP(dz, dp []float64, t float64, z, p, w []float64) {
	clear(o.dbuf)
	o.m.VJP(o.dummy, o.dbuf, t, o.dummy, o.load(t, z, p), w)
	for i := range o.n {
		dz[i] += o.dbuf[i]
	}
	for i := range o.np {
		j := i
		if o.theta != nil {
			j = o.theta[i]
		}
		dp[j] += o.dbuf[o.n+i]
	}
}

func (o *exprObservation) Clone() identify.Observation {
	var sig []*dynamics.Signal
	for _, s := range o.signals {
		sig = append(sig, s.Clone())
	}
	return newExprObservation(o.m.Clone().(*expr.Model), o.n, o.np, o.theta, sig, o.nin)
}

// exprZ0 is an initial state whose entries are expressions of the model's
// parameters and constants, compiled like exprObservation (states: the z0
// entries, unused; parameters: the model's).
type exprZ0 struct {
	m     *expr.Model
	np    int
	theta []int
	buf   []float64
	dbuf  []float64
	unit  []float64
	dummy []float64
}

func newExprZ0(m *expr.Model, np int, theta []int) *exprZ0 {
	return &exprZ0{m: m, np: np, theta: theta, buf: make([]float64, np), dbuf: make([]float64, np),
		unit: make([]float64, m.Dim()), dummy: make([]float64, m.Dim())}
}

// Clone gives a goroutine its own workspace.
func (z *exprZ0) Clone() identify.InitialState {
	return newExprZ0(z.m.Clone().(*expr.Model), z.np, z.theta)
}

// Eval writes z0(p) and ∂z0/∂p. Called once per solve; it may allocate
// nothing but runs one VJP per state.
func (z *exprZ0) Eval(dst, jac, p []float64) {
	for i := range z.np {
		j := i
		if z.theta != nil {
			j = z.theta[i]
		}
		z.buf[i] = p[j]
	}
	z.m.Func(dst, 0, z.dummy, z.buf)
	if jac == nil {
		return
	}
	clear(jac)
	np := len(p)
	for c := range dst {
		clear(z.dbuf)
		z.unit[c] = 1
		z.m.VJP(z.dummy, z.dbuf, 0, z.dummy, z.buf, z.unit)
		z.unit[c] = 0
		for i, v := range z.dbuf {
			j := i
			if z.theta != nil {
				j = z.theta[i]
			}
			jac[c*np+j] += v
		}
	}
}

// fakeNames returns n names for the unused "states" of a compiled
// observation or z0, none equal to a name in use.
func fakeNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("_%s%d", prefix, i)
	}
	return out
}
