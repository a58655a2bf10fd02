package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/physid/physid/aca"
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
	History        []historyJSON        `json:"history"`
	Extrapolation  *extrapolationJSON   `json:"extrapolation"`
	// Beyond the contract: why the fit stopped, and what --resume needs.
	Status      string                 `json:"status"`
	Message     string                 `json:"message,omitempty"`
	Interrupted bool                   `json:"interrupted"`
	ParamOrder  []string               `json:"parameter_order"`
	Starts      []identify.StartResult `json:"starts"`
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

type historyJSON struct {
	Epoch  int                `json:"epoch"`
	Loss   float64            `json:"loss"`
	Params map[string]float64 `json:"params"`
}

type extrapolationJSON struct {
	T1     float64  `json:"t1"`
	Points int      `json:"points"`
	MSE    *float64 `json:"mse"`
	// Against says what the MSE compares with: "truth" (simulated at the true
	// values) or "data" (the observations).
	Against string `json:"against"`
}

func fitCommand() command {
	return command{
		name: "fit",
		args: "SCENARIO [--out DIR] [--method aca|adjoint|naive|forward] [--optimizer lm|lbfgs|adam] [--epochs N] [--seed S] [--json] [--resume DIR]",
		summary: `Fit the scenario's free parameters to its observations, extrapolate, and write
DIR/result.json, DIR/trajectory.csv, DIR/orbits.png and DIR/loss.png
(default DIR: out/<scenario file name>). Without a [fit] optimizer the fit is
bound-constrained Levenberg–Marquardt (200 iterations, starts from the init as
given; [fit] starts = N adds N−1 starts drawn inside the bounds). A fit is
"converged" only when the projected gradient vanishes (first-order optimality);
otherwise, and for parameters at a bound or not identifiable, a "warning:" line
on stderr says so. Standard errors are classic s²(JᵀWJ)⁻¹ unless [fit]
covariance = "sandwich". Ctrl-C stops after the current epoch and still writes
the best result so far; --resume DIR continues it. A scenario with
experiments, observables or inputs is fitted by likelihood and writes
fit_<experiment>.png and fit_<experiment>.csv instead of trajectory.csv and
orbits.png, and result.json's experiments (validation metrics).`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var o fitFlags
			fset.StringVar(&o.out, "out", "", "output directory (default out/<scenario file name>)")
			fset.StringVar(&o.method, "method", "", "gradient method: aca, adjoint, naive or forward (default: the scenario's)")
			fset.StringVar(&o.optimizer, "optimizer", "", "optimizer: lm, lbfgs or adam (default: the scenario's [fit] optimizer, else lm)")
			fset.IntVar(&o.epochs, "epochs", 0, "maximum epochs (default: the scenario's [fit] epochs)")
			fset.Int64Var(&o.seed, "seed", -1, "seed of the starting points (default: the scenario's [fit] seed)")
			fset.BoolVar(&o.json, "json", false, "also print result.json to stdout")
			fset.StringVar(&o.resume, "resume", "", "continue the interrupted fit saved in this directory")
			return func(pos []string, stdout, stderr io.Writer) error {
				if len(pos) != 1 {
					return usagef("fit needs exactly one SCENARIO file, got %d arguments", len(pos))
				}
				o.file = pos[0]
				return fit(o, stdout, stderr)
			}
		},
	}
}

type fitFlags struct {
	file, out, method, optimizer, resume string
	epochs                               int
	seed                                 int64
	json                                 bool
}

// defaultOut is out/<scenario file name without extension>.
func defaultOut(file string) string {
	base := filepath.Base(file)
	return filepath.Join("out", strings.TrimSuffix(base, filepath.Ext(base)))
}

func fit(o fitFlags, stdout, progressOut io.Writer) error {
	sc, err := scenarios.Load(o.file)
	if err != nil {
		return err
	}
	p := sc.FitProblem()
	if o.method != "" {
		m, err := aca.ByName(o.method)
		if err != nil {
			return usagef("--method: unknown method %q (allowed: %s)", o.method, strings.Join(methodNames(), ", "))
		}
		p.Method = m
	}
	if o.optimizer != "" {
		if !contains(scenarios.Optimizers, o.optimizer) {
			return usagef("--optimizer: unknown optimizer %q (allowed: %s)", o.optimizer, strings.Join(scenarios.Optimizers, ", "))
		}
		sc.Fit.Optimizer = o.optimizer // the [fit] table's Adam settings still apply
	}
	opts := sc.Options() // after --optimizer: the default epochs depend on it
	opt, err := sc.Optimizer()
	if err != nil {
		return err
	}
	if o.epochs < 0 {
		return usagef("--epochs: %d is negative", o.epochs)
	} else if o.epochs > 0 {
		opts.Epochs = o.epochs
	}
	if o.seed >= 0 {
		opts.Seed = uint64(o.seed)
	}
	dir := o.out
	if o.resume != "" {
		prev, err := readResultFile(filepath.Join(o.resume, "result.json"))
		if err != nil {
			return err
		}
		if prev.Optimizer != opt.Name() {
			return usagef("--resume: %s was fitted with %s, not %s", o.resume, prev.Optimizer, opt.Name())
		}
		opts.Resume = prev.Starts
		if dir == "" {
			dir = o.resume
		}
	}
	if dir == "" {
		dir = defaultOut(o.file)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("--out: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgress(progressOut, sc.ParamNames, opts.Epochs, opts.Starts)
	opts.Progress = bar.update
	res, fitErr := identify.Fit(ctx, p, opts, opt)
	bar.done()
	if res == nil || res.Params == nil {
		if fitErr == nil {
			fitErr = errors.New("no result")
		}
		return fitError{fmt.Errorf("%s: fit failed: %w", o.file, fitErr)}
	}
	out := buildResult(sc, p, opt, res)
	if err := writeFitOutputs(dir, sc, p, res, out); err != nil {
		return err
	}
	if o.json {
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		printFit(stdout, sc, out, dir)
	}
	best := res.Starts[res.Best]
	for _, w := range fitWarnings(sc, out) {
		fmt.Fprintf(progressOut, "warning: %s\n", w)
	}
	switch {
	case res.Interrupted:
		fmt.Fprintf(progressOut, "identify: interrupted; the best result so far is in %s; continue with --resume %s\n", dir, dir)
	case best.Status == "diverged":
		return fitError{fmt.Errorf("%s: the fit diverged: %s; the best parameters found are in %s", o.file, best.Message, dir)}
	}
	return nil
}

// fitError is a fit that failed or diverged: exit status 2, as for bad input,
// since the usual cause is a scenario that cannot be fitted as given.
type fitError struct{ err error }

func (e fitError) Error() string { return e.err.Error() }
func (e fitError) Unwrap() error { return e.err }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
	out.Waterfall = waterfall(sc.ParamNames, res.Starts)
	out.Experiments = buildExperiments(p, res)
	for _, e := range best.History {
		h := historyJSON{Epoch: e.Epoch, Loss: e.Loss, Params: map[string]float64{}}
		for i, name := range sc.ParamNames {
			h.Params[name] = e.Params[i]
		}
		out.History = append(out.History, h)
	}
	return out
}

// writeFitOutputs extrapolates and writes result.json, trajectory.csv,
// orbits.png and loss.png into dir.
func writeFitOutputs(dir string, sc *scenarios.Scenario, p *identify.Problem, res *identify.Result, out *resultJSON) error {
	if sc.Likelihood() {
		_, err := writeLikelihoodOutputs(dir, sc, p, res, out)
		return err
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
		var err error
		ex, err = identify.Extrapolate(p, res.Params, t1, points, truth, sc.TruthSettings())
		if err != nil {
			return runtimeError{fmt.Errorf("%s: %w", sc.File, err)}
		}
		mse := ex.MSE
		against := "truth"
		if truth == nil {
			against = "data"
		}
		out.Extrapolation = &extrapolationJSON{T1: t1, Points: points, MSE: &mse, Against: against}
	}
	if err := writeJSON(filepath.Join(dir, "result.json"), out); err != nil {
		return err
	}
	if ex != nil {
		if err := writeTrajectory(filepath.Join(dir, "trajectory.csv"), sc, ex); err != nil {
			return err
		}
		if err := plotOrbits(filepath.Join(dir, "orbits.png"), sc, ex); err != nil {
			return runtimeError{err}
		}
	}
	if err := plotLoss(filepath.Join(dir, "loss.png"), res); err != nil {
		return runtimeError{err}
	}
	return nil
}

// progress shows a fit's progress: a redrawn bar on a terminal, plain lines
// (about twenty per start) otherwise.
type progress struct {
	w      io.Writer
	tty    bool
	names  []string
	epochs int
	starts int
	began  time.Time
	drawn  bool
}

func newProgress(w io.Writer, names []string, epochs, starts int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty, names: names, epochs: epochs, starts: starts, began: time.Now()}
}

func (p *progress) update(ev identify.Progress) {
	frac := float64(ev.Epoch) / float64(p.epochs)
	if p.starts > 1 {
		frac = (float64(ev.Start) + frac) / float64(p.starts)
	}
	el := time.Since(p.began)
	eta := "?"
	if frac > 0 {
		eta = (time.Duration(float64(el)/frac) - el).Round(time.Second / 10).String()
	}
	var params []string
	for i, v := range ev.Params {
		if i < len(p.names) && i < 6 {
			params = append(params, fmt.Sprintf("%s=%.6g", p.names[i], v))
		}
	}
	if len(ev.Params) > 6 {
		params = append(params, "…")
	}
	if p.tty {
		const width = 24
		n := int(frac * width)
		n = max(0, min(n, width))
		fmt.Fprintf(p.w, "\r[%s%s] start %d epoch %d/%d loss %.4g %s ETA %s\x1b[K",
			strings.Repeat("=", n), strings.Repeat(" ", width-n), ev.Start+1, ev.Epoch, p.epochs, ev.Loss, strings.Join(params, " "), eta)
		p.drawn = true
		return
	}
	every := max(1, p.epochs/20)
	if ev.Epoch%every == 0 || ev.Epoch == 1 || ev.Epoch >= p.epochs {
		fmt.Fprintf(p.w, "start %d epoch %d/%d loss %.6g %s\n", ev.Start+1, ev.Epoch, p.epochs, ev.Loss, strings.Join(params, " "))
	}
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
