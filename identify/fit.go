package identify

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/physid/physid/aca"
	"golang.org/x/sync/errgroup"
)

// Options configures a fit, whatever the optimizer; the optimizer's own settings
// live in its value (Adam, LBFGS, LM). The zero value means the optimizer's
// epoch limit (200 for LM and L-BFGS, 100 for Adam), one start from the init
// as given, the optimality tolerance 1e-6, the classic covariance and
// GOMAXPROCS workers.
type Options struct {
	// Epochs bounds the iterations (Adam: gradient steps; L-BFGS and LM: major
	// iterations); 0 means 200 (LM, L-BFGS) or 100 (Adam).
	Epochs int
	// GradTol is the first-order optimality tolerance that decides
	// "converged" for every optimizer: the largest cosine between the
	// weighted residuals and a Jacobian column, over the parameters not held
	// at a bound (the projected gradient, scaled; see StartResult.Optimality).
	// LM stops when it holds. 0 means 1e-6. Adam also stops early when the
	// largest |dL/du| falls below it, but only when it is set.
	GradTol float64
	// LossTol stops when the loss changes by less than LossTol·|L| between
	// epochs (status loss_tol unless the optimality test passes); 0 means the
	// optimizer's default: never (Adam) or 1e-15 (L-BFGS, LM).
	LossTol float64
	// Seed drives the starting points; the same seed gives the same numbers.
	Seed uint64
	// Starts is the number of starting points; 0 means 1. Start 0 is the
	// init as given; the others are drawn inside the bounds (see Jitter and
	// StartPoints).
	Starts int
	// Jitter, when positive, perturbs every start around the init instead:
	// θ = init·(1 + U(−Jitter, Jitter)) (or init + U(−Jitter, Jitter) for
	// init 0), start 0 included: the paper's three-body runs. 0 or negative
	// means no jitter.
	Jitter float64
	// Covariance is the kind of covariance reported: "classic" (default) or
	// "sandwich"; see EstimateCovariance.
	Covariance string
	// Workers bounds the goroutines running starts; 0 means GOMAXPROCS.
	Workers int
	// Progress, when not nil, is called after every epoch of every start, never
	// concurrently.
	Progress func(Progress)
	// Resume continues an interrupted fit from its starts (Result.Starts, one
	// per start, of the same problem and optimizer). Adam resumes exactly
	// from its saved state; LM and L-BFGS, which save none, restart from the
	// start's best point. Either way the epochs continue counting after the
	// ones done, the history and the work (NFE, Evals) carry on, and the
	// epoch limit is the fit's total. A resume that does not fit the problem
	// (parameter count, free parameters, state lengths) is an error.
	Resume []StartResult
	// Only, when not nil, runs only the starts k with Only(k), the share of
	// one shard of a fit split over machines. Every start keeps the point
	// it has in the whole fit (StartPoints of all Starts), so a start's
	// result does not depend on which shard runs it. Fit then returns the
	// records of those starts (Result.Starts, in increasing order, and the
	// totals) without choosing a best start or estimating a covariance;
	// MergeFits does that over the records of all the shards.
	Only func(k int) bool

	gradTolSet bool // GradTol was given by the caller, not defaulted
}

// Progress reports one epoch of one start.
type Progress struct {
	Start, Epoch, Epochs int
	Loss                 float64
	Params               []float64
}

// Epoch is one entry of a fit's history.
type Epoch struct {
	Epoch  int       `json:"epoch"`
	Loss   float64   `json:"loss"`
	Params []float64 `json:"params"`
}

// StartResult is the outcome of one starting point.
type StartResult struct {
	// Start is the index of the starting point.
	Start int `json:"start"`
	// Init is the start's actual starting θ.
	Init []float64 `json:"init"`
	// Params is the best θ found and Loss its loss (nil and 0 when no finite
	// loss was reached).
	Params []float64 `json:"params"`
	Loss   float64   `json:"loss"`
	// Epochs is the number of epochs run; NFE and Evals count work.
	Epochs int `json:"epochs"`
	NFE    int `json:"nfe"`
	Evals  int `json:"evals"`
	// History has one entry per epoch.
	History []Epoch `json:"history"`
	// Status says why the start stopped. "converged" means the first-order
	// optimality test passed at Params (Optimality ≤ Options.GradTol), or the
	// residuals are within 10× the solver tolerances of the data (a
	// zero-residual fit, where the cosine is rounding noise);
	// otherwise max_epochs (the epoch limit), loss_tol (the loss stopped
	// moving), stalled (no step lowers the loss, or the optimizer's own test
	// in its coordinates passed), interrupted or diverged. Message explains.
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	// Optimality is the projected-gradient cosine at Params (see
	// Options.GradTol); AtBound labels each parameter at its bound with
	// AtMin or AtMax ("" inside its bounds or fixed).
	Optimality float64  `json:"optimality"`
	AtBound    []string `json:"at_bound,omitempty"`
	// State is what resuming needs: the optimizer coordinates and Adam's moments.
	State *OptimizerState `json:"state,omitempty"`
}

// OptimizerState is the resumable state of a start.
type OptimizerState struct {
	U    []float64 `json:"u"`
	M    []float64 `json:"m,omitempty"`
	V    []float64 `json:"v,omitempty"`
	LR   float64   `json:"lr,omitempty"`
	Step int       `json:"step"`
}

// Result is the outcome of a fit: the best start's parameters with standard
// errors, and every start's record.
type Result struct {
	// Params is the best θ (all parameters, fixed ones included), Loss its loss.
	Params []float64
	Loss   float64
	// Status is the best start's status.
	Status string
	// StdErr holds the standard errors of Covariance's kind, NaN where
	// StdErrNote says why there is none (fixed, at a bound, not identifiable);
	// nil when they could not be computed at all. StdErrNote also marks the
	// values of an unconverged fit as indicative.
	StdErr     []float64
	StdErrNote []string
	// Covariance is the covariance of the best parameters (nil when it could
	// not be computed).
	Covariance *Covariance
	// Best is the index into Starts of the best start (the start's number
	// too, unless Options.Only left starts out); −1 when there is none.
	Best int
	// Starts holds every start's record.
	Starts []StartResult
	// Epochs and NFE total the work of all starts; Seconds is wall time.
	Epochs, NFE int
	Seconds     float64
	// Interrupted is true when the context ended the fit early.
	Interrupted bool
	// ReconstructionError is the largest adjoint reconstruction error met by
	// any gradient evaluation of any start (aca.Stats.ReconstructionError);
	// HasReconstruction says whether there was one (the adjoint method only).
	ReconstructionError float64
	HasReconstruction   bool
	// Experiments measures each experiment of a likelihood problem at Params
	// (nil for the single-experiment form).
	Experiments []ExperimentResult
}

// ErrInternal marks a start that panicked: a bug, not a property of the
// problem. Fit still returns the other starts' results with it.
var ErrInternal = errors.New("identify: internal error")

// resolved returns a copy with the defaults filled in, the tolerances from opt.
func (o *Options) resolved(opt Optimizer) Options {
	r := *o
	epochs, lossTol := opt.defaults()
	if r.Epochs == 0 {
		r.Epochs = epochs
	}
	if r.Starts == 0 {
		r.Starts = 1
	}
	if r.Jitter < 0 {
		r.Jitter = 0
	}
	if r.Workers == 0 {
		r.Workers = runtime.GOMAXPROCS(0)
	}
	r.gradTolSet = r.GradTol > 0
	if r.GradTol == 0 {
		r.GradTol = 1e-6
	}
	if r.LossTol == 0 {
		r.LossTol = lossTol
	}
	if r.Covariance == "" {
		r.Covariance = Classic
	}
	return r
}

// Fit fits the problem's free parameters. Starts run in parallel with results
// independent of scheduling. When ctx ends, every start stops after its current
// epoch and Fit returns the best found so far with Interrupted set. A start
// that diverges keeps its best parameters; Fit fails only when every start
// failed before its first finite loss. Nil options mean the defaults and a nil
// optimizer means &LM{}, bound-constrained least squares; like gonum's
// optimize.Minimize, Fit changes neither. Every start's status is judged by
// the same first-order optimality test in θ (see StartResult.Status).
//
// A start that panics (a bug) is recorded as diverged with the panic in its
// message, and Fit returns the other starts' result with an error wrapping
// ErrInternal.
func Fit(ctx context.Context, p *Problem, opts *Options, opt Optimizer) (res *Result, err error) {
	if opts == nil {
		opts = &Options{}
	}
	if opt == nil {
		opt = &LM{}
	}
	if p.Likelihood() && !p.plain {
		return fitLikelihood(ctx, p, opts, opt)
	}
	o := opts.resolved(opt)
	if err := o.check(p, opt); err != nil {
		return nil, err
	}
	began := time.Now()
	res = &Result{Starts: make([]StartResult, o.Starts)}
	ran, errs, internal := runStarts(ctx, p, &o, opt, res)
	res.Seconds = time.Since(began).Seconds()
	if o.Only != nil {
		kept := res.Starts[:0]
		for i, s := range res.Starts {
			if ran[i] {
				kept = append(kept, s)
			}
		}
		res.Starts = kept
		res.total()
		res.Best = -1
		return res, internal
	}
	return res, finish(p, &o, res, internal, errs)
}

// runStarts runs the starts o.Only selects (all when nil) into res.Starts,
// at most o.Workers at a time, and keeps their largest reconstruction error.
// It returns which starts ran, each start's error and the panics joined.
func runStarts(ctx context.Context, p *Problem, o *Options, opt Optimizer, res *Result) (ran []bool, errs []error, internal error) {
	var mu sync.Mutex
	progress := func(ev Progress) {
		if o.Progress != nil {
			mu.Lock()
			defer mu.Unlock() // a panic in the callback must not block the other starts
			o.Progress(ev)
		}
	}
	// A start's failure is its own (recorded in its StartResult), so no task
	// returns an error to the group: the group only bounds the goroutines.
	// The design is that of all the starts, whichever of them run (Only).
	inits := StartPoints(p, o.Starts, o.Seed, o.Jitter)
	var g errgroup.Group
	g.SetLimit(o.Workers)
	errs = make([]error, o.Starts)
	worst := make([]aca.Stats, o.Starts)
	panicked := make([]error, o.Starts)
	ran = make([]bool, o.Starts)
	for i := range o.Starts {
		if o.Only != nil && !o.Only(i) {
			continue
		}
		ran[i] = true
		g.Go(func() error {
			defer func() {
				// A panic is a bug; it ends its start only, so that the
				// others' results are still returned.
				if r := recover(); r != nil {
					panicked[i] = fmt.Errorf("%w in start %d: %v\n%s", ErrInternal, i, r, debug.Stack())
					res.Starts[i] = StartResult{Start: i, Init: inits[i], Status: "diverged", Message: fmt.Sprintf("internal error: %v", r)}
					errs[i] = panicked[i]
				}
			}()
			res.Starts[i], worst[i], errs[i] = runStart(ctx, p, o, opt, i, inits[i], progress)
			return nil
		})
	}
	_ = g.Wait()
	for i, w := range worst {
		if ran[i] {
			res.addStats(w)
		}
	}
	return ran, errs, errors.Join(panicked...)
}

// check rejects resolved options Fit cannot run with on p and opt.
func (o *Options) check(p *Problem, opt Optimizer) error {
	if o.Covariance != Classic && o.Covariance != Sandwich {
		return fmt.Errorf("identify: unknown covariance %q (allowed: classic, sandwich)", o.Covariance)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if o.Starts < 1 || o.Epochs < 1 {
		return fmt.Errorf("identify: starts and epochs must be at least 1 (got %d, %d)", o.Starts, o.Epochs)
	}
	if len(p.free()) == 0 {
		return errors.New("identify: every parameter is fixed; nothing to fit")
	}
	return checkResume(p, o, opt)
}

// checkResume checks that o.Resume belongs to this problem and optimizer, so
// that a resumed start cannot index past its vectors.
func checkResume(p *Problem, o *Options, opt Optimizer) error {
	if len(o.Resume) == 0 {
		return nil
	}
	if len(o.Resume) != o.Starts {
		return fmt.Errorf("identify: resume: %d starts saved, the fit has %d", len(o.Resume), o.Starts)
	}
	np, nf := len(p.Params), len(p.free())
	for i, s := range o.Resume {
		for _, v := range []struct {
			name string
			x    []float64
			want int
		}{{"init", s.Init, np}, {"params", s.Params, np}} {
			if v.x != nil && len(v.x) != v.want {
				return fmt.Errorf("identify: resume: start %d has %d %s values, the problem has %d parameters", i, len(v.x), v.name, v.want)
			}
		}
		if s.Epochs < 0 {
			return fmt.Errorf("identify: resume: start %d has %d epochs", i, s.Epochs)
		}
		if st := s.State; st != nil {
			if _, ok := opt.(*Adam); !ok {
				continue // LM and L-BFGS restart from the best point; a state is ignored
			}
			if len(st.U) != nf || len(st.M) != nf || len(st.V) != nf {
				return fmt.Errorf("identify: resume: start %d has a state for %d free parameters (u %d, m %d, v %d values), the problem has %d",
					i, len(st.U), len(st.U), len(st.M), len(st.V), nf)
			}
			if st.Step < 0 {
				return fmt.Errorf("identify: resume: start %d has step %d", i, st.Step)
			}
		}
	}
	return nil
}
