package latent

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/physid/physid/learned/latent"
	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/stat"
)

// PaperTable4 is the ACA paper's Table 4: test MSE ×1e-2 of hopper
// interpolation with 10%, 20% and 50% of the time points observed. The rnn
// and gru rows are Rubanova et al.'s numbers, which the paper quotes; the
// baselines here, trained on the same task as the latent ODE, do much better
// (see learned/latent's package doc).
var PaperTable4 = map[string][3]float64{
	"rnn":                {2.45, 1.71, 0.79},
	"gru":                {1.97, 1.42, 0.75},
	"latent-ode/adjoint": {0.47, 0.44, 0.40},
	"latent-ode/naive":   {0.36, 0.30, 0.29},
	"latent-ode/aca":     {0.31, 0.27, 0.26},
}

// paperFractions are the observed fractions of PaperTable4's columns.
var paperFractions = [3]float64{0.1, 0.2, 0.5}

// CompareConfig describes a Table 4 comparison: every model (rnn, gru, and
// the latent ODE trained with adjoint, naive and aca) at every observed
// fraction, over several seeds.
type CompareConfig struct {
	// Base holds the training settings shared by all runs (Epochs,
	// Sequences, sizes…); its Model, Method, Observed and Seed are set per run.
	Base latent.TrainConfig
	// Observed are the fractions, one column each; nil means 0.1, 0.2, 0.5.
	Observed []float64
	// Seeds is the number of seeds per cell (seeds 1…Seeds); 0 means 2.
	Seeds int
	// Workers is the number of runs trained at once; 0 means 2.
	Workers int
	// Only, when not nil, trains only the runs (tasks) k with Only(k), the
	// share of one shard: the runs are numbered row by row (rnn, gru, the
	// latent ODE with adjoint, naive, aca), then by fraction, then by seed.
	// See CompareRuns and CompareFromRuns.
	Only func(task int) bool
}

// Cell is one entry of the table: the test MSE over seeds (mean ±
// population standard deviation).
type Cell struct {
	Observed float64 `json:"observed"`
	// Mean and Std are the mean and the population standard deviation of the
	// seeds' test MSE.
	Mean float64 `json:"test_mse_mean"`
	Std  float64 `json:"test_mse_std"`
	// Paper is the paper's value (×1e-2 removed), or nil when it has none.
	Paper        *float64 `json:"paper_test_mse,omitempty"`
	EpochSeconds float64  `json:"epoch_seconds"`
}

// Row is one model (and gradient method) across the fractions.
type Row struct {
	Name  string `json:"name"`
	Model string `json:"model"`
	// Method is the latent ODE's gradient method, "-" for the baselines.
	Method string `json:"method"`
	Cells  []Cell `json:"cells"`
	// EpochSeconds is the mean wall time of one training epoch over the
	// row's runs (Workers runs share the machine while it is measured).
	EpochSeconds float64 `json:"epoch_seconds"`
}

// Comparison is the filled table and every run behind it.
type Comparison struct {
	Observed []float64       `json:"observed"`
	Seeds    int             `json:"seeds"`
	Epochs   int             `json:"epochs"`
	Rows     []Row           `json:"rows"`
	Runs     []latent.Result `json:"runs"`
	// MeanMSE is the mean predictor's test MSE (the same for every run).
	MeanMSE float64 `json:"mean_mse"`
	// Examples holds, by row name, the seed-1 model at the first fraction,
	// for plotting reconstructions.
	Examples map[string]*latent.Fitted `json:"-"`
}

// compareRows are the table's rows in the paper's order.
var compareRows = []struct{ name, model, method string }{
	{"rnn", "rnn", ""},
	{"gru", "gru", ""},
	{"latent-ode/adjoint", "latent-ode", "adjoint"},
	{"latent-ode/naive", "latent-ode", "naive"},
	{"latent-ode/aca", "latent-ode", "aca"},
}

// Compare trains every row at every fraction and seed (Workers at a time) and
// summarises the test MSE as mean ± population standard deviation over
// seeds (stat.PopMeanStdDev). done, if not nil, receives each finished run,
// never concurrently. Every number depends only on the runs' seeds, not on
// scheduling: results are kept by run index and summed in that order.
func Compare(d *latent.Dataset, cfg CompareConfig, done func(latent.Result)) (*Comparison, error) {
	runs, err := CompareRuns(d, cfg, done)
	if err != nil {
		return nil, err
	}
	return CompareFromRuns(d, cfg, runs)
}

// CompareRun is one trained model of Compare: job Task in the order of the
// table (row, then observed fraction, then seed 1 … Seeds). Theta is kept
// for the examples (the first fraction, seed 1), whose Fitted the table
// rebuilds with latent.Refit.
type CompareRun struct {
	Task   int
	Result latent.Result
	Theta  []float64
}

// CompareRuns trains the runs of Compare, those k with cfg.Only(k) when
// Only is not nil (the share of one shard), in task order. A failed run is
// an error naming it; the errors of all runs are joined in task order.
func CompareRuns(d *latent.Dataset, cfg CompareConfig, done func(latent.Result)) ([]CompareRun, error) {
	cfg, err := cfg.resolved()
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	jobs := compareJobs(cfg)
	var tasks []int
	if cfg.Only != nil {
		kept := jobs[:0]
		for k, j := range jobs {
			if cfg.Only(k) {
				kept = append(kept, j)
				tasks = append(tasks, k)
			}
		}
		jobs = kept
	} else {
		for k := range jobs {
			tasks = append(tasks, k)
		}
	}
	outs := runJobs(d, jobs, cfg.Workers, done)
	var runs []CompareRun
	var errs []error
	for i, o := range outs {
		if o.err != nil {
			errs = append(errs, fmt.Errorf("%s at %v observed, seed %d: %w", compareRows[o.row].name, o.cfg.Observed, o.cfg.Seed, o.err))
			continue
		}
		run := CompareRun{Task: tasks[i], Result: *o.res}
		if o.col == 0 && o.cfg.Seed == 1 {
			run.Theta = o.fit.Theta
		}
		runs = append(runs, run)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return runs, nil
}

// CompareFromRuns assembles Compare's table from all its runs, in any order
// (the runs of every shard together); an error names a run missing or given
// twice.
func CompareFromRuns(d *latent.Dataset, cfg CompareConfig, runs []CompareRun) (*Comparison, error) {
	cfg, err := cfg.resolved()
	if err != nil {
		return nil, err
	}
	jobs := compareJobs(cfg)
	byTask := make([]*CompareRun, len(jobs))
	for i := range runs {
		r := &runs[i]
		switch {
		case r.Task < 0 || r.Task >= len(jobs):
			return nil, fmt.Errorf("%w: run %d of %d", latent.ErrConfig, r.Task, len(jobs))
		case byTask[r.Task] != nil:
			return nil, fmt.Errorf("%w: run %d is given twice", latent.ErrConfig, r.Task)
		}
		byTask[r.Task] = r
	}
	cmp := &Comparison{Observed: cfg.Observed, Seeds: cfg.Seeds, Examples: map[string]*latent.Fitted{}}
	mse := make([][][]float64, len(compareRows))
	secs := make([][][]float64, len(compareRows))
	for r := range mse {
		mse[r], secs[r] = make([][]float64, len(cfg.Observed)), make([][]float64, len(cfg.Observed))
	}
	for k, j := range jobs {
		run := byTask[k]
		if run == nil {
			return nil, fmt.Errorf("%w: run %d (%s at %v observed, seed %d) is missing", latent.ErrConfig, k, compareRows[j.row].name, j.cfg.Observed, j.cfg.Seed)
		}
		res := run.Result
		cmp.Runs = append(cmp.Runs, res)
		if j.col == 0 && j.cfg.Seed == 1 {
			fit, err := latent.Refit(d, j.cfg, run.Theta)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", compareRows[j.row].name, err)
			}
			cmp.Examples[compareRows[j.row].name] = fit
		}
		cmp.Epochs, cmp.MeanMSE = res.Epochs, res.MeanMSE
		mse[j.row][j.col] = append(mse[j.row][j.col], res.TestMSE)
		secs[j.row][j.col] = append(secs[j.row][j.col], res.EpochSeconds)
	}
	for r := range compareRows {
		cmp.Rows = append(cmp.Rows, tableRow(r, cfg.Observed, mse[r], secs[r]))
	}
	return cmp, nil
}

// resolved returns cfg with its defaults filled in, or an ErrConfig.
func (cfg CompareConfig) resolved() (CompareConfig, error) {
	if cfg.Observed == nil {
		cfg.Observed = paperFractions[:]
	}
	if cfg.Seeds == 0 {
		cfg.Seeds = 2
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if cfg.Seeds < 1 || cfg.Workers < 1 || len(cfg.Observed) == 0 {
		return cfg, fmt.Errorf("%w: %d seeds, %d workers, %d fractions (want ≥ 1 each)", latent.ErrConfig, cfg.Seeds, cfg.Workers, len(cfg.Observed))
	}
	for _, f := range cfg.Observed {
		if !(f > 0 && f <= 1) {
			return cfg, fmt.Errorf("%w: observed fraction %v outside (0, 1]", latent.ErrConfig, f)
		}
	}
	return cfg, nil
}

// compareJob is one training run of the table: row, column and its settings.
type compareJob struct {
	row, col int
	cfg      latent.TrainConfig
}

// compareOutcome is a finished compareJob.
type compareOutcome struct {
	compareJob
	res *latent.Result
	fit *latent.Fitted
	err error
}

// compareJobs lists the runs by row, then fraction, then seed.
func compareJobs(cfg CompareConfig) []compareJob {
	var jobs []compareJob
	for r, row := range compareRows {
		for c, f := range cfg.Observed {
			for s := 1; s <= cfg.Seeds; s++ {
				tc := cfg.Base
				tc.Model, tc.Method, tc.Observed, tc.Seed = row.model, row.method, f, uint64(s)
				jobs = append(jobs, compareJob{r, c, tc})
			}
		}
	}
	return jobs
}

// runJobs trains the jobs, workers at a time, and returns their outcomes by
// job index. done, if not nil, is called for each successful run under a
// lock.
func runJobs(d *latent.Dataset, jobs []compareJob, workers int, done func(latent.Result)) []compareOutcome {
	outs := make([]compareOutcome, len(jobs))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(workers)
	for i, j := range jobs {
		g.Go(func() error {
			res, fit, err := latent.Train(d, j.cfg, nil)
			outs[i] = compareOutcome{j, res, fit, err}
			if err == nil && done != nil {
				mu.Lock()
				done(*res)
				mu.Unlock()
			}
			return nil // errors are kept per job and joined in job order
		})
	}
	_ = g.Wait() // every job returns nil
	return outs
}

// tableRow summarises row r of compareRows: per fraction, the mean and
// population standard deviation (stat.PopMeanStdDev) of the seeds' test MSE
// and the mean epoch time, with the paper's value where it has the fraction.
func tableRow(r int, observed []float64, mse, secs [][]float64) Row {
	row := compareRows[r]
	rr := Row{Name: row.name, Model: row.model, Method: row.method}
	if rr.Method == "" {
		rr.Method = "-"
	}
	for c, f := range observed {
		m, s := stat.PopMeanStdDev(mse[c], nil)
		e := stat.Mean(secs[c], nil)
		cell := Cell{Observed: f, Mean: m, Std: s, EpochSeconds: e}
		for k, pf := range paperFractions {
			if math.Abs(f-pf) < 1e-12 {
				v := PaperTable4[row.name][k] * 1e-2
				cell.Paper = &v
			}
		}
		rr.Cells = append(rr.Cells, cell)
		rr.EpochSeconds += e / float64(len(observed))
	}
	return rr
}

// The reduced default of `identify reproduce latent-ode`: the shipped 500
// sequences (400 to train, 100 to test), 24 epochs of 20 batches, 2 seeds,
// the paper's three fractions, two runs at a time: 25 minutes measured on the
// shared 2-core machine under a load average of 4–6 (see learned/latent's
// package doc for the protocol).
const (
	ReproduceEpochs = 24
	ReproduceSeeds  = 2
)

// ReproduceConfig is the CompareConfig of `identify reproduce latent-ode`.
func ReproduceConfig() CompareConfig {
	return CompareConfig{Base: latent.TrainConfig{Epochs: ReproduceEpochs}, Seeds: ReproduceSeeds}
}
