package threebody

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/learned"
)

// runOutcome is a RunResult with what the row needs from the first run.
type runOutcome struct {
	RunResult
	params int // number of trained parameters
	epochs int // epochs planned
	// trained and theta are the trained network of node (nil otherwise).
	trained learned.Model
	theta   []float64
}

// run trains and evaluates one run; it never fails, reporting trouble in the status.
func (s *compareSetup) run(ctx context.Context, model, method string, seed uint64, report func(CompareProgress)) (runOutcome, []float64) {
	began := time.Now()
	var (
		out  runOutcome
		pred []float64 // full predicted states at s.times (Dim wide), or observed-only
		wide int       // row width of pred
		cols []int     // the observed components' columns in pred
		plot []int     // the plot components' columns in pred
	)
	progress := func(epoch, epochs int, loss float64) {
		report(CompareProgress{Model: model, Method: method, Seed: seed, Epoch: epoch, Epochs: epochs, Loss: loss})
	}
	switch model {
	case ModelODE:
		out, pred = s.runODE(ctx, method, seed, progress)
		wide, cols, plot = s.p.Model.Dim(), s.observed, s.plot
	case ModelNODE:
		out, pred = s.runNODE(ctx, method, seed, progress)
		wide, cols, plot = s.p.Model.Dim(), s.observed, s.plot
	default:
		out, pred = s.runLSTM(ctx, model == ModelLSTMAug, seed, progress)
		wide = len(s.observed)
		cols = make([]int, wide)
		for i := range cols {
			cols[i] = i
		}
		plot = make([]int, len(s.plot))
		for i, c := range s.plot {
			plot[i] = slices.Index(s.observed, c)
		}
	}
	out.Seed = seed
	out.TestMSE, out.FutureMSE = math.NaN(), math.NaN()
	var traj []float64
	if pred != nil {
		out.TestMSE, out.FutureMSE = s.score(func(k, j int) float64 { return pred[k*wide+cols[j]] })
		if math.IsNaN(out.TestMSE) || math.IsInf(out.TestMSE, 0) {
			out.TestMSE = math.NaN()
			if out.Status == StatusOK {
				out.Status, out.Message = StatusDiverged, "the prediction is not finite"
			}
		} else {
			for k := range s.times {
				for _, c := range plot {
					if c < 0 {
						traj = append(traj, math.NaN())
						continue
					}
					traj = append(traj, pred[k*wide+c])
				}
			}
		}
	}
	out.Seconds = time.Since(began).Seconds()
	return out, traj
}

// score returns the test MSE and future MSE of a prediction given as
// value(k, j) for test time k and observed component j.
func (s *compareSetup) score(value func(k, j int) float64) (mse, future float64) {
	n := s.p.Model.Dim()
	end := s.p.Times[len(s.p.Times)-1]
	var sum, fsum float64
	nf := 0
	for k, t := range s.times {
		row := 0.0
		for j, c := range s.observed {
			d := value(k, j) - s.truth[k*n+c]
			row += d * d
		}
		sum += row
		if t > end {
			fsum += row
			nf++
		}
	}
	no := float64(len(s.observed))
	mse = sum / (float64(len(s.times)) * no)
	future = math.NaN()
	if nf > 0 {
		future = fsum / (float64(nf) * no)
	}
	return mse, future
}

// persistence returns the errors of the trivial predictor of
// Comparison.PersistenceMSE.
func (s *compareSetup) persistence() (mse, future float64) {
	p := s.p
	K, no := len(p.Times), len(s.observed)
	return s.score(func(k, j int) float64 {
		t := s.times[k]
		i, _ := slices.BinarySearch(p.Times, t)
		switch {
		case i >= K:
			return p.Values[(K-1)*no+j]
		case i == 0 || p.Times[i] == t:
			return p.Values[i*no+j]
		}
		w := (t - p.Times[i-1]) / (p.Times[i] - p.Times[i-1])
		return (1-w)*p.Values[(i-1)*no+j] + w*p.Values[i*no+j]
	})
}

// runODE fits the physics model with identify.Fit.
func (s *compareSetup) runODE(ctx context.Context, method string, seed uint64, progress func(int, int, float64)) (runOutcome, []float64) {
	q := *s.p
	q.Method, _ = aca.ByName(method) // the names were checked with the config
	o := s.ode
	o.Seed, o.Starts, o.Workers, o.Resume = seed, 1, 1, nil
	o.Progress = func(ev identify.Progress) { progress(ev.Epoch, ev.Epochs, ev.Loss) }
	out := runOutcome{params: len(q.Params), epochs: o.Epochs, RunResult: RunResult{Status: StatusOK, ValMSE: math.NaN(), TrainLoss: math.NaN()}}
	for _, par := range q.Params {
		if par.Fixed {
			out.params--
		}
	}
	res, err := identify.Fit(ctx, &q, &o, s.odeOpt)
	if res != nil && len(res.Starts) > 0 {
		st := res.Starts[0]
		out.Epochs, out.TrainLoss = st.Epochs, st.Loss
		switch st.Status {
		case "diverged":
			out.Status, out.Message = StatusDiverged, st.Message
		case "interrupted":
			out.Status, out.Message = StatusInterrupted, st.Message
		}
	}
	if err != nil || res == nil || res.Params == nil {
		out.Status = StatusDiverged
		if err != nil {
			out.Message = err.Error()
		}
		return out, nil
	}
	out.Params = res.Params
	pred, err := identify.Simulate(q.Model, res.Params, q.T0, q.Z0, s.times, &q.Solver)
	if err != nil {
		out.Status, out.Message = StatusDiverged, fmt.Sprintf("extrapolating the fit: %v", err)
		return out, nil
	}
	return out, pred
}
