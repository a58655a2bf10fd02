package identify

import (
	"errors"
	"fmt"
	"math"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
)

// Parameter is one entry of θ as a fit sees it.
type Parameter struct {
	// Name labels the parameter in results.
	Name string
	// Init is where fits start (the first start; others are drawn inside the
	// bounds, or jittered around Init when Options.Jitter is set).
	Init float64
	// Min and Max bound the parameter; ±Inf (or both 0) means unbounded on that
	// side. LM works on the box itself (a bound can be reached); Adam and
	// L-BFGS through a smooth transform (a bound is approached).
	Min, Max float64
	// Fixed parameters keep Init and are not fitted.
	Fixed bool
}

// Problem is a fitting problem: a model, the parameters, a known initial state
// and observations of some state components at some times (least squares);
// or, with Experiments, several runs with their own initial states (which
// may be parameters), inputs and observables with noise models (a
// likelihood; see Experiment).
type Problem struct {
	// Model is the right-hand side dz/dt = f(t, z, θ).
	Model dynamics.Dynamics
	// Params describes θ, one entry per model parameter; with Experiments,
	// every parameter, global and local (each experiment's Theta maps the
	// model's parameters into Params).
	Params []Parameter
	// T0 and Z0 are the known initial time and state.
	T0 float64
	Z0 []float64
	// Times are the observation times, strictly increasing (the first may be T0).
	Times []float64
	// Observed lists the observed state components (nil: all).
	Observed []int
	// Values holds the observations, len(Times) rows of len(Observed) values.
	Values []float64
	// Weights are per-time weights w_k (nil: 1); see aca.TimeWeights.
	Weights []float64
	// Solver configures the ODE solver of every gradient evaluation.
	Solver aca.Settings
	// Experiments, when not empty, make the problem a likelihood over
	// several runs (see Experiment): Params is then every parameter, global
	// and local, and T0, Z0, Times, Observed, Values and Weights are unused.
	// Without Experiments the objective is the weighted least squares of
	// the one experiment those fields describe.
	Experiments []Experiment
	// UnknownScale says the σ of Experiments are known only up to a common
	// factor (data without a noise model: σ = 1): the covariance then scales
	// by the residual variance s², as for least squares, instead of taking
	// the σ as known.
	UnknownScale bool
	// Method is the gradient method of the gradient-based optimizers (Adam,
	// L-BFGS); nil means &aca.ACA{}. It serves as a template: every start
	// evaluates with its own fresh copy (aca.Fresh), so one value may be shared.
	Method aca.Method

	plain bool // fit as given: fitLikelihood has handled the held-out experiments
}

// ErrDiverged means the fit reached a non-finite loss or gradient; the result
// still holds the best parameters found before.
var ErrDiverged = errors.New("identify: fit diverged")

// Validate checks the problem's shapes and values.
func (p *Problem) Validate() error {
	if p.Likelihood() {
		if err := p.validateParams(); err != nil {
			return err
		}
		return p.validateExperiments()
	}
	if p.Model == nil {
		return errors.New("identify: no model")
	}
	if len(p.Params) != p.Model.NumParams() {
		return fmt.Errorf("identify: %d parameters for a model with %d", len(p.Params), p.Model.NumParams())
	}
	if len(p.Z0) != p.Model.Dim() {
		return fmt.Errorf("identify: initial state has %d values, the model %d", len(p.Z0), p.Model.Dim())
	}
	if err := p.validateParams(); err != nil {
		return err
	}
	if len(p.Times) == 0 {
		return errors.New("identify: no observation times")
	}
	for i := 1; i < len(p.Times); i++ {
		if !(p.Times[i] > p.Times[i-1]) {
			return fmt.Errorf("identify: observation times must increase: t[%d]=%g after %g", i, p.Times[i], p.Times[i-1])
		}
	}
	if p.Times[0] < p.T0 {
		return fmt.Errorf("identify: observation time %g before t0 = %g", p.Times[0], p.T0)
	}
	if _, err := p.loss(); err != nil {
		return err
	}
	return nil
}

func (p *Problem) validateParams() error {
	for _, q := range p.Params {
		lo, hi := q.bounds()
		if !(lo < hi) {
			return fmt.Errorf("identify: parameter %s: min %g is not below max %g", q.Name, q.Min, q.Max)
		}
		if !(q.Init > lo && q.Init < hi) && !q.Fixed {
			return fmt.Errorf("identify: parameter %s: init %g is not strictly inside [%g, %g]", q.Name, q.Init, lo, hi)
		}
		if math.IsNaN(q.Init) || math.IsInf(q.Init, 0) {
			return fmt.Errorf("identify: parameter %s: init is %v", q.Name, q.Init)
		}
	}
	return nil
}

func (p *Problem) loss() (*aca.LeastSquares, error) {
	l, err := aca.NewLeastSquares(p.Model.Dim(), p.Observed, p.Values, p.Weights)
	if err != nil {
		return nil, fmt.Errorf("identify: %w", err)
	}
	if l.Times() != len(p.Times) {
		return nil, fmt.Errorf("identify: %d rows of observations for %d times", l.Times(), len(p.Times))
	}
	return l, nil
}

// NumObserved is the number of observed components per time.
func (p *Problem) NumObserved() int {
	if p.Observed == nil {
		return p.Model.Dim()
	}
	return len(p.Observed)
}

func (q Parameter) bounds() (lo, hi float64) {
	lo, hi = q.Min, q.Max
	if lo == 0 && hi == 0 {
		return math.Inf(-1), math.Inf(1)
	}
	return lo, hi
}

// free returns the indices of the parameters that are fitted.
func (p *Problem) free() []int {
	var idx []int
	for i, q := range p.Params {
		if !q.Fixed {
			idx = append(idx, i)
		}
	}
	return idx
}

// numTimes is the number of observation times (of the longest experiment).
func (p *Problem) numTimes() int {
	if !p.Likelihood() {
		return len(p.Times)
	}
	n := 0
	for _, e := range p.Experiments {
		n = max(n, len(e.Times))
	}
	return n
}

// window returns a copy of the problem restricted to its first n times
// (of each experiment).
func (p *Problem) window(n int) *Problem {
	q := *p
	if p.Likelihood() {
		q.Experiments = append([]Experiment(nil), p.Experiments...)
		for i := range q.Experiments {
			e := &q.Experiments[i]
			if k := min(n, len(e.Times)); k < len(e.Times) {
				e.Times, e.Values = e.Times[:k], e.Values[:k*len(e.Observables)]
			}
		}
		return &q
	}
	nobs := p.NumObserved()
	q.Times = p.Times[:n]
	q.Values = p.Values[:n*nobs]
	if p.Weights != nil {
		q.Weights = p.Weights[:n]
	}
	return &q
}

// Init returns every parameter's Init, in order.
func (p *Problem) Init() []float64 {
	theta := make([]float64, len(p.Params))
	for i, q := range p.Params {
		theta[i] = q.Init
	}
	return theta
}
