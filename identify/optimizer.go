package identify

import "context"

// Optimizer is a way of minimising a fit's objective, passed to Fit as a value:
// &Adam{}, &LBFGS{} or &LM{}. Each carries its own settings, whose zero values
// work, and Fit never changes them. The interface is sealed (its other methods
// are unexported) because an optimizer works on the package's internal
// objective (Adam and L-BFGS in the unconstrained coordinates of the bound
// transforms, LM in the parameters' own coordinates with box constraints).
type Optimizer interface {
	// Name is the optimizer's name in results: adam, lbfgs or lm.
	Name() string
	// defaults returns what Options.Epochs and Options.LossTol mean when 0.
	defaults() (epochs int, lossTol float64)
	// run minimises ob from init (or from state, resuming after done epochs),
	// calls rec with a fresh copy of θ after every epoch and fills sr's status.
	run(ctx context.Context, ob *objective, o *Options, init []float64, state *OptimizerState, done int, sr *StartResult, rec func(int, float64, []float64)) error
}

// Adam is Adam (Kingma & Ba 2015) on the optimizer coordinates, one full-batch
// gradient per epoch, with the learning rate multiplied by LRDecay after each
// epoch: the paper's three-body training. Adam resumes exactly (its state is
// saved); LM and L-BFGS restart from the best point found.
type Adam struct {
	// LR is the learning rate; 0 means 0.1.
	LR float64
	// LRDecay multiplies the learning rate after each epoch; 0 means 1 (none).
	LRDecay float64
	// Betas are the moment decay rates; zeros mean (0.9, 0.999).
	Betas [2]float64
}

// Name returns "adam".
func (*Adam) Name() string { return "adam" }

// defaults: 100 epochs; Adam stops on the tolerances only when they are set.
func (*Adam) defaults() (int, float64) { return 100, 0 }

// resolved returns a copy with the defaults filled in.
func (a *Adam) resolved() Adam {
	r := *a
	if r.LR == 0 {
		r.LR = 0.1
	}
	if r.LRDecay == 0 {
		r.LRDecay = 1
	}
	if r.Betas == [2]float64{} {
		r.Betas = [2]float64{0.9, 0.999}
	}
	return r
}

// LBFGS is limited-memory BFGS from gonum/optimize; each major iteration is an
// epoch. The zero value keeps gonum's defaults.
type LBFGS struct {
	// Store is the number of past updates kept; 0 means gonum's default (15).
	Store int
}

// Name returns "lbfgs".
func (*LBFGS) Name() string { return "lbfgs" }

// defaults: 200 epochs, 1e-15 relative on the loss.
func (*LBFGS) defaults() (int, float64) { return 200, 1e-15 }

// LM is projected Levenberg–Marquardt on the weighted residuals with box
// constraints in the parameters' own coordinates (bounds are reached, and a
// parameter at a bound is released when the gradient points inward), with the
// Jacobian from forward sensitivities (aca.Forward); each accepted step is an
// epoch. It is Fit's default optimizer.
type LM struct {
	// Lambda is the initial damping; 0 means 1e-3.
	Lambda float64
	// Windows is the number of continuation stages: the fit first runs on
	// the leading K/2^(Windows−1) observation times, then on twice as many,
	// each stage starting where the last ended, up to all K times (a stage
	// keeps at least (free parameters)+2 times). Short windows have fewer
	// local minima: an oscillation fitted over a growing window cannot lock
	// onto the wrong phase. 0 means 4; 1 means none. A stage may use half of
	// the epochs left; its iterations count in the epoch numbers but not in
	// the history, which holds the full-data iterations only.
	Windows int
}

// Name returns "lm".
func (*LM) Name() string { return "lm" }

// defaults: 200 epochs, 1e-15 relative on the loss.
func (*LM) defaults() (int, float64) { return 200, 1e-15 }
