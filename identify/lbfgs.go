package identify

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

var errStop = errors.New("identify: stopped")

// run minimizes with gonum's L-BFGS in the transformed coordinates u (bounds
// through the smooth transform, so a bound is approached, never reached). The loss and gradient of one point come
// from one gradient evaluation (cached between gonum's Func and Grad calls).
// It saves no state: a resume (done > 0) restarts from init, the start's best
// point, with a fresh memory and the epochs numbered after done.
func (l *LBFGS) run(ctx context.Context, ob *objective, o *Options, init []float64, _ *OptimizerState, done int, sr *StartResult, rec func(int, float64, []float64)) error {
	nf := len(ob.free)
	var cacheU, cacheG []float64
	cacheL := math.NaN()
	var lastErr error
	evalAt := func(u []float64) float64 {
		if cacheU != nil && equal(cacheU, u) {
			return cacheL
		}
		g := make([]float64, nf)
		l, err := ob.eval(u, g)
		if err != nil || math.IsNaN(l) || math.IsInf(l, 0) {
			// An infinite value makes the line search back off.
			lastErr = err
			l = math.Inf(1)
		}
		cacheU, cacheG, cacheL = clone(u), g, l
		return l
	}
	prob := optimize.Problem{
		Func: evalAt,
		Grad: func(grad, u []float64) {
			evalAt(u)
			copy(grad, cacheG)
		},
	}
	epoch := done
	r := &recorder{record: func(loc *optimize.Location, op optimize.Operation) error {
		if op != optimize.MajorIteration {
			return nil
		}
		epoch++
		rec(epoch, loc.F, ob.thetaOf(loc.X))
		if ctx.Err() != nil {
			sr.Status, sr.Message = "interrupted", fmt.Sprintf("stopped after epoch %d", epoch)
			return errStop
		}
		return nil
	}}
	settings := &optimize.Settings{
		MajorIterations:   o.Epochs - done, // ≥ 1: runStart runs no optimizer with nothing left
		GradientThreshold: 1e-12,           // in u; whether it converged is judged in θ afterwards
		Converger:         &optimize.FunctionConverge{Relative: o.LossTol, Iterations: 5},
		Recorder:          r,
	}
	res, err := optimize.Minimize(prob, ob.uOf(init), settings, &optimize.LBFGS{Store: l.Store})
	if errors.Is(err, errStop) {
		return nil
	}
	if res != nil && (sr.Params == nil || res.F < sr.Loss) && !math.IsInf(res.F, 0) {
		sr.Params, sr.Loss = ob.thetaOf(res.X), res.F
	}
	if res != nil {
		sr.Status, sr.Message = statusOf(res.Status), res.Status.String()
	}
	if err != nil {
		if lastErr != nil {
			err = fmt.Errorf("%w (last evaluation: %v)", err, lastErr)
		}
		if sr.Params != nil {
			// A line search that cannot improve is the usual end at the
			// optimum's rounding floor: report it, keep the result.
			sr.Message = err.Error()
			if sr.Status == "" || sr.Status == "failure" {
				sr.Status = "stalled" // judge decides whether it is an optimum
			}
			return nil
		}
		return err
	}
	return nil
}

// statusOf names why gonum stopped; judge then replaces it with "converged"
// when the optimality test passes in θ.
func statusOf(s optimize.Status) string {
	switch s {
	case optimize.IterationLimit:
		return "max_epochs"
	case optimize.FunctionConvergence:
		return "loss_tol"
	case optimize.Failure:
		return "failure"
	}
	return "stalled"
}

type recorder struct {
	record func(*optimize.Location, optimize.Operation) error
}

func (*recorder) Init() error { return nil }
func (r *recorder) Record(l *optimize.Location, op optimize.Operation, _ *optimize.Stats) error {
	return r.record(l, op)
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
