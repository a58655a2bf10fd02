package identify

import (
	"context"
	"fmt"
	"math"

	"github.com/physid/physid/integrate"
)

// ExperimentResult is how well the fitted model describes one experiment.
type ExperimentResult struct {
	// Name is the experiment's; Fit is false for a held-out (validation)
	// experiment.
	Name string
	Fit  bool
	// Local are the indices in Problem.Params of its local parameters.
	Local []int
	// Observables has one entry per observable, in order.
	Observables []ObservableFit
	// NLL is the experiment's negative log-likelihood (Σ½r² + log σ).
	NLL float64
}

// ObservableFit measures one observable's data y against the model ŷ at
// the data times, on the data's own scale:
//
//	RMSE       = √(mean (y − ŷ)²)
//	NRMSE      = RMSE / (max y − min y)
//	FitPercent = 100·(1 − ‖y − ŷ‖ / ‖y − mean y‖)
//
// (FitPercent is MATLAB's compare/goodnessOfFit "NRMSE fit": 100 is
// perfect, 0 no better than the mean, negative worse.)
type ObservableFit struct {
	Name                    string
	RMSE, NRMSE, FitPercent float64
	Points                  int
}

// Metrics returns the fit measures of data y against the model yhat.
func Metrics(name string, y, yhat []float64) ObservableFit {
	n := len(y)
	mean, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for _, v := range y {
		mean += v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	mean /= float64(n)
	var se, sd float64
	for i, v := range y {
		se += (v - yhat[i]) * (v - yhat[i])
		sd += (v - mean) * (v - mean)
	}
	rmse := math.Sqrt(se / float64(n))
	return ObservableFit{Name: name, RMSE: rmse, NRMSE: rmse / (hi - lo), FitPercent: 100 * (1 - math.Sqrt(se)/math.Sqrt(sd)), Points: n}
}

// SimulateExperiment solves experiment e of p at parameters θ and returns
// the states (len(times)×dim) and observables (len(times)×len(Observables))
// at the given times (nil: the experiment's data times). Times past the
// data of a measured input are an error naming the input.
func SimulateExperiment(p *Problem, e int, theta, times []float64) (states, obs []float64, err error) {
	return newExpEval(p, &p.Experiments[e], nil).simulate(theta, times)
}

// simulate is SimulateExperiment on the evaluator x; it leaves x set to θ.
func (x *expEval) simulate(theta, times []float64) (states, obs []float64, err error) {
	x.set(theta)
	if times == nil {
		times = x.e.Times
	}
	n, m := x.model.Dim(), len(x.e.Observables)
	states = make([]float64, n*len(times))
	if _, err = integrate.NewSolver(x.solver).Solve(states, x.model, x.theta, x.e.T0, x.z0, times, nil); err != nil {
		return nil, nil, fmt.Errorf("identify: experiment %s: %w", x.e.Name, err)
	}
	obs = make([]float64, m*len(times))
	for k, t := range times {
		x.obs.Eval(obs[k*m:(k+1)*m], t, states[k*n:(k+1)*n], theta)
	}
	return states, obs, nil
}

// EvaluateExperiments simulates every experiment of a likelihood problem at
// θ and measures each observable (see ObservableFit).
func EvaluateExperiments(p *Problem, theta []float64) ([]ExperimentResult, error) {
	out := make([]ExperimentResult, len(p.Experiments))
	for ei := range p.Experiments {
		e := &p.Experiments[ei]
		x := newExpEval(p, e, nil)
		_, obs, err := x.simulate(theta, nil)
		if err != nil {
			return nil, err
		}
		r := ExperimentResult{Name: e.Name, Fit: !e.Holdout, Local: e.Local}
		m := len(e.Observables)
		for j, o := range e.Observables {
			y, yh := make([]float64, len(e.Times)), make([]float64, len(e.Times))
			for k := range e.Times {
				y[k], yh[k] = e.Values[k*m+j], obs[k*m+j]
			}
			f := Metrics(o.Name, y, yh)
			r.Observables = append(r.Observables, f)
		}
		r.NLL = nllOf(x, obs)
		out[ei] = r
	}
	return out, nil
}

// nllOf is the experiment's Σ½r² + log σ for the observables obs.
func nllOf(x *expEval, obs []float64) float64 {
	e, m := x.e, len(x.e.Observables)
	s := 0.0
	for k := range e.Times {
		for j, o := range e.Observables {
			sig, y, h := x.loss.sig[j], e.Values[k*m+j], obs[k*m+j]
			r := (y - h) / sig
			if o.LogNormal {
				r = (math.Log(y) - math.Log(h)) / sig
			}
			s += 0.5*r*r + math.Log(sig)
		}
	}
	return s
}

// fitLikelihood fits a likelihood problem: the fitted experiments first,
// with the local parameters of held-out ones fixed; then each held-out
// experiment's local parameters alone, everything else at its estimate;
// finally every experiment is measured (Result.Experiments).
func fitLikelihood(ctx context.Context, p *Problem, opts *Options, opt Optimizer) (*Result, error) {
	held := p.heldOutLocals()
	q := *p
	q.plain = true
	q.Params = append([]Parameter(nil), p.Params...)
	for i := range held {
		q.Params[i].Fixed = true
	}
	res, err := Fit(ctx, &q, opts, opt)
	if err != nil || res.Params == nil {
		return res, err
	}
	for ei := range p.Experiments {
		e := p.Experiments[ei]
		if !e.Holdout || len(e.Local) == 0 {
			continue
		}
		sub := *p
		sub.plain = true
		sub.Params = append([]Parameter(nil), p.Params...)
		for i := range sub.Params {
			sub.Params[i].Init = res.Params[i]
			sub.Params[i].Fixed = true
		}
		for _, i := range e.Local {
			sub.Params[i].Fixed = p.Params[i].Fixed
			sub.Params[i].Init = p.Params[i].Init
		}
		e.Holdout = false
		sub.Experiments = []Experiment{e}
		o := Options{}
		if opts != nil {
			o = *opts
		}
		o.Starts, o.Resume, o.Progress, o.Jitter = 1, nil, nil, -1
		sr, err := Fit(ctx, &sub, &o, &LM{})
		if err != nil || sr.Params == nil {
			return res, fmt.Errorf("identify: held-out experiment %s: %w", e.Name, err)
		}
		for _, i := range e.Local {
			res.Params[i] = sr.Params[i]
			if res.StdErr != nil && sr.StdErr != nil {
				res.StdErr[i] = sr.StdErr[i]
				res.StdErrNote[i] = sr.StdErrNote[i]
			}
		}
		res.NFE += sr.NFE
	}
	res.Experiments, err = EvaluateExperiments(p, res.Params)
	return res, err
}

// Evaluator evaluates a problem's objective and gradient repeatedly with
// the same buffers (solver workspaces, the ACA record of steps), so that
// after the first call an evaluation allocates only a constant few result
// slices, however many steps the solves take. Not safe for concurrent use.
type Evaluator struct {
	o    *objective
	grad []float64
}

// NewEvaluator validates p and returns its evaluator.
func NewEvaluator(p *Problem) (*Evaluator, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	o, err := newObjective(p)
	if err != nil {
		return nil, err
	}
	return &Evaluator{o: o, grad: make([]float64, len(p.Params))}, nil
}

// Eval returns the objective at θ and its gradient with respect to every
// parameter (fixed ones included). The gradient slice is the evaluator's,
// valid until the next call.
func (e *Evaluator) Eval(theta []float64) (float64, []float64, error) {
	o := e.o
	copy(o.theta, theta)
	if o.exps == nil {
		res, err := o.method.Gradient(&o.prob, &o.p.Solver)
		if err != nil {
			return 0, nil, err
		}
		copy(e.grad, res.Theta)
		return res.Loss, e.grad, nil
	}
	clear(e.grad)
	loss, err := o.sumExperiments(e.grad)
	if err != nil {
		return 0, nil, err
	}
	return loss, e.grad, nil
}

// Gradient returns the objective (the least squares, or the negative
// log-likelihood over the fitted experiments) at θ and its gradient with
// respect to every parameter, fixed ones included, with the problem's
// gradient method: what the fits minimise, for checking gradients against
// finite differences.
func Gradient(p *Problem, theta []float64) (float64, []float64, error) {
	e, err := NewEvaluator(p)
	if err != nil {
		return 0, nil, err
	}
	l, g, err := e.Eval(theta)
	return l, append([]float64(nil), g...), err
}
