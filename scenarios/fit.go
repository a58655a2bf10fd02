package scenarios

import (
	"fmt"
	"strings"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
)

// Optimizers lists the optimizer names a [fit] table (and the command line)
// accepts.
var Optimizers = []string{"adam", "lbfgs", "lm"}

// Covariances lists the covariance kinds [fit] covariance accepts.
var Covariances = []string{identify.Classic, identify.Sandwich}

// FitOptions is the [fit] table.
type FitOptions struct {
	// Optimizer is lm (default: bound-constrained least squares), lbfgs or
	// adam.
	Optimizer string
	// Epochs bounds the iterations; 0 (the default) means the optimizer's
	// limit: 200 for lm and lbfgs, 100 for adam.
	Epochs int
	// LR, LRDecay and Betas configure Adam (defaults 0.1, 1, [0.9, 0.999]).
	LR, LRDecay float64
	Betas       [2]float64
	// Seed drives the starting points (default 1); Starts is the number of
	// starts (default 1: the init; more are drawn inside the bounds); Jitter,
	// when set above 0, perturbs every start around the init by that relative
	// amount instead (default 0: none).
	Seed   uint64
	Starts int
	Jitter float64
	// GradTol is the optimality tolerance and LossTol the loss-change
	// tolerance (0: the defaults, 1e-6 and the optimizer's).
	GradTol, LossTol float64
	// Covariance is classic (default) or sandwich.
	Covariance string
}

// Extrapolation is the [extrapolate] table.
type Extrapolation struct {
	// T1 is the end of the extrapolation window, which starts at the initial time.
	T1 float64
	// Points is the number of equally spaced evaluation times (0: no table).
	Points int
}

// fit reads [fit].
func (d *decoder) fit(top *table, sc *Scenario) {
	ft, _ := top.sub("fit")
	ft.allow("optimizer", "epochs", "lr", "lr_decay", "betas", "seed", "starts", "jitter", "grad_tol", "loss_tol", "covariance")
	f := &sc.Fit
	f.Optimizer = ft.choice("optimizer", "lm", Optimizers)
	f.Epochs = ft.integer("epochs", 0)
	f.Covariance = ft.choice("covariance", identify.Classic, Covariances)
	f.LR = ft.positive("lr", 0.1)
	f.LRDecay = ft.positive("lr_decay", 1)
	f.Betas = [2]float64{0.9, 0.999}
	if ft.has("betas") {
		b, ok := ft.nums("betas")
		switch {
		case !ok:
		case len(b) != 2:
			d.failf(ft.at("betas"), "wrong length: %d values, want 2 (beta1, beta2)", len(b))
		case b[0] < 0 || b[0] >= 1 || b[1] < 0 || b[1] >= 1:
			d.failf(ft.at("betas"), "[%g, %g] must lie in [0, 1)", b[0], b[1])
		default:
			f.Betas = [2]float64{b[0], b[1]}
		}
	}
	seed := ft.integer("seed", 1)
	f.Starts = ft.integer("starts", 1)
	jit, hasJit := ft.num("jitter", 0)
	f.GradTol = ft.nonNegative("grad_tol")
	f.LossTol = ft.nonNegative("loss_tol")
	ft.done()
	if d.err != nil {
		return
	}
	switch {
	case ft.has("epochs") && f.Epochs < 1:
		d.failf(ft.at("epochs"), "%d is below 1", f.Epochs)
	case seed < 0:
		d.failf(ft.at("seed"), "%d is negative", seed)
	case f.Starts < 1 || f.Starts > 10000:
		d.failf(ft.at("starts"), "%d is out of range; want 1 to 10000", f.Starts)
	case hasJit && (jit < 0 || jit >= 1):
		d.failf(ft.at("jitter"), "%g is out of range; want 0 ≤ jitter < 1", jit)
	}
	f.Seed = uint64(seed)
	f.Jitter = jit
}

// extrapolate reads [extrapolate].
func (d *decoder) extrapolate(top *table, sc *Scenario) {
	et, present := top.sub("extrapolate")
	et.allow("t1", "points")
	if !present {
		et.done()
		return
	}
	if !et.has("t1") {
		d.fail(et.at("t1"), "missing key: the end of the extrapolation window")
		return
	}
	sc.Extrapolate.T1 = et.time("t1", 0)
	sc.Extrapolate.Points = et.integer("points", 1000)
	et.done()
	if d.err != nil {
		return
	}
	switch {
	case !(sc.Extrapolate.T1 > sc.T0):
		d.failf(et.at("t1"), "%g is not after the initial time %g", sc.Extrapolate.T1, sc.T0)
	case sc.Extrapolate.Points < 2 || sc.Extrapolate.Points > maxPoints:
		d.failf(et.at("points"), "%d is out of range; want 2 to %d", sc.Extrapolate.Points, maxPoints)
	}
}

// FitProblem returns the fitting problem: the model, the parameters (init,
// bounds, fixed), the known initial state, the observations with their time
// weights, the solver and the gradient method (ACA when the scenario names none).
//
// A likelihood scenario (see Likelihood) gives a problem with Experiments
// whose Params are FitNames: the model's parameters and a copy of each local
// one per further experiment.
func (sc *Scenario) FitProblem() *identify.Problem {
	if sc.Likelihood() {
		p, err := sc.likelihoodProblem()
		if err != nil {
			panic(fmt.Sprintf("scenarios: %s: %v (the loader checked this)", sc.File, err))
		}
		return p
	}
	method, _ := sc.Method()
	params := make([]identify.Parameter, len(sc.Params))
	for i, p := range sc.Params {
		params[i] = identify.Parameter{Name: p.Name, Init: p.Init, Min: p.Min, Max: p.Max, Fixed: p.Fixed}
	}
	return &identify.Problem{
		Model:    sc.Model,
		Params:   params,
		T0:       sc.T0,
		Z0:       append([]float64(nil), sc.Z0...),
		Times:    append([]float64(nil), sc.Times...),
		Observed: append([]int(nil), sc.Observed...),
		Values:   append([]float64(nil), sc.Values...),
		Weights:  sc.Weights(),
		Solver:   sc.Solver,
		Method:   method,
	}
}

// Optimizer returns the [fit] table's optimizer as a value, with its settings
// (Adam's lr, lr_decay and betas); LM when the table names none.
func (sc *Scenario) Optimizer() (identify.Optimizer, error) {
	f := sc.Fit
	switch f.Optimizer {
	case "adam":
		return &identify.Adam{LR: f.LR, LRDecay: f.LRDecay, Betas: f.Betas}, nil
	case "lbfgs":
		return &identify.LBFGS{}, nil
	case "lm", "":
		return &identify.LM{}, nil
	}
	return nil, fmt.Errorf("scenarios: unknown optimizer %q (allowed: %s)", f.Optimizer, strings.Join(Optimizers, ", "))
}

// Options returns the rest of the [fit] table as identify options. Epochs is
// resolved for the table's optimizer (200 for lm and lbfgs, 100 for adam)
// when the table gives none.
func (sc *Scenario) Options() *identify.Options {
	f := sc.Fit
	epochs := f.Epochs
	if epochs == 0 {
		epochs = 200
		if f.Optimizer == "adam" {
			epochs = 100
		}
	}
	return &identify.Options{Epochs: epochs, Seed: f.Seed, Starts: f.Starts, Jitter: f.Jitter,
		GradTol: f.GradTol, LossTol: f.LossTol, Covariance: f.Covariance}
}

// TruthSettings returns the solver settings for reference trajectories: the
// [data.simulate] tolerances when given, else the scenario's method at 1e-10.
func (sc *Scenario) TruthSettings() *aca.Settings {
	if sc.Simulate != nil {
		return sc.Simulate.Settings(sc.Solver)
	}
	return (&Simulation{RTol: 1e-10, ATol: 1e-10}).Settings(sc.Solver)
}
