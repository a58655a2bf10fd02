package main

import (
	"context"
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
	"text/tabwriter"

	"github.com/physid/physid/internal/atomicfile"
	"github.com/physid/physid/internal/experiments/threebody"
	"github.com/physid/physid/learned"
	"github.com/physid/physid/scenarios"
)

// compareJSON is compare.json; the fields scenario, runs, models (with model,
// gradient_method, test_mse_mean, test_mse_std, seconds, parameters) and paper
// are a stable contract.
type compareJSON struct {
	Scenario string             `json:"scenario"`
	Runs     int                `json:"runs"`
	Models   []compareModelJSON `json:"models"`
	Paper    comparePaperJSON   `json:"paper"`
	// Beyond the contract.
	Budget               string   `json:"budget"`
	TrainEnd             float64  `json:"train_end"`
	Horizon              float64  `json:"horizon"`
	TestPoints           int      `json:"test_points"`
	PersistenceMSE       *float64 `json:"persistence_mse"`
	PersistenceFutureMSE *float64 `json:"persistence_future_mse"`
	Seconds              float64  `json:"seconds"`
	Interrupted          bool     `json:"interrupted"`
}

type compareModelJSON struct {
	Model          string   `json:"model"`
	GradientMethod *string  `json:"gradient_method"`
	TestMSEMean    *float64 `json:"test_mse_mean"`
	TestMSEStd     *float64 `json:"test_mse_std"`
	Seconds        float64  `json:"seconds"`
	Parameters     int      `json:"parameters"`
	// Beyond the contract.
	FutureMSEMean *float64               `json:"future_mse_mean"`
	Diverged      int                    `json:"diverged"`
	Status        string                 `json:"status"`
	RunResults    []threebody.RunResult  `json:"run_results"`
	Paper         *threebody.PaperResult `json:"paper"`
}

type comparePaperJSON struct {
	Source string                  `json:"source"`
	Models []threebody.PaperResult `json:"models"`
}

// The budgets of --budget.
var compareBudgets = map[string]threebody.Budget{
	"full":    threebody.DefaultBudget(),
	"reduced": threebody.ReducedBudget(),
}

func compareCommand() command {
	return command{
		name: "compare",
		args: "SCENARIO [--runs N] [--models lstm,lstm-aug,node,ode] [--methods aca,adjoint,naive] [--budget full|reduced] [--out DIR] [--json] [--shard I/N|auto]",
		summary: `Train the learned models of the paper's Sec. 4.4 (lstm, lstm-aug, node) and the
physics model (ode) on the scenario's observed window, with seeds 1..N, and
report the test MSE of the observed components against the truth on [t0, t1]
of the scenario's [extrapolate] (default: twice the observed window) as mean ±
std over runs, beside the paper's Table 5. node and ode are trained with each
gradient method. Writes DIR/compare.json and DIR/compare.png (default DIR:
out/compare-<scenario file name>). The scenario needs the true parameter
values (to simulate the truth); lstm-aug and node need an N-body system with
all positions observed. Ctrl-C stops every run after its current epoch and
still writes the results, marked interrupted.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var o compareFlags
			fset.IntVar(&o.runs, "runs", 3, "runs per model, with seeds 1..N (at least 1)")
			fset.StringVar(&o.models, "models", strings.Join(threebody.CompareModels, ","), "comma-separated models: "+strings.Join(threebody.CompareModels, ", "))
			fset.StringVar(&o.methods, "methods", strings.Join(threebody.CompareMethods, ","), "comma-separated gradient methods of node and ode: "+strings.Join(threebody.CompareMethods, ", "))
			fset.StringVar(&o.budget, "budget", "full", "training length: full (the paper's) or reduced (a quick look)")
			fset.StringVar(&o.out, "out", "", "output directory (default out/compare-<scenario file name>)")
			fset.BoolVar(&o.json, "json", false, "print compare.json to stdout instead of the table")
			sh := addShardFlag(fset)
			return func(pos []string, stdout, stderr io.Writer) error {
				o.shard = *sh
				if err := oneScenario("compare", pos, ""); err != nil {
					return err
				}
				o.file = pos[0]
				return compare(o, stdout, stderr)
			}
		},
	}
}

type compareFlags struct {
	file, models, methods, budget, out string
	runs                               int
	json                               bool
	shard                              string // --shard: this run is one shard (see shardcompare.go)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// checkList returns a usage error for an empty list, an unknown or a repeated entry.
func checkList(flagName string, list, allowed []string) error {
	if len(list) == 0 {
		return usagef("--%s: empty list (allowed: %s)", flagName, strings.Join(allowed, ", "))
	}
	seen := map[string]bool{}
	for _, x := range list {
		if !contains(allowed, x) {
			return usagef("--%s: unknown entry %q (allowed: %s)", flagName, x, strings.Join(allowed, ", "))
		}
		if seen[x] {
			return usagef("--%s: %q listed twice", flagName, x)
		}
		seen[x] = true
	}
	return nil
}

func compare(o compareFlags, stdout, stderr io.Writer) error {
	sc, cfg, err := compareConfig(o)
	if err != nil {
		return err
	}
	dir := o.out
	if dir == "" {
		base := filepath.Base(o.file)
		dir = filepath.Join("out", "compare-"+strings.TrimSuffix(base, filepath.Ext(base)))
	}
	if err := checkOutDir("--out", dir); err != nil { // before the computation
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg.Progress = compareProgress(stderr, o.runs*compareRows(cfg.Models, cfg.Methods))
	if o.shard != "" {
		return compareShard(ctx, o, dir, cfg, stdout)
	}
	cmp, err := threebody.CompareThreeBody(ctx, cfg)
	if err != nil {
		if errors.Is(err, threebody.ErrCompare) {
			return usagef("%s: %v", o.file, err)
		}
		return runtimeError{err}
	}
	if err := writeCompare(o, sc, dir, cmp, stdout); err != nil {
		return err
	}
	if cmp.Interrupted {
		fmt.Fprintf(stderr, "identify: interrupted; the runs were evaluated as they stood and are marked interrupted in %s\n", dir)
	}
	return nil
}

// compareConfig checks the flags, loads the scenario and returns the
// comparison's configuration (without Progress).
func compareConfig(o compareFlags) (*scenarios.Scenario, threebody.CompareConfig, error) {
	var cfg threebody.CompareConfig
	if o.runs < 1 {
		return nil, cfg, usagef("--runs: %d; the run count must be at least 1", o.runs)
	}
	models, methods := splitList(o.models), splitList(o.methods)
	if err := checkList("models", models, threebody.CompareModels); err != nil {
		return nil, cfg, err
	}
	if err := checkList("methods", methods, threebody.CompareMethods); err != nil {
		return nil, cfg, err
	}
	budget, ok := compareBudgets[o.budget]
	if !ok {
		return nil, cfg, usagef("--budget: unknown budget %q (allowed: full, reduced)", o.budget)
	}
	sc, err := scenarios.Load(o.file)
	if err != nil {
		return nil, cfg, err
	}
	truth, ok := sc.TrueValues()
	if !ok {
		return nil, cfg, usagef("%s: compare needs the true value of every parameter ([[parameters]] value = ...) to simulate the test truth", o.file)
	}
	opt, err := sc.Optimizer()
	if err != nil {
		return nil, cfg, err
	}
	cfg = threebody.CompareConfig{
		Problem: sc.FitProblem(), TrueParams: truth, Truth: sc.TruthSettings(), Runs: o.runs,
		Models: models, Methods: methods, Budget: budget, ODE: sc.Options(), ODEOptimizer: opt,
	}
	if sc.Extrapolate.Points > 0 {
		cfg.Horizon, cfg.Points = sc.Extrapolate.T1, sc.Extrapolate.Points
	}
	// The ode rows use the scenario's [fit] optimizer settings but the
	// budget's epochs: the comparison is about training length as much as
	// about the model.
	cfg.ODE.Epochs = 0
	cfg.ODE.Progress = nil
	return sc, cfg, nil
}

// compareProgress returns the progress callback that prints a line to stderr
// as each of the total runs ends.
func compareProgress(stderr io.Writer, total int) func(threebody.CompareProgress) {
	done := 0
	return func(ev threebody.CompareProgress) {
		if !ev.Done {
			return
		}
		done++
		name := ev.Model
		if ev.Method != "" {
			name += " (" + ev.Method + ")"
		}
		fmt.Fprintf(stderr, "[%d/%d] %s, seed %d: test MSE %s, %d epochs, %.1f s, %s\n",
			done, total, name, ev.Seed, fmtMSE(ev.Run.TestMSE), ev.Run.Epochs, ev.Run.Seconds, ev.Run.Status)
	}
}

// writeCompare writes compare.json, the node models and compare.png into
// dir, and prints the table (or the JSON with --json) to stdout.
func writeCompare(o compareFlags, sc *scenarios.Scenario, dir string, cmp *threebody.Comparison, stdout io.Writer) error {
	out := buildCompareJSON(sc.Name, o.budget, cmp)
	if err := writeJSON(filepath.Join(dir, "compare.json"), out); err != nil {
		return err
	}
	saved, err := saveCompareModels(dir, cmp)
	if err != nil {
		return err
	}
	if err := plotCompare(filepath.Join(dir, "compare.png"), sc.Name, cmp); err != nil {
		return runtimeError{fmt.Errorf("compare.png: %w", err)}
	}
	if o.json {
		return printJSON(stdout, out)
	}
	printCompare(stdout, out, cmp, dir)
	for _, f := range saved {
		fmt.Fprintf(stdout, "saved %s (run it again: identify extrapolate %s --from %s)\n", f, o.file, f)
	}
	return nil
}

// saveCompareModels writes the first run's trained network of every node row
// to DIR/models/node-METHOD.json (learned.Save's format) and returns the paths.
func saveCompareModels(dir string, cmp *threebody.Comparison) ([]string, error) {
	var paths []string
	for _, r := range cmp.Rows {
		if r.Trained == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, "models"), 0o755); err != nil {
			return nil, runtimeError{err}
		}
		path := filepath.Join(dir, "models", r.Model+"-"+r.Method+".json")
		err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return learned.Save(w, r.Trained, r.TrainedTheta) })
		if err != nil {
			return nil, runtimeError{fmt.Errorf("saving %s: %w", path, err)}
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// compareRows is the number of table rows of models and methods.
func compareRows(models, methods []string) int {
	n := 0
	for _, m := range models {
		if m == threebody.ModelNODE || m == threebody.ModelODE {
			n += len(methods)
		} else {
			n++
		}
	}
	return n
}

func buildCompareJSON(name, budget string, cmp *threebody.Comparison) *compareJSON {
	out := &compareJSON{
		Scenario: name, Runs: cmp.Runs, Budget: budget, TrainEnd: cmp.TrainEnd,
		Horizon: cmp.Times[len(cmp.Times)-1], TestPoints: len(cmp.Times),
		PersistenceMSE: finite(cmp.PersistenceMSE), PersistenceFutureMSE: finite(cmp.PersistenceFutureMSE),
		Seconds: cmp.Seconds, Interrupted: cmp.Interrupted,
		Paper: comparePaperJSON{
			Source: "Zhuang et al., ICML 2020, Table 5: three-body problem, trained on [0, 1] year, test MSE on [0, 2] years, mean ± std of 3 runs",
			Models: cmp.Paper,
		},
	}
	for _, r := range cmp.Rows {
		row := compareModelJSON{
			Model: r.Model, TestMSEMean: finite(r.TestMSEMean), TestMSEStd: finite(r.TestMSEStd),
			Seconds: r.Seconds, Parameters: r.Parameters, FutureMSEMean: finite(r.FutureMSEMean),
			Diverged: r.Diverged, Status: r.Status, RunResults: r.Runs,
		}
		if r.Method != "" {
			m := r.Method
			row.GradientMethod = &m
		}
		for i, p := range cmp.Paper {
			if p.Model == r.Model && p.Method == r.Method {
				row.Paper = &cmp.Paper[i]
			}
		}
		out.Models = append(out.Models, row)
	}
	return out
}

// finite returns &x, or nil (JSON null) for NaN and infinities.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func fmtMSE(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.3g", x)
}

func fmtPtr(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmtMSE(*p)
}

// printCompare prints the Table 5 layout with the paper's numbers beside ours.
func printCompare(w io.Writer, out *compareJSON, cmp *threebody.Comparison, dir string) {
	fmt.Fprintf(w, "%s: test MSE of the observed components on [%g, %g] (%d points; trained on [%g, %g]), %d run(s) per row, %s budget\n\n",
		out.Scenario, cmp.Times[0], out.Horizon, out.TestPoints, cmp.Times[0], out.TrainEnd, out.Runs, out.Budget)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\tgradient\ttest MSE (mean ± std)\tfuture MSE\tseconds/run\tparameters\tpaper (three-body, Table 5)\tstatus")
	for _, r := range out.Models {
		meth := "-"
		if r.GradientMethod != nil {
			meth = *r.GradientMethod
		}
		paper := "-"
		if r.Paper != nil {
			paper = fmt.Sprintf("%.3g ± %.2g", r.Paper.Mean, r.Paper.Std)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s ± %s\t%s\t%.1f\t%d\t%s\t%s\n", r.Model, meth, fmtPtr(r.TestMSEMean), fmtPtr(r.TestMSEStd),
			fmtPtr(r.FutureMSEMean), r.Seconds, r.Parameters, paper, r.Status)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nfor scale: standing still at the last observation scores test MSE %s (future %s)\n",
		fmtPtr(out.PersistenceMSE), fmtPtr(out.PersistenceFutureMSE))
	fmt.Fprintf(w, "%.0f s in all; wrote %s and %s\n", out.Seconds,
		filepath.Join(dir, "compare.json"), filepath.Join(dir, "compare.png"))
}

// reproduceThreeBody is `identify reproduce three-body`: the paper's Table 5
// and Fig. 8, three runs of every model on scenarios/three_body.toml.
func reproduceThreeBody(dir string, stdout, stderr io.Writer) error {
	return compare(compareFlags{
		file: filepath.Join("scenarios", "three_body.toml"), runs: 3, budget: "full", out: dir,
		models: strings.Join(threebody.CompareModels, ","), methods: strings.Join(threebody.CompareMethods, ","),
	}, stdout, stderr)
}
