package main

import (
	"fmt"
	"io"
	"math"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
)

// resultJSON is result.json; its field names are a stable contract.
type resultJSON struct {
	Scenario       string               `json:"scenario"`
	GradientMethod string               `json:"gradient_method"`
	Optimizer      string               `json:"optimizer"`
	Parameters     map[string]paramJSON `json:"parameters"`
	Loss           float64              `json:"loss"`
	Epochs         int                  `json:"epochs"`
	Seconds        float64              `json:"seconds"`
	NFE            int                  `json:"nfe"`
	// History is the best start's history, at most maxHistory entries
	// (HistoryThinned: evenly thinned, the first and last kept; the full
	// history of every start is in history.csv).
	History        []historyJSON      `json:"history"`
	HistoryThinned bool               `json:"history_thinned,omitempty"`
	Extrapolation  *extrapolationJSON `json:"extrapolation"`
	// OutputErrors maps a file that could not be made (a plot, the
	// trajectory) to why; the fit itself is in this file all the same.
	OutputErrors map[string]string `json:"output_errors,omitempty"`
	// Beyond the contract: why the fit stopped, and what --resume needs.
	Status      string   `json:"status"`
	Message     string   `json:"message,omitempty"`
	Interrupted bool     `json:"interrupted"`
	ParamOrder  []string `json:"parameter_order"`
	// Fixed names the parameters held fixed, which --resume checks.
	Fixed  []string               `json:"fixed"`
	Starts []identify.StartResult `json:"starts"`
	// Covariance is the covariance of the fitted parameters (kind, the
	// parameters it covers, matrix, correlation); null when none.
	Covariance *identify.Covariance `json:"covariance"`
	// Waterfall lists every start's end point, best (lowest loss) first.
	Waterfall []waterfallJSON `json:"waterfall"`
	// Experiments measures each experiment of a likelihood scenario (local
	// parameters, per-observable rmse, nrmse, fit_percent); absent otherwise.
	Experiments []experimentJSON `json:"experiments,omitempty"`
}

// paramJSON is one parameter: Init is the actual starting point of the best
// start; AtBound is "min", "max" or null; StdErrNote says why StdErr is null
// (or that it is only indicative).
type paramJSON struct {
	Value      float64  `json:"value"`
	Init       float64  `json:"init"`
	True       *float64 `json:"true"`
	StdErr     *float64 `json:"stderr"`
	StdErrNote string   `json:"stderr_note,omitempty"`
	AtBound    *string  `json:"at_bound"`
}

// waterfallJSON is one start's end point.
type waterfallJSON struct {
	Start  int                `json:"start"`
	Loss   *float64           `json:"loss"`
	Status string             `json:"status"`
	Params map[string]float64 `json:"params"`
}

// historyJSON is one epoch of the best start's history.
type historyJSON struct {
	Epoch  int                `json:"epoch"`
	Loss   float64            `json:"loss"`
	Params map[string]float64 `json:"params"`
}

// extrapolationJSON is the extrapolation of the fitted model past the data.
type extrapolationJSON struct {
	T1     float64  `json:"t1"`
	Points int      `json:"points"`
	MSE    *float64 `json:"mse"`
	// Against says what the MSE compares with: "truth" (simulated at the true
	// values) or "data" (the observations).
	Against string `json:"against"`
	// Error says why the extrapolation failed (MSE is then null); the fit
	// result is written all the same.
	Error string `json:"error,omitempty"`
}

// printJSON prints v as result.json is written: non-finite numbers as null.
func printJSON(w io.Writer, v any) error {
	b, _, err := marshalJSON(v)
	if err != nil {
		return runtimeError{err}
	}
	fmt.Fprintf(w, "%s\n", b)
	return nil
}

// buildResult assembles result.json, with the extrapolation error when the
// scenario has an [extrapolate] table.
func buildResult(sc *scenarios.Scenario, p *identify.Problem, opt identify.Optimizer, res *identify.Result) *resultJSON {
	best := res.Starts[res.Best]
	out := &resultJSON{
		Scenario: sc.Name, GradientMethod: "aca", Optimizer: opt.Name(),
		Parameters: map[string]paramJSON{}, Loss: res.Loss, Epochs: res.Epochs, Seconds: res.Seconds, NFE: res.NFE,
		Status: best.Status, Message: best.Message, Interrupted: res.Interrupted, ParamOrder: sc.ParamNames, Starts: res.Starts,
	}
	if p.Method != nil {
		out.GradientMethod = p.Method.Name()
	}
	out.Covariance = res.Covariance
	for i, sp := range sc.Params {
		if sp.Local {
			continue // in experiments[].local_parameters
		}
		pj := paramJSON{Value: res.Params[i], Init: sp.Init}
		if i < len(best.Init) {
			pj.Init = best.Init[i]
		}
		if sp.HasValue {
			v := sp.Value
			pj.True = &v
		}
		if res.StdErr != nil && !math.IsNaN(res.StdErr[i]) {
			v := res.StdErr[i]
			pj.StdErr = &v
		}
		if res.StdErrNote != nil {
			pj.StdErrNote = res.StdErrNote[i]
		}
		if i < len(best.AtBound) && best.AtBound[i] != "" {
			b := best.AtBound[i]
			pj.AtBound = &b
		}
		out.Parameters[sp.Name] = pj
	}
	out.Fixed = []string{}
	for _, sp := range sc.Params {
		if sp.Fixed {
			out.Fixed = append(out.Fixed, sp.Name)
		}
	}
	out.Waterfall = waterfall(sc.ParamNames, res.Starts)
	out.Starts = make([]identify.StartResult, len(res.Starts))
	for i, s := range res.Starts {
		var thinned bool
		s.History, thinned = thinHistory(s.History)
		out.HistoryThinned = out.HistoryThinned || thinned
		out.Starts[i] = s
	}
	out.Experiments = buildExperiments(p, res)
	history, _ := thinHistory(best.History)
	for _, e := range history {
		h := historyJSON{Epoch: e.Epoch, Loss: e.Loss, Params: map[string]float64{}}
		for i, name := range sc.ParamNames {
			h.Params[name] = e.Params[i]
		}
		out.History = append(out.History, h)
	}
	return out
}

// writeFitOutputs extrapolates and writes result.json, history.csv,
// trajectory.csv, orbits.png and loss.png into the set. result.json is
// written whatever happens to the others: a failed extrapolation, trajectory
// or plot is recorded in it and returned as a warning, never as an error.
func writeFitOutputs(set *outSet, sc *scenarios.Scenario, p *identify.Problem, res *identify.Result, out *resultJSON) (warnings []string, err error) {
	failed := func(file string, err error) {
		if out.OutputErrors == nil {
			out.OutputErrors = map[string]string{}
		}
		out.OutputErrors[file] = err.Error()
		warnings = append(warnings, fmt.Sprintf("%s was not written: %v", file, err))
	}
	if err := writeHistoryCSV(set.path("history.csv"), sc.ParamNames, res.Starts); err != nil {
		failed("history.csv", err)
	}
	if sc.Likelihood() {
		writeLikelihoodOutputs(set, sc, p, res, failed)
		return warnings, writeJSON(set.path("result.json"), out)
	}
	t1, points := sc.Extrapolate.T1, sc.Extrapolate.Points
	if points == 0 { // no [extrapolate]: the observed window
		t1, points = sc.Times[len(sc.Times)-1], 1000
	}
	var ex *identify.Extrapolation
	if t1 > p.T0 {
		truth, hasTruth := sc.TrueValues()
		if !hasTruth {
			truth = nil
		}
		against := "truth"
		if truth == nil {
			against = "data"
		}
		out.Extrapolation = &extrapolationJSON{T1: t1, Points: points, Against: against}
		err := safely(func() error {
			var err error
			ex, err = identify.Extrapolate(p, res.Params, t1, points, truth, sc.TruthSettings())
			return err
		})
		if err != nil {
			ex = nil
			out.Extrapolation.Error = err.Error()
			warnings = append(warnings, fmt.Sprintf("the extrapolation to t1 = %g failed: %v; the fit is in result.json all the same", t1, err))
		} else {
			mse := ex.MSE
			out.Extrapolation.MSE = &mse
		}
	}
	if ex != nil {
		if err := safely(func() error { return writeTrajectory(set.path("trajectory.csv"), sc, ex) }); err != nil {
			failed("trajectory.csv", err)
		}
		if err := safely(func() error { return plotOrbits(set.path("orbits.png"), sc, ex) }); err != nil {
			failed("orbits.png", err)
		}
	}
	if err := safely(func() error { return plotLoss(set.path("loss.png"), res) }); err != nil {
		failed("loss.png", err)
	}
	return warnings, writeJSON(set.path("result.json"), out)
}

// safely runs f, turning a panic into an error, so that an output file that
// cannot be made never costs the fit's result.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return f()
}
