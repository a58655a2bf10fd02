package aca

import (
	"github.com/physid/physid/dynamics"
)

// Forward is forward sensitivity analysis: it integrates S = ∂z/∂θ (and, with
// WithZ0, ∂z/∂z0) alongside z, dS/dt = ∂f/∂z·S + ∂f/∂(θ, z0), one JVP per
// column, with the same adaptive solver (its error control covers z and S).
// Then dL/dθ = Σ_k ∂L/∂z(t_k)·S(t_k).
//
// It computes only what is asked: the #θ parameter columns, and the dim
// columns of ∂z/∂z0 only when WithZ0 is set, since their cost is that of
// dim more parameters (on the three-body problem 21 columns instead of 3).
// Memory O(K·dim·(1 + cols)) for the output at the K observation times; cost
// grows with the number of columns, so it suits few parameters. With an
// implicit method (or Auto) S is instead the tangent of the discrete solution
// along the accepted steps (see tangent): exact for the solution computed,
// with the memory of ACA's trajectory. It needs no backward pass, and its S
// at the observation times, returned in Result.Sensitivities, is the residual
// Jacobian that Gauss–Newton,
// Levenberg–Marquardt and standard errors need. With dense output
// (integrate.Settings.Land false) the solver interpolates [z, S] together
// with the same weights, so S(t_k) is the derivative of the interpolated
// z(t_k) along the steps taken.
type Forward struct {
	// WithZ0 adds the dim columns of ∂z/∂z0 and so dL/dz0 (Result.Z0); false
	// (the default) computes the parameter columns only and leaves Result.Z0
	// nil. Callers that read dL/dz0 set it (see NeedZ0).
	WithZ0 bool

	states []float64
	x0     []float64 // the initial [z0, S0]
	aug    sensitivities
	out    []float64
	g      []float64
	solver solverCache
	// For implicit methods: the accepted steps and the tangent along them.
	rec acaRecorder
	fwd forward
	tan tangent
}

// Name returns "forward".
func (*Forward) Name() string { return "forward" }

// Gradient integrates the state and its sensitivities, then contracts them with
// the loss gradient.
func (m *Forward) Gradient(p *Problem, s *Settings) (*Result, error) {
	p.check()
	n, np := p.Model.Dim(), p.Model.NumParams()
	cols := np
	if m.WithZ0 {
		cols += n
	}
	solver := m.solver.get(s)
	if tb := solver.Method(); tb.Implicit() || tb.Stiff != nil {
		return m.gradientImplicit(p, solver, cols)
	}
	m.aug.setup(p.Model, n, np, cols)
	na := n * (1 + cols)
	m.x0 = grow(m.x0, na)
	x0 := m.x0
	clear(x0)
	copy(x0, p.Z0)
	if m.WithZ0 {
		for i := 0; i < n; i++ { // ∂z0/∂z0 = I in columns np..np+n−1
			x0[n+i*cols+np+i] = 1
		}
	}
	K := len(p.Times)
	m.out = grow(m.out, na*K)
	st, err := solver.Solve(m.out, &m.aug, p.Theta, p.T0, x0, p.Times, nil)
	res := &Result{Stats: forwardStats(st, 1+cols)}
	if err != nil {
		return res, err
	}
	m.states = grow(m.states, n*K)
	sens := make([]float64, n*cols*K)
	for k := 0; k < K; k++ {
		copy(m.states[k*n:(k+1)*n], m.out[k*na:k*na+n])
		copy(sens[k*n*cols:(k+1)*n*cols], m.out[k*na+n:(k+1)*na])
	}
	m.g = grow(m.g, n*K)
	if res.Loss, err = evalLoss(p, m.g, m.states); err != nil {
		return res, err
	}
	res.States = append([]float64(nil), m.states...)
	res.Sensitivities = sens
	contract(res, m.g, sens, np, cols, m.WithZ0)
	// The initial augmented state, the solver's output at the K times, the
	// states, the loss gradient and the sensitivities handed out.
	res.Stats.Bytes = 8 * (na + len(m.out) + len(m.states) + len(m.g) + len(sens))
	return res, checkGradient(p, res, "")
}

// contract sets res.Theta, and with withZ0 res.Z0, to dL/d(θ, z0) =
// Σ_k ∂L/∂z(t_k)·S(t_k), from the loss gradient g (K rows of n) and the
// sensitivities sens (K blocks of n×cols, row-major, the θ columns first):
// entry j of g, component i at time k, weighs row j of sens, row i of S(t_k).
func contract(res *Result, g, sens []float64, np, cols int, withZ0 bool) {
	grad := make([]float64, cols)
	for j, gj := range g {
		axpy(grad, gj, sens[j*cols:(j+1)*cols])
	}
	res.Theta = grad[:np:np]
	if withZ0 {
		res.Z0 = grad[np:]
	}
}

// sensitivities is the system [z, S] with S row-major dim×cols.
type sensitivities struct {
	inner
	np, cols  int
	vt        []float64 // unit vector in θ
	col, dcol []float64
	jw        innerJac
}

func (a *sensitivities) setup(m dynamics.Dynamics, n, np, cols int) {
	a.m, a.n, a.np, a.cols = m, n, np, cols
	if len(a.vt) != np || len(a.col) != n {
		a.vt, a.col, a.dcol = make([]float64, np), make([]float64, n), make([]float64, n)
	}
}

func (a *sensitivities) Dim() int       { return a.n * (1 + a.cols) }
func (a *sensitivities) NumParams() int { return a.np }

// Func writes f and, column by column, ∂f/∂z·S_c + ∂f/∂θ_c.
func (a *sensitivities) Func(dst []float64, t float64, x, theta []float64) {
	n, cols := a.n, a.cols
	z := x[:n]
	a.m.Func(dst[:n], t, z, theta)
	S, dS := x[n:], dst[n:]
	for c := 0; c < cols; c++ {
		for i := 0; i < n; i++ {
			a.col[i] = S[i*cols+c]
		}
		var vt []float64
		if c < a.np {
			a.vt[c] = 1
			vt = a.vt
		}
		a.m.JVP(a.dcol, t, z, theta, a.col, vt)
		if c < a.np {
			a.vt[c] = 0
		}
		for i := 0; i < n; i++ {
			dS[i*cols+c] = a.dcol[i]
		}
	}
}

// NeedZ0 returns m set up to compute dL/dz0 as well as dL/dθ: a *Forward
// becomes a copy with WithZ0; every other method computes dL/dz0 anyway and
// is returned as it is. Callers that read
// Result.Z0 from a method they did not build (one named on the command line,
// say) pass it through NeedZ0 first.
func NeedZ0(m Method) Method {
	if f, ok := m.(*Forward); ok && !f.WithZ0 {
		return &Forward{WithZ0: true}
	}
	return m
}

// Breakpoints are the model's (dynamics.Breakpointer): an augmented solve
// (forward sensitivities, the adjoint's backward system) stops where f
// jumps, as the plain solve does.
func (a *sensitivities) Breakpoints() []float64 {
	if b, ok := a.m.(dynamics.Breakpointer); ok {
		return b.Breakpoints()
	}
	return nil
}
