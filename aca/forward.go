package aca

import (
	"github.com/physid/physid/dynamics"
)

// Forward is forward sensitivity analysis: it integrates S = ∂z/∂(θ, z0)
// alongside z, dS/dt = ∂f/∂z·S + ∂f/∂(θ, z0), one JVP per column, with the same
// adaptive solver (its error control covers z and S). Then dL/dθ = Σ_k
// ∂L/∂z(t_k)·S(t_k).
//
// Memory O(dim·(#θ + dim)); cost grows with the number of columns, so it suits
// few parameters. It needs no backward pass, and its S at the observation times,
// returned in Result.Sensitivities, is the residual Jacobian that Gauss–Newton,
// Levenberg–Marquardt and standard errors need.
type Forward struct {
	// ParamsOnly skips the dim columns of ∂z/∂z0: dL/dz0 is then left nil. Fits
	// with a known initial state use it to save work.
	ParamsOnly bool

	states []float64
	aug    sensitivities
	out    []float64
	g      []float64
	solver solverCache
}

// Name returns "forward".
func (*Forward) Name() string { return "forward" }

// Gradient integrates the state and its sensitivities, then contracts them with
// the loss gradient.
func (m *Forward) Gradient(p *Problem, s *Settings) (*Result, error) {
	p.check()
	n, np := p.Model.Dim(), p.Model.NumParams()
	cols := np
	if !m.ParamsOnly {
		cols += n
	}
	m.aug.setup(p.Model, n, np, cols)
	na := n * (1 + cols)
	x0 := make([]float64, na)
	copy(x0, p.Z0)
	if !m.ParamsOnly {
		for i := 0; i < n; i++ { // ∂z0/∂z0 = I in columns np..np+n−1
			x0[n+i*cols+np+i] = 1
		}
	}
	K := len(p.Times)
	m.out = grow(m.out, na*K)
	solver := m.solver.get(s)
	st, err := solver.Solve(m.out, &m.aug, p.Theta, p.T0, x0, p.Times, nil)
	res := &Result{Stats: Stats{NFEForward: st.NFE * (1 + cols), Accepted: st.Accepted, Rejected: st.Rejected}}
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
	grad := make([]float64, cols)
	for k := 0; k < K; k++ {
		sk := sens[k*n*cols : (k+1)*n*cols]
		for i := 0; i < n; i++ {
			axpy(grad, m.g[k*n+i], sk[i*cols:(i+1)*cols])
		}
	}
	res.Theta = grad[:np:np]
	if !m.ParamsOnly {
		res.Z0 = grad[np:]
	}
	res.Stats.Bytes = 8 * na
	return res, checkGradient(p, res, "")
}

// sensitivities is the system [z, S] with S row-major dim×cols.
type sensitivities struct {
	inner
	np, cols  int
	vt        []float64 // unit vector in θ
	col, dcol []float64
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

// Breakpoints are the model's (dynamics.Breakpointer): an augmented solve
// (forward sensitivities, the adjoint's backward system) stops where f
// jumps, as the plain solve does.
func (a *sensitivities) Breakpoints() []float64 {
	if b, ok := a.m.(dynamics.Breakpointer); ok {
		return b.Breakpoints()
	}
	return nil
}
