package scenarios

import (
	"fmt"

	"github.com/physid/physid/aca"
)

// Init returns θ at the parameters' init values, in model order.
func (sc *Scenario) Init() []float64 {
	theta := make([]float64, len(sc.Params))
	for i, p := range sc.Params {
		theta[i] = p.Init
	}
	return theta
}

// TrueValues returns θ at the parameters' true values and whether every
// parameter has one.
func (sc *Scenario) TrueValues() ([]float64, bool) {
	theta := make([]float64, len(sc.Params))
	for i, p := range sc.Params {
		if !p.HasValue {
			return nil, false
		}
		theta[i] = p.Value
	}
	return theta, true
}

// Weights returns the time weights w_k = time_weight^t_k.
func (sc *Scenario) Weights() []float64 { return aca.TimeWeights(sc.Times, sc.TimeWeight) }

// Loss returns the least-squares loss over the observed components with the
// time weights.
func (sc *Scenario) Loss() (*aca.LeastSquares, error) {
	obs := append([]int(nil), sc.Observed...)
	vals := append([]float64(nil), sc.Values...)
	l, err := aca.NewLeastSquares(sc.Model.Dim(), obs, vals, sc.Weights())
	if err != nil {
		return nil, fmt.Errorf("scenarios: %s: %w", sc.File, err)
	}
	return l, nil
}

// Problem returns the gradient problem at the init values: θ = Init(), z(T0) =
// Z0, the observation times and the least-squares loss. Each call returns
// fresh slices, so the caller may change them.
//
// A likelihood scenario has no such problem (its loss is over experiments
// and observables): use FitProblem and identify.Gradient.
func (sc *Scenario) Problem() (*aca.Problem, error) {
	if sc.Likelihood() {
		return nil, fmt.Errorf("scenarios: %s: a likelihood over experiments has no single least-squares problem; use FitProblem", sc.File)
	}
	loss, err := sc.Loss()
	if err != nil {
		return nil, err
	}
	return &aca.Problem{
		Model: sc.Model,
		Theta: sc.Init(),
		T0:    sc.T0,
		Z0:    append([]float64(nil), sc.Z0...),
		Times: append([]float64(nil), sc.Times...),
		Loss:  loss,
	}, nil
}

// Settings returns a copy of the [solver] settings.
func (sc *Scenario) Settings() *aca.Settings {
	s := sc.Solver
	return &s
}

// Method returns a fresh value of the [gradient] method.
func (sc *Scenario) Method() (aca.Method, error) { return aca.ByName(sc.Gradient) }
