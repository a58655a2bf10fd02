package identify

import (
	"fmt"
	"math"
	"slices"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/floats"
)

// expEval evaluates one experiment's part of the likelihood. One per
// experiment per objective (so per goroutine); it owns its model clone, its
// gradient methods and its buffers.
type expEval struct {
	e      *Experiment
	np     int // len(Problem.Params)
	solver *aca.Settings
	model  dynamics.Dynamics
	obs    Observation
	z0f    InitialState
	method aca.Method
	fwd    *aca.Forward
	prob   aca.Problem
	loss   obsLoss
	theta  []float64 // θ_e, the model's parameters
	z0     []float64
	j0     []float64 // ∂z0/∂p, dim×np

	// Workspace of residuals: ∂z(t_k)/∂p (dim×np), the observation VJP's
	// outputs and its unit weight.
	dz, hz, hp, unit []float64

	// Results of the last evaluation, summed by the objective in a fixed order.
	val   float64
	grad  []float64 // dL_e/dp, np
	r     []float64 // LM residuals ρ = r/√2
	jac   []float64 // ∂ρ/∂p, len(r)×np
	nfe   int
	stats aca.Stats
	err   error
}

func newExpEval(p *Problem, e *Experiment, method aca.Method) *expEval {
	m := dynamics.Clone(e.model(p))
	obs := e.Observation
	if c, ok := obs.(ObservationCloner); ok {
		obs = c.Clone()
	}
	z0 := e.Z0
	if c, ok := z0.(InitialStateCloner); ok {
		z0 = c.Clone()
	}
	n, np := m.Dim(), len(p.Params)
	x := &expEval{e: e, np: np, solver: &p.Solver, model: m, obs: obs, z0f: z0, method: aca.NeedZ0(aca.Fresh(method)), fwd: &aca.Forward{WithZ0: true},
		theta: make([]float64, m.NumParams()), z0: make([]float64, n), j0: make([]float64, n*np), grad: make([]float64, np),
		dz: make([]float64, n*np), hz: make([]float64, n), hp: make([]float64, np), unit: make([]float64, len(e.Observables))}
	x.loss = obsLoss{e: e, obs: obs, dim: n, sig: make([]float64, len(e.Observables)),
		h: make([]float64, len(e.Observables)), w: make([]float64, len(e.Observables)), dp: make([]float64, np)}
	x.prob = aca.Problem{Model: m, Theta: x.theta, T0: e.T0, Z0: x.z0, Times: e.Times, Loss: &x.loss}
	return x
}

// set writes θ_e, z0 and the σs for the problem's parameters p.
func (x *expEval) set(p []float64) {
	if x.e.Theta == nil {
		copy(x.theta, p)
	} else {
		for i, j := range x.e.Theta {
			x.theta[i] = p[j]
		}
	}
	x.z0f.Eval(x.z0, x.j0, p)
	x.loss.p = p
	for j, o := range x.e.Observables {
		x.loss.sig[j] = o.Sigma
		if o.Sigma == 0 {
			x.loss.sig[j] = p[o.SigmaParam]
		}
	}
}

// value computes L_e and dL_e/dp with the gradient method.
func (x *expEval) value(p []float64) {
	x.set(p)
	res, err := x.method.Gradient(&x.prob, x.solver)
	x.nfe, x.err = 0, err
	if res != nil {
		x.nfe = res.Stats.NFEForward + res.Stats.NFEBackward
		x.stats = res.Stats
	}
	if err != nil {
		x.err = fmt.Errorf("experiment %s: %w%s", x.e.Name, err, x.loss.why())
		return
	}
	x.val = res.Loss
	copy(x.grad, x.loss.dp)
	x.scatter(res.Theta, res.Z0)
}

// scatter adds dL/dθ_e and dL/dz0 (through ∂z0/∂p) into x.grad.
func (x *expEval) scatter(dth, dz0 []float64) {
	for i, g := range dth {
		j := i
		if x.e.Theta != nil {
			j = x.e.Theta[i]
		}
		x.grad[j] += g
	}
	np := x.np
	for c, g := range dz0 {
		if g == 0 {
			continue
		}
		row := x.j0[c*np : (c+1)*np]
		for j, v := range row {
			x.grad[j] += g * v
		}
	}
}

// residuals computes ρ = r/√2 (Σρ² = Σ½r²) and ∂ρ/∂p from forward sensitivities.
func (x *expEval) residuals(p []float64) {
	x.set(p)
	res, err := x.fwd.Gradient(&x.prob, x.solver)
	x.nfe, x.err = 0, err
	if res != nil {
		x.nfe = res.Stats.NFEForward
	}
	if err != nil {
		x.err = fmt.Errorf("experiment %s: %w", x.e.Name, err)
		return
	}
	e, n, np := x.e, x.model.Dim(), x.np
	npt := x.model.NumParams()
	cols := npt + n
	K, nobs := len(e.Times), len(e.Observables)
	x.r = grow(x.r, K*nobs)
	x.jac = grow(x.jac, K*nobs*np)
	dz, hz, hp, unit := x.dz, x.hz, x.hp, x.unit
	h := x.loss.h
	for k := range K {
		z := res.States[k*n : (k+1)*n]
		S := res.Sensitivities[k*n*cols : (k+1)*n*cols]
		clear(dz)
		for i := range n {
			row := dz[i*np : (i+1)*np]
			for a := range npt {
				j := a
				if e.Theta != nil {
					j = e.Theta[a]
				}
				row[j] += S[i*cols+a]
			}
			for c := range n {
				if s := S[i*cols+npt+c]; s != 0 {
					floats.AddScaled(row, s, x.j0[c*np:(c+1)*np])
				}
			}
		}
		x.obs.Eval(h, e.Times[k], z, p)
		for j, o := range e.Observables {
			sig := x.loss.sig[j]
			y := e.Values[k*nobs+j]
			var r, c float64
			if o.LogNormal {
				r = (math.Log(y) - math.Log(h[j])) / sig
				c = -1 / (sig * h[j] * math.Sqrt2)
			} else {
				r = (y - h[j]) / sig
				c = -1 / (sig * math.Sqrt2)
			}
			row := k*nobs + j
			x.r[row] = r / math.Sqrt2
			clear(hz)
			clear(hp)
			unit[j] = 1
			x.obs.VJP(hz, hp, e.Times[k], z, p, unit)
			unit[j] = 0
			jr := x.jac[row*np : (row+1)*np]
			for a := range np {
				s := hp[a]
				for i := range n {
					s += hz[i] * dz[i*np+a]
				}
				jr[a] = c * s
			}
			if o.Sigma == 0 {
				jr[o.SigmaParam] -= x.r[row] / sig
			}
		}
	}
}

// obsLoss is the negative log-likelihood of one experiment as an aca.Loss;
// it also accumulates ∂L/∂p through h and σ in dp (the gradient methods see
// only ∂L/∂z).
type obsLoss struct {
	e    *Experiment
	obs  Observation
	dim  int
	p    []float64
	sig  []float64
	h, w []float64
	dp   []float64
	bad  string // the first lognormal observable whose model value is not positive
}

// why explains a non-finite loss: a lognormal model value ≤ 0, if any.
func (l *obsLoss) why() string {
	w := l.bad
	l.bad = ""
	return w
}

// Eval returns Σ_k Σ_j ½r² + log σ_j and writes ∂L/∂z into grad.
func (l *obsLoss) Eval(grad, states []float64) float64 {
	e, n := l.e, l.dim
	nobs := len(e.Observables)
	clear(grad)
	clear(l.dp)
	l.bad = ""
	sum := 0.0
	for k, t := range e.Times {
		z := states[k*n : (k+1)*n]
		l.obs.Eval(l.h, t, z, l.p)
		for j, o := range e.Observables {
			sig, y, h := l.sig[j], e.Values[k*nobs+j], l.h[j]
			var r float64
			if o.LogNormal {
				if !(h > 0) && l.bad == "" {
					l.bad = fmt.Sprintf("; lognormal observable %s: the model gives %g at t=%g (log needs > 0)", o.Name, h, t)
				}
				r = (math.Log(y) - math.Log(h)) / sig
				l.w[j] = -r / (sig * h)
			} else {
				r = (y - h) / sig
				l.w[j] = -r / sig
			}
			sum += 0.5*r*r + math.Log(sig)
			if o.Sigma == 0 {
				l.dp[o.SigmaParam] += (1 - r*r) / sig
			}
		}
		l.obs.VJP(grad[k*n:(k+1)*n], l.dp, t, z, l.p, l.w)
	}
	return sum
}

// sigmaCount is an estimated σ parameter of a likelihood problem and n_s,
// the number of fitted data it scales.
type sigmaCount struct{ param, n int }

// sigmaCounts returns the problem's estimated σ parameters in the order the
// fitted experiments first use them. Each gets an extra LM residual
// ρ_s = √(n_s·log(σ_s/c_s)) with c_s = Min_s/2, so that Σρ² over all rows is
// the negative log-likelihood up to a constant; its gradient is
// n_s/(2σ_sρ_s) (see objective.residualsExperiments).
func sigmaCounts(p *Problem) []sigmaCount {
	var out []sigmaCount
	for _, e := range p.Experiments {
		if e.Holdout {
			continue
		}
		for _, o := range e.Observables {
			if o.Sigma != 0 {
				continue
			}
			k := slices.IndexFunc(out, func(s sigmaCount) bool { return s.param == o.SigmaParam })
			if k < 0 {
				out = append(out, sigmaCount{param: o.SigmaParam})
				k = len(out) - 1
			}
			out[k].n += len(e.Times)
		}
	}
	return out
}

// runExperiments runs f on every fitted experiment, in parallel when there
// are several; the caller sums their results in index order, so the sum is
// the same for any number of workers.
func runExperiments(xs []*expEval, f func(*expEval)) {
	if len(xs) == 1 {
		f(xs[0])
		return
	}
	var g errgroup.Group
	for _, x := range xs {
		g.Go(func() error { f(x); return nil })
	}
	_ = g.Wait()
}

func grow(x []float64, n int) []float64 {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]float64, n)
}

// likelihoodOffset is NLL − Σρ²: Σ n·log σ over the known σ of the fitted
// experiments and Σ n_s·log c_s of the σ rows (see sigmaCounts).
func likelihoodOffset(p *Problem) float64 {
	s := 0.0
	for _, e := range p.Experiments {
		if e.Holdout {
			continue
		}
		for _, o := range e.Observables {
			sig := o.Sigma
			if sig == 0 {
				sig = p.Params[o.SigmaParam].Min / 2
			}
			s += float64(len(e.Times)) * math.Log(sig)
		}
	}
	return s
}
