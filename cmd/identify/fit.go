package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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

func fitCommand() command {
	return command{
		name: "fit",
		args: "SCENARIO [--out DIR] [--method aca|adjoint|naive|forward] [--optimizer lm|lbfgs|adam] [--epochs N] [--seed S] [--starts N] [--json] [--resume DIR] [--shard I/N|auto]",
		summary: `Fit the scenario's free parameters to its observations, extrapolate, and write
DIR/result.json, DIR/history.csv, DIR/trajectory.csv, DIR/orbits.png and DIR/loss.png
(default DIR: out/<scenario file name>). Without a [fit] optimizer the fit is
bound-constrained Levenberg–Marquardt (200 iterations, starts from the init as
given; [fit] starts = N adds N−1 starts drawn inside the bounds). A fit is
"converged" only when the projected gradient vanishes (first-order optimality);
otherwise, and for parameters at a bound or not identifiable, a "warning:" line
on stderr says so. Standard errors are classic s²(JᵀWJ)⁻¹ unless [fit]
covariance = "sandwich". Ctrl-C stops after the current epoch and still writes
the best result so far; --resume DIR continues it: Adam resumes exactly; LM and
L-BFGS restart from the best point found (the epochs keep counting).
The files are written as one set (into a temporary folder renamed into place)
under a lock file DIR.lock; a folder another fit is writing is refused (exit 2).
result.json holds at most 1000 history entries per start (evenly thinned,
"history_thinned": true); history.csv holds them all. A failed extrapolation
or plot is recorded in result.json ("extrapolation": {"error": ...},
"output_errors") and printed as a warning; the exit status is then still 0
when the fit succeeded. Exit 2 when the fit diverged (its best point is
written), 3 for an internal error (the other starts' results are written).
A scenario with experiments, observables or inputs is fitted by likelihood and
writes fit_<experiment>.png and fit_<experiment>.csv instead of trajectory.csv
and orbits.png, and result.json's experiments (validation metrics).`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var o fitFlags
			fset.StringVar(&o.out, "out", "", "output directory (default out/<scenario file name>)")
			fset.StringVar(&o.method, "method", "", "gradient method: aca, adjoint, naive or forward (default: the scenario's)")
			fset.StringVar(&o.optimizer, "optimizer", "", "optimizer: lm, lbfgs or adam (default: the scenario's [fit] optimizer, else lm)")
			fset.IntVar(&o.epochs, "epochs", 0, "maximum epochs, ≥ 1; a resumed fit counts the epochs already done (default: the scenario's [fit] epochs)")
			fset.Int64Var(&o.seed, "seed", -1, "seed of the starting points (default: the scenario's [fit] seed)")
			fset.BoolVar(&o.json, "json", false, "also print result.json to stdout")
			fset.StringVar(&o.resume, "resume", "", "continue the interrupted fit saved in this directory")
			fset.IntVar(&o.starts, "starts", 0, "number of starts, ≥ 1 (default: the scenario's [fit] starts)")
			sh := addShardFlag(fset)
			return func(pos []string, stdout, stderr io.Writer) error {
				o.shard = *sh
				if err := oneScenario("fit", pos, ""); err != nil {
					return err
				}
				o.file = pos[0]
				fset.Visit(func(f *flag.Flag) {
					o.epochsSet = o.epochsSet || f.Name == "epochs"
					o.startsSet = o.startsSet || f.Name == "starts"
				})
				return fit(o, stdout, stderr)
			}
		},
	}
}

type fitFlags struct {
	file, out, method, optimizer, resume string
	epochs                               int
	epochsSet                            bool // --epochs given: 0 is then an error, not the default
	seed                                 int64
	json                                 bool
	starts                               int
	startsSet                            bool   // --starts given
	shard                                string // --shard: this run is one shard (see shardfit.go)
}

// defaultOut is out/<scenario file name without extension>.
func defaultOut(file string) string {
	base := filepath.Base(file)
	return filepath.Join("out", strings.TrimSuffix(base, filepath.Ext(base)))
}

func fit(o fitFlags, stdout, progressOut io.Writer) error {
	sc, p, opts, opt, err := prepareFit(o)
	if err != nil {
		return err
	}
	if o.shard != "" {
		return fitShard(o, sc, p, opts, opt, stdout, progressOut)
	}
	dir := o.out
	if o.resume != "" {
		prev, err := readResume(o.resume) // before the folder is replaced
		if err != nil {
			return err
		}
		if err := checkResumeMatch(o.resume, prev, sc, opt, opts); err != nil {
			return err
		}
		opts.Resume = prev.Starts
		if dir == "" {
			dir = o.resume
		}
	}
	if dir == "" {
		dir = defaultOut(o.file)
	}
	set, err := openOutSet("--out", dir, fitOutputFiles(sc)...) // before the computation
	if err != nil {
		return err
	}
	defer set.close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgress(progressOut, sc.ParamNames, opts.Epochs, opts.Starts)
	opts.Progress = bar.update
	res, fitErr := identify.Fit(ctx, p, opts, opt)
	bar.done()
	return finishFit(set, dir, o, sc, p, opt, res, fitErr, stdout, progressOut)
}

// prepareFit loads the scenario and applies the flags: the fit that a
// single-machine run, each of its shards and their merge all set up alike.
func prepareFit(o fitFlags) (sc *scenarios.Scenario, p *identify.Problem, opts *identify.Options, opt identify.Optimizer, err error) {
	sc, err = scenarios.Load(o.file)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	p = sc.FitProblem()
	if o.method != "" {
		m, err := aca.ByName(o.method)
		if err != nil {
			return nil, nil, nil, nil, usagef("--method: unknown method %q (allowed: %s)", o.method, strings.Join(methodNames(), ", "))
		}
		p.Method = m
	}
	if o.optimizer != "" {
		if !contains(scenarios.Optimizers, o.optimizer) {
			return nil, nil, nil, nil, usagef("--optimizer: unknown optimizer %q (allowed: %s)", o.optimizer, strings.Join(scenarios.Optimizers, ", "))
		}
		sc.Fit.Optimizer = o.optimizer // the [fit] table's Adam settings still apply
	}
	opts = sc.Options() // after --optimizer: the default epochs depend on it
	opt, err = sc.Optimizer()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if o.epochsSet {
		if o.epochs < 1 {
			return nil, nil, nil, nil, usagef("--epochs must be ≥ 1 (got %d)", o.epochs)
		}
		opts.Epochs = o.epochs
	}
	if o.seed >= 0 {
		opts.Seed = uint64(o.seed)
	}
	if o.startsSet {
		if o.starts < 1 || o.starts > maxStarts {
			return nil, nil, nil, nil, usagef("--starts: %d is out of range; want 1 to %d", o.starts, maxStarts)
		}
		opts.Starts = o.starts
	}
	return sc, p, opts, opt, nil
}

// maxStarts bounds --starts: each start is a fit.
const maxStarts = 10000 // as [fit] starts

// finishFit writes a finished fit into the output set and reports it: the
// one output stage of a single-machine fit and of the merge of its shards,
// so that both write the same files.
func finishFit(set *outSet, dir string, o fitFlags, sc *scenarios.Scenario, p *identify.Problem, opt identify.Optimizer, res *identify.Result, fitErr error, stdout, progressOut io.Writer) error {
	internal := errors.Is(fitErr, identify.ErrInternal)
	if res == nil || res.Params == nil {
		if fitErr == nil {
			fitErr = errors.New("no result")
		}
		if internal {
			return internalError{fmt.Errorf("%s: fit failed: %w", o.file, fitErr)}
		}
		return fitError{fmt.Errorf("%s: fit failed: %w", o.file, fitErr)}
	}
	out := buildResult(sc, p, opt, res)
	warnings, err := writeFitOutputs(set, sc, p, res, out)
	if err != nil {
		return err
	}
	if err := set.commit(); err != nil {
		return err
	}
	if o.json {
		if err := printJSON(stdout, out); err != nil {
			return err
		}
	} else {
		printFit(stdout, sc, out, dir)
	}
	best := res.Starts[res.Best]
	for _, w := range append(warnings, fitWarnings(sc, out)...) {
		fmt.Fprintf(progressOut, "warning: %s\n", w)
	}
	if w := adjointWarning(aca.Stats{HasReconstruction: res.HasReconstruction, ReconstructionError: res.ReconstructionError}); w != "" {
		fmt.Fprintln(progressOut, w) // once, for the largest error of the fit
	}
	switch {
	case internal:
		return internalError{fmt.Errorf("%s: %w; the other starts' results are in %s", o.file, fitErr, dir)}
	case res.Interrupted:
		fmt.Fprintf(progressOut, "identify: interrupted; the best result so far is in %s; continue with --resume %s\n", dir, dir)
	case best.Status == "diverged":
		return fitError{fmt.Errorf("%s: the fit diverged: %s; the best parameters found are in %s", o.file, best.Message, dir)}
	}
	return nil
}

// fitFiles are the files of a fit's output set.
var fitFiles = []string{"result.json", "history.csv", "trajectory.csv", "orbits.png", "loss.png"}

// internalError is a bug met after some work was kept: exit status 3.
type internalError struct{ err error }

func (e internalError) Error() string { return e.err.Error() }
func (e internalError) Unwrap() error { return e.err }

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
	ev.Epoch = min(ev.Epoch, p.epochs) // never "epoch 101/100"
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
