package identify

import (
	"context"
	"fmt"
	"math"

	"github.com/physid/physid/internal/adam"
)

// run is the paper's three-body training loop. After the last epoch the
// parameters it moved to are evaluated once more, so the final step counts.
func (a *Adam) run(ctx context.Context, ob *objective, o *Options, init []float64, state *OptimizerState, done int, sr *StartResult, rec func(int, float64, []float64)) error {
	ad := a.resolved()
	nf := len(ob.free)
	st := OptimizerState{U: ob.uOf(init), M: make([]float64, nf), V: make([]float64, nf), LR: ad.LR}
	if state != nil {
		st = OptimizerState{U: append([]float64(nil), state.U...), M: append([]float64(nil), state.M...),
			V: append([]float64(nil), state.V...), LR: state.LR, Step: state.Step}
	}
	b1, b2 := ad.Betas[0], ad.Betas[1]
	const eps = 1e-8
	g := make([]float64, nf)
	prev := math.NaN()
	save := func() { c := st; c.U, c.M, c.V = clone(st.U), clone(st.M), clone(st.V); sr.State = &c }
	save()
	for epoch := done + 1; epoch <= o.Epochs; epoch++ {
		if ctx.Err() != nil {
			sr.Status, sr.Message = "interrupted", fmt.Sprintf("stopped before epoch %d", epoch)
			return nil
		}
		loss, err := ob.eval(st.U, g)
		if err != nil || math.IsNaN(loss) || math.IsInf(loss, 0) {
			why := fmt.Sprint(err)
			if err == nil {
				why = "the loss is not a finite number"
			}
			sr.Status = "diverged"
			sr.Message = fmt.Sprintf("epoch %d: %s; keeping the best parameters found", epoch, why)
			return fmt.Errorf("%w at epoch %d: %s", ErrDiverged, epoch, why)
		}
		rec(epoch, loss, ob.thetaOf(st.U))
		// Adam stops early only on tolerances the caller set; whether it
		// converged is decided afterwards by the optimality test (judge).
		if o.gradTolSet && maxAbs(g) < o.GradTol {
			sr.Status, sr.Message = "stalled", fmt.Sprintf("largest |dL/du| below %g in the transformed coordinates", o.GradTol)
			return nil
		}
		if o.LossTol > 0 && math.Abs(loss-prev) <= o.LossTol*math.Abs(loss) {
			sr.Status, sr.Message = "loss_tol", fmt.Sprintf("loss change below %g relative", o.LossTol)
			return nil
		}
		prev = loss
		next := OptimizerState{U: clone(st.U), M: clone(st.M), V: clone(st.V), LR: st.LR, Step: st.Step + 1}
		adam.Step(next.U, g, next.M, next.V, next.Step, adam.Params{LR: next.LR, Beta1: b1, Beta2: b2, Eps: eps})
		next.LR *= ad.LRDecay
		if what, cause := nonFiniteState(&next, g, st.LR); what != "" {
			// A finite but huge gradient (or learning rate) overflows the
			// moments or the step: the state stays at the last finite point.
			sr.Status = "diverged"
			sr.Message = fmt.Sprintf("adam: %s at epoch %d (%s); keeping the best finite point", what, epoch, cause)
			return fmt.Errorf("%w: %s", ErrDiverged, sr.Message)
		}
		st = next
		save()
	}
	sr.Status = "max_epochs"
	if loss, err := ob.eval(st.U, nil); err == nil && loss < sr.Loss {
		sr.Params, sr.Loss = ob.thetaOf(st.U), loss
	}
	return nil
}

// nonFiniteState says which part of an Adam state after a step is not finite
// ("" when all are), and the gradient or learning rate that caused it.
func nonFiniteState(st *OptimizerState, g []float64, lr float64) (what, cause string) {
	switch {
	case !allFinite(st.V):
		return "the second-moment estimate overflowed", fmt.Sprintf("gradient %.3g", maxAbs(g))
	case !allFinite(st.M):
		return "the first-moment estimate overflowed", fmt.Sprintf("gradient %.3g", maxAbs(g))
	case !allFinite(st.U):
		return "the parameter update overflowed", fmt.Sprintf("learning rate %.3g, gradient %.3g", lr, maxAbs(g))
	case math.IsNaN(st.LR) || math.IsInf(st.LR, 0):
		return "the learning rate overflowed", fmt.Sprintf("%.3g before the decay", lr)
	}
	return "", ""
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func clone(x []float64) []float64 { return append([]float64(nil), x...) }
