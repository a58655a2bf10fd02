package identify

import (
	"fmt"
	"math"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"gonum.org/v1/gonum/floats"
)

// objective evaluates the loss and its gradient in the transformed coordinates
// u of Adam and L-BFGS (free parameters only, through the bound transforms), and
// the residuals and their Jacobian in the parameters' own coordinates for LM,
// the optimality check and the covariance. One per goroutine.
type objective struct {
	p      *Problem
	free   []int
	theta  []float64
	method aca.Method
	fwd    *aca.Forward
	prob   aca.Problem
	loss   *aca.LeastSquares
	nfe    int
	evals  int
	// exps evaluate the fitted experiments of a likelihood problem
	// (Problem.Experiments); nil for the single-experiment least squares.
	exps []*expEval
	// sigmas are the estimated σ of a likelihood problem, one LM row each.
	sigmas []sigmaCount
	// offset is what LM's Σρ² leaves out of the negative log-likelihood
	// (Σ n·log σ of the known σ, the constants of the σ rows), added to the
	// losses it reports so that every optimizer reports the same NLL; 0 for
	// least squares.
	offset float64
	// worst is the statistics of the gradient evaluation with the largest
	// adjoint reconstruction error (aca.Stats.ReconstructionError; the zero
	// value unless the method is the adjoint), so that a fit can warn once
	// about an unreliable adjoint gradient.
	worst aca.Stats
}

func newObjective(p *Problem) (*objective, error) {
	if p.Likelihood() {
		o := &objective{p: p, free: p.free(), theta: p.Init()}
		for i := range p.Experiments {
			if !p.Experiments[i].Holdout {
				o.exps = append(o.exps, newExpEval(p, &p.Experiments[i], p.Method))
			}
		}
		o.sigmas = sigmaCounts(p)
		o.offset = likelihoodOffset(p)
		return o, nil
	}
	loss, err := p.loss()
	if err != nil {
		return nil, err
	}
	o := &objective{p: p, free: p.free(), theta: p.Init(), method: aca.Fresh(p.Method), loss: loss, fwd: &aca.Forward{}}
	o.prob = aca.Problem{Model: dynamics.Clone(p.Model), Theta: o.theta, T0: p.T0, Z0: p.Z0, Times: p.Times, Loss: loss}
	return o, nil
}

// setU writes θ for the optimizer coordinates u.
func (o *objective) setU(u []float64) {
	for j, i := range o.free {
		o.theta[i] = toTheta(o.p.Params[i], u[j])
	}
}

// thetaOf returns a copy of θ for u.
func (o *objective) thetaOf(u []float64) []float64 {
	o.setU(u)
	return clone(o.theta)
}

// uOf returns the optimizer coordinates of θ.
func (o *objective) uOf(theta []float64) []float64 {
	u := make([]float64, len(o.free))
	for j, i := range o.free {
		u[j] = toU(o.p.Params[i], theta[i])
	}
	return u
}

// eval returns L(u) and writes dL/du into grad (when not nil).
func (o *objective) eval(u, grad []float64) (float64, error) {
	o.setU(u)
	if o.exps != nil {
		return o.evalExperiments(u, grad)
	}
	res, err := o.method.Gradient(&o.prob, &o.p.Solver)
	o.evals++
	if res != nil {
		o.nfe += res.Stats.NFEForward + res.Stats.NFEBackward
		o.noteReconstruction(res.Stats)
	}
	if err != nil {
		return math.NaN(), err
	}
	if grad != nil {
		for j, i := range o.free {
			grad[j] = res.Theta[i] * dThetaDU(o.p.Params[i], u[j])
		}
		for j, g := range grad {
			if math.IsNaN(g) || math.IsInf(g, 0) {
				return res.Loss, fmt.Errorf("%w: dL/d%s = %v", ErrDiverged, o.p.Params[o.free[j]].Name, g)
			}
		}
	}
	return res.Loss, nil
}

// noteReconstruction keeps st in o.worst when its adjoint reconstruction
// error is the largest yet.
func (o *objective) noteReconstruction(st aca.Stats) {
	if st.HasReconstruction && (!o.worst.HasReconstruction || st.ReconstructionError > o.worst.ReconstructionError) {
		o.worst = st
	}
}

// setFree writes the free parameters' values x into θ.
func (o *objective) setFree(x []float64) {
	for j, i := range o.free {
		o.theta[i] = x[j]
	}
}

// fullOf returns a copy of θ with the free parameters set to x.
func (o *objective) fullOf(x []float64) []float64 {
	o.setFree(x)
	return clone(o.theta)
}

// freeOf returns the free parameters' values in θ.
func (o *objective) freeOf(theta []float64) []float64 {
	x := make([]float64, len(o.free))
	for j, i := range o.free {
		x[j] = theta[i]
	}
	return x
}

// residuals returns the weighted residuals r at the free parameters' values x,
// r_kc = √(w_k/K)·(z_c(t_k) − y_kc), so that Σr² = L, and their Jacobian
// ∂r/∂x in the parameters' own coordinates (no bound transform), row-major
// len(r)×len(free), from forward sensitivities.
func (o *objective) residuals(x []float64) (r, jac []float64, err error) {
	o.setFree(x)
	if o.exps != nil {
		return o.residualsExperiments()
	}
	res, err := o.fwd.Gradient(&o.prob, &o.p.Solver)
	o.evals++
	if res != nil {
		o.nfe += res.Stats.NFEForward
	}
	if err != nil {
		return nil, nil, err
	}
	n, np := o.p.Model.Dim(), len(o.p.Params)
	K, nobs, nf := len(o.p.Times), o.p.NumObserved(), len(o.free)
	r = make([]float64, K*nobs)
	jac = make([]float64, K*nobs*nf)
	for k := 0; k < K; k++ {
		w := 1 / float64(K)
		if o.p.Weights != nil {
			w *= o.p.Weights[k]
		}
		sw := math.Sqrt(w)
		sk := res.Sensitivities[k*n*np : (k+1)*n*np]
		for c := 0; c < nobs; c++ {
			comp := c
			if o.p.Observed != nil {
				comp = o.p.Observed[c]
			}
			row := k*nobs + c
			r[row] = sw * (res.States[k*n+comp] - o.p.Values[row])
			for j, i := range o.free {
				jac[row*nf+j] = sw * sk[comp*np+i]
			}
		}
	}
	if err := checkResiduals(r, jac); err != nil {
		return nil, nil, err
	}
	return r, jac, nil
}

// evalExperiments is eval for a likelihood problem: the experiments in
// parallel, their losses and gradients summed in index order.
func (o *objective) evalExperiments(u, grad []float64) (float64, error) {
	var full []float64
	if grad != nil {
		full = make([]float64, len(o.theta))
	}
	loss, err := o.sumExperiments(full)
	if err != nil {
		return loss, err
	}
	if grad != nil {
		for j, i := range o.free {
			grad[j] = full[i] * dThetaDU(o.p.Params[i], u[j])
			if math.IsNaN(grad[j]) || math.IsInf(grad[j], 0) {
				return loss, fmt.Errorf("%w: dL/d%s = %v", ErrDiverged, o.p.Params[i].Name, grad[j])
			}
		}
	}
	return loss, nil
}

// sumExperiments evaluates the fitted experiments at o.theta in parallel and
// returns their summed loss, adding their gradients dL/dθ (every parameter)
// into full when it is not nil; the sums run in index order.
func (o *objective) sumExperiments(full []float64) (float64, error) {
	runExperiments(o.exps, func(x *expEval) { x.value(o.theta) })
	o.evals++
	for _, x := range o.exps {
		o.nfe += x.nfe
		o.noteReconstruction(x.stats)
	}
	loss := 0.0
	for _, x := range o.exps {
		if x.err != nil {
			return math.NaN(), x.err
		}
		loss += x.val
		if full != nil {
			floats.Add(full, x.grad)
		}
	}
	return loss, nil
}

// residualsExperiments is residuals for a likelihood problem: the rows
// ρ = r/√2 of every fitted experiment in order, then one row per estimated σ
// (see sigmaCounts), so that Σρ² is the negative log-likelihood up to a
// constant and LM, the optimality test and the covariance work unchanged.
func (o *objective) residualsExperiments() (r, jac []float64, err error) {
	runExperiments(o.exps, func(x *expEval) { x.residuals(o.theta) })
	o.evals++
	for _, x := range o.exps {
		o.nfe += x.nfe
	}
	np := len(o.theta)
	for _, x := range o.exps {
		if x.err != nil {
			return nil, nil, x.err
		}
		for row := range x.r {
			r = append(r, x.r[row])
			jr := x.jac[row*np : (row+1)*np]
			for _, i := range o.free {
				jac = append(jac, jr[i])
			}
		}
	}
	for _, s := range o.sigmas {
		c := o.p.Params[s.param].Min / 2
		rho := math.Sqrt(float64(s.n) * math.Log(o.theta[s.param]/c))
		r = append(r, rho)
		for _, i := range o.free {
			v := 0.0
			if i == s.param {
				v = float64(s.n) / (2 * o.theta[s.param] * rho)
			}
			jac = append(jac, v)
		}
	}
	if err := checkResiduals(r, jac); err != nil {
		return nil, nil, err
	}
	return r, jac, nil
}

// checkResiduals reports ErrDiverged when a residual in r or a sensitivity in
// jac is not finite.
func checkResiduals(r, jac []float64) error {
	if !allFinite(r) {
		return fmt.Errorf("%w: non-finite residual", ErrDiverged)
	}
	if !allFinite(jac) {
		return fmt.Errorf("%w: non-finite sensitivity", ErrDiverged)
	}
	return nil
}
