package scenarios

import (
	"fmt"
	"slices"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/identify"
)

// Likelihood reports whether the scenario's fit is the negative
// log-likelihood over experiments (it has [[experiments]], [[observables]],
// inputs or a z0 of parameters) rather than the weighted least squares of
// the single-experiment form.
func (sc *Scenario) Likelihood() bool { return len(sc.Experiments) > 0 }

// FitNames returns the names of the fitted parameter vector: the model's
// parameters in model order, a local parameter as name@experiment (one copy
// per experiment, the first experiment's in the model's place, the others
// appended in experiment order).
func (sc *Scenario) FitNames() []string {
	names := slices.Clone(sc.ParamNames)
	if !sc.Likelihood() {
		return names
	}
	multi := len(sc.Experiments) > 1 || sc.hasLocal()
	for i, p := range sc.Params {
		if p.Local && multi {
			names[i] = p.Name + "@" + sc.Experiments[0].Name
		}
	}
	for _, e := range sc.Experiments[1:] {
		for _, p := range sc.Params {
			if p.Local {
				names = append(names, p.Name+"@"+e.Name)
			}
		}
	}
	return names
}

func (sc *Scenario) hasLocal() bool {
	for _, p := range sc.Params {
		if p.Local {
			return true
		}
	}
	return false
}

// thetaMap returns, for experiment e, the index in the fitted vector of
// each model parameter, and the indices of its local parameters.
func (sc *Scenario) thetaMap(e int) (theta, local []int) {
	np, nloc := len(sc.Params), 0
	for _, p := range sc.Params {
		if p.Local {
			nloc++
		}
	}
	theta = make([]int, np)
	next := np + (e-1)*nloc
	for i, p := range sc.Params {
		theta[i] = i
		if p.Local {
			if e > 0 {
				theta[i] = next
				next++
			}
			local = append(local, theta[i])
		}
	}
	return theta, local
}

// ExperimentModel returns experiment e's right-hand side: the scenario's
// model with the experiment's constants and its inputs bound to their data.
func (sc *Scenario) ExperimentModel(e int) (dynamics.Dynamics, []*dynamics.Signal, error) {
	ex := &sc.Experiments[e]
	if len(sc.Inputs) == 0 && len(ex.Constants) == 0 {
		return sc.Model, nil, nil
	}
	spec := sc.spec
	spec.Constants = sc.constants(ex.Constants)
	m, err := expr.New(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("scenarios: experiment %s: %w", ex.Name, err)
	}
	if len(sc.Inputs) == 0 {
		return m, nil, nil
	}
	var sig []*dynamics.Signal
	for i, in := range sc.Inputs {
		s, err := dynamics.NewSignal(in.Name, ex.Times, ex.Inputs[i], in.Interpolation)
		if err != nil {
			return nil, nil, fmt.Errorf("scenarios: experiment %s: %w", ex.Name, err)
		}
		sig = append(sig, s)
	}
	return newInputModel(m, len(sc.Params), sc.InputNames(), sig), sig, nil
}

// likelihoodProblem builds the identify problem of a likelihood scenario.
func (sc *Scenario) likelihoodProblem() (*identify.Problem, error) {
	method, _ := sc.Method()
	names := sc.FitNames()
	p := &identify.Problem{Model: sc.Model, Params: make([]identify.Parameter, len(names)), Solver: sc.Solver, Method: method,
		UnknownScale: len(sc.Observables) == 0}
	n := len(sc.StateNames)
	for ei := range sc.Experiments {
		ex := &sc.Experiments[ei]
		theta, local := sc.thetaMap(ei)
		for i, q := range sc.Params {
			p.Params[theta[i]] = identify.Parameter{Name: names[theta[i]], Init: q.Init, Min: q.Min, Max: q.Max, Fixed: q.Fixed}
		}
		m, sig, err := sc.ExperimentModel(ei)
		if err != nil {
			return nil, err
		}
		zm, err := sc.z0Model(ex.Z0, ex.Constants)
		if err != nil {
			return nil, fmt.Errorf("scenarios: experiment %s: z0: %w", ex.Name, err)
		}
		ie := identify.Experiment{Name: ex.Name, Holdout: !ex.Fit, Model: m, Theta: theta, Local: local,
			T0: ex.T0, Z0: newExprZ0(zm, len(sc.Params), theta), Times: ex.Times, Values: ex.Values}
		if len(sc.Observables) > 0 {
			om, err := sc.observationModel(ex.Constants)
			if err != nil {
				return nil, fmt.Errorf("scenarios: experiment %s: observables: %w", ex.Name, err)
			}
			ie.Observation = newExprObservation(om, n, len(sc.Params), theta, sig, len(sc.Inputs))
			for _, o := range sc.Observables {
				io := identify.Observable{Name: o.Name, LogNormal: o.LogNormal, Sigma: o.Sigma}
				if o.SigmaParam != "" {
					io.SigmaParam = theta[slices.Index(sc.ParamNames, o.SigmaParam)]
				}
				ie.Observables = append(ie.Observables, io)
			}
		} else {
			obs := sc.Observed
			if obs == nil {
				for i := range n {
					obs = append(obs, i)
				}
			}
			ie.Observation = identify.StateObservation(obs)
			for _, c := range obs {
				ie.Observables = append(ie.Observables, identify.Observable{Name: sc.StateNames[c], Sigma: 1})
			}
		}
		p.Experiments = append(p.Experiments, ie)
	}
	return p, nil
}

// firstZ0 sets T0 and Z0 of a likelihood scenario to the first
// experiment's at the init values.
func (d *decoder) firstZ0(sc *Scenario) {
	if d.err != nil || len(sc.Experiments) == 0 {
		return
	}
	e := sc.Experiments[0]
	zm, err := sc.z0Model(e.Z0, e.Constants)
	if err != nil {
		d.fail(e.path, err.Error())
		return
	}
	sc.T0, sc.Z0 = e.T0, make([]float64, len(e.Z0))
	zm.Func(sc.Z0, e.T0, make([]float64, len(e.Z0)), sc.Init())
}
