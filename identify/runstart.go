package identify

import (
	"context"
	"fmt"
	"math"

	"github.com/physid/physid/aca"
)

// runStart runs start i from init (or from o.Resume[i]) and judges where it
// ended; it returns the start, its worst adjoint stats and its error.
func runStart(ctx context.Context, p *Problem, o *Options, opt Optimizer, i int, init []float64, progress func(Progress)) (StartResult, aca.Stats, error) {
	ob, err := newObjective(p)
	if err != nil {
		return StartResult{Start: i, Status: "diverged", Message: err.Error()}, aca.Stats{}, err
	}
	sr := StartResult{Start: i, Init: init, Loss: math.NaN()}
	var state *OptimizerState
	from := init // where the optimizer begins
	nfe, evals := 0, 0
	if i < len(o.Resume) {
		// Continue the start: its history, epochs and work carry on; Adam
		// from its state, LM and L-BFGS from its best point.
		prev := o.Resume[i]
		sr.History, sr.Epochs = prev.History, prev.Epochs
		if prev.Init != nil {
			sr.Init = prev.Init
		}
		nfe, evals = prev.NFE, prev.Evals
		if prev.Params != nil {
			sr.Params, sr.Loss = prev.Params, prev.Loss
			from = prev.Params
		} else {
			from = sr.Init
		}
		state = prev.State
	}
	rec := func(epoch int, loss float64, th []float64) {
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return // a failed trial point of a line search: not an epoch's result
		}
		if !math.IsNaN(loss) && (sr.Params == nil || math.IsNaN(sr.Loss) || loss < sr.Loss) {
			sr.Params, sr.Loss = th, loss
		}
		if epoch > o.Epochs {
			// The evaluation after the last step (LM's final point): it may
			// be the best point, but it is no epoch of its own, and no epoch
			// number above the total is ever reported.
			progress(Progress{Start: i, Epoch: o.Epochs, Epochs: o.Epochs, Loss: loss, Params: th})
			return
		}
		sr.History = append(sr.History, Epoch{Epoch: epoch, Loss: loss, Params: th})
		sr.Epochs = epoch
		progress(Progress{Start: i, Epoch: epoch, Epochs: o.Epochs, Loss: loss, Params: th})
	}
	if sr.Epochs >= o.Epochs {
		sr.Status, sr.Message = "max_epochs", fmt.Sprintf("all %d epochs were done before the resume", o.Epochs)
	} else {
		err = opt.run(ctx, ob, o, from, state, sr.Epochs, &sr, rec)
	}
	if sr.Params == nil {
		sr.Loss = 0 // no finite loss was reached; Status says why
	}
	if err != nil && sr.Status == "" {
		sr.Status, sr.Message = "diverged", err.Error()
	}
	judge(ob, o, &sr)
	sr.NFE, sr.Evals = nfe+ob.nfe, evals+ob.evals
	return sr, ob.worst, err
}
