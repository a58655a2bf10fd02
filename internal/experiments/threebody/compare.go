package threebody

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/nbody"
	"golang.org/x/sync/errgroup"
)

// The models of the comparison (paper Sec. 4.4), in table order.
const (
	ModelLSTM    = "lstm"     // LSTM on the observed positions
	ModelLSTMAug = "lstm-aug" // LSTM on the Eq. 33 features of the positions
	ModelNODE    = "node"     // r̈ = FC(Aug), Eq. 34, trained through aca
	ModelODE     = "ode"      // the physics model with unknown parameters
)

// CompareModels lists the model names CompareThreeBody accepts, in table order.
var CompareModels = []string{ModelLSTM, ModelLSTMAug, ModelNODE, ModelODE}

// CompareMethods lists the gradient methods node and ode are trained with.
var CompareMethods = []string{"aca", "adjoint", "naive"}

// Statuses of a run.
const (
	StatusOK          = "ok"
	StatusDiverged    = "diverged"    // a NaN loss, or a prediction that failed or is not finite
	StatusInterrupted = "interrupted" // the context ended training early
	StatusSkipped     = "skipped"     // another shard runs it (CompareConfig.Only)
)

// Budget is the training length of each model. Zero fields mean DefaultBudget's.
type Budget struct {
	// LSTMEpochs is the number of Adam steps of lstm and lstm-aug (each on a
	// batch of windows).
	LSTMEpochs int
	// NODEEpochs is the number of Adam steps of node (each one full-batch
	// gradient through the ODE solver).
	NODEEpochs int
	// ODEEpochs is the number of Adam steps of ode (the paper: 100).
	ODEEpochs int
}

// DefaultBudget is the full-size comparison. Measured on two cores: Runs = 1
// in 120 s (311 s while other jobs loaded the machine), Runs = 3 in 384 s;
// the longest single run is node with the adjoint method (about 80 s).
func DefaultBudget() Budget { return Budget{LSTMEpochs: 3000, NODEEpochs: 3000, ODEEpochs: 100} }

// ReducedBudget is a budget for tests and quick looks: a few seconds per run.
func ReducedBudget() Budget { return Budget{LSTMEpochs: 300, NODEEpochs: 150, ODEEpochs: 100} }

func (b Budget) resolved() Budget {
	d := DefaultBudget()
	if b.LSTMEpochs == 0 {
		b.LSTMEpochs = d.LSTMEpochs
	}
	if b.NODEEpochs == 0 {
		b.NODEEpochs = d.NODEEpochs
	}
	if b.ODEEpochs == 0 {
		b.ODEEpochs = d.ODEEpochs
	}
	return b
}

// CompareConfig configures CompareThreeBody. Problem, TrueParams and Runs are
// required; every other zero value means the default noted.
type CompareConfig struct {
	// Problem is the identification problem: the physics model (an
	// nbody.Gravity for lstm-aug and node), its parameters with their starting
	// values, the known initial state and the observations on the training
	// window. The lstm baselines need equally spaced observation times starting
	// at T0; lstm-aug and node need the positions observed, all of them, in
	// state order.
	Problem *identify.Problem
	// TrueParams are the parameters the truth is simulated with.
	TrueParams []float64
	// Truth configures the truth's solver; nil means TruthSettings.
	Truth *aca.Settings
	// Horizon is the end of the test window [T0, Horizon]; 0 means
	// T0 + 2·(last observation time − T0), the paper's [0, 2] for [0, 1].
	Horizon float64
	// Points is the number of equally spaced test times; 0 means 2000, the
	// paper's (nbody.PaperThreeBodyTimes).
	Points int
	// Runs is the number of runs per model, with seeds 1 … Runs; at least 1.
	Runs int
	// Models lists the models to train; nil means all of CompareModels.
	Models []string
	// Methods lists the gradient methods of node and ode; nil means all of
	// CompareMethods.
	Methods []string
	// Budget sets the epochs; zero fields mean DefaultBudget's.
	Budget Budget
	// LSTM configures lstm and lstm-aug; NODE configures node.
	LSTM LSTMConfig
	NODE NODEConfig
	// ODE configures the physics fit; nil means PaperAdam: lr 0.1, betas
	// (0.5, 0.5), the rate times 0.95 per epoch, starting values jittered by
	// ±10% (seeded by the run). Epochs come from the Budget unless
	// set here; Seed, Starts and Workers are set per run.
	ODE *identify.Options
	// ODEOptimizer is the physics fit's optimizer; nil means identify's default
	// Adam when ODE is set and the paper's Adam described above when it is not.
	ODEOptimizer identify.Optimizer
	// Workers bounds the goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, when not nil, is called after every epoch of every run and
	// once when a run ends, never concurrently.
	Progress func(CompareProgress)
	// Only, when not nil, trains only the runs (tasks) k with Only(k), the
	// share of one shard of a comparison split over machines: run seed s of
	// row i (Comparison.Rows' order) is task i·Runs + s − 1. The others are
	// left with status StatusSkipped; MergeComparisons combines the shards.
	Only func(task int) bool
}

// CompareProgress reports an epoch, or the end, of one run.
type CompareProgress struct {
	// Model and Method name the row ("" Method for lstm and lstm-aug).
	Model, Method string
	// Seed is the run's seed; Epoch of Epochs is the last one done and Loss
	// its training loss.
	Seed          uint64
	Epoch, Epochs int
	Loss          float64
	// Done is set once, when the run has been evaluated; Run is its result.
	Done bool
	Run  *RunResult
}

// compareSetup is the validated input shared (read-only) by every run.
type compareSetup struct {
	cfg      CompareConfig
	p        *identify.Problem
	gravity  *nbody.Gravity // nil for other systems
	budget   Budget
	times    []float64 // test times
	truth    []float64 // full truth states at times
	observed []int     // observed components (resolved)
	plot     []int
	horizon  float64
	ode      identify.Options
	odeOpt   identify.Optimizer
}

// job is one run of one row.
type job struct {
	row  int
	seed uint64
}

// CompareThreeBody trains the models of the paper's Sec. 4.4 on the
// problem's observations and measures each against the truth on the test
// window: lstm, lstm-aug, node (with each gradient method) and ode (with each
// gradient method), Runs times with seeds 1 … Runs. Runs execute on Workers
// goroutines, each with its own model clones and gradient-method values, and
// every run's numbers depend only on its seed, never on scheduling.
//
// A run that diverges is reported with status diverged, not dropped. When ctx
// ends, runs stop after their current epoch, are evaluated as they are and
// marked interrupted. Errors are returned for bad input only: an unknown model
// or method, Runs < 1, a non-N-body system for lstm-aug or node, or an
// invalid problem.
func CompareThreeBody(ctx context.Context, cfg CompareConfig) (*Comparison, error) {
	began := time.Now()
	s, err := newCompareSetup(cfg)
	if err != nil {
		return nil, err
	}
	cmp := s.newComparison()
	jobs := sortedJobs(cmp.Rows, cfg.Runs)
	if cfg.Only != nil {
		jobs = slices.DeleteFunc(jobs, func(j job) bool { return !cfg.Only(j.row*cfg.Runs + int(j.seed) - 1) })
	}
	outs := s.runAll(ctx, cmp.Rows, jobs)
	for i := range cmp.Rows {
		r := &cmp.Rows[i]
		// The first run's trajectory and trained network are the row's.
		r.Trajectory = outs[i][0].trajectory
		r.Trained, r.TrainedTheta = outs[i][0].trained, outs[i][0].theta
		for k, out := range outs[i] {
			r.Runs[k] = out.RunResult
			if cfg.Only != nil && !cfg.Only(i*cfg.Runs+k) {
				r.Runs[k] = RunResult{Seed: uint64(k + 1), Status: StatusSkipped}
			}
			r.Parameters = max(r.Parameters, out.params)
		}
	}
	cmp.summarize()
	cmp.Seconds = time.Since(began).Seconds()
	return cmp, nil
}

// summarize fills every row's statistics from its runs and notes an
// interrupted run.
func (cmp *Comparison) summarize() {
	cmp.Interrupted = false
	for i := range cmp.Rows {
		r := &cmp.Rows[i]
		r.Diverged = 0
		for _, run := range r.Runs {
			if run.Status == StatusInterrupted {
				cmp.Interrupted = true
			}
		}
		summarize(r)
	}
}

// MergeComparisons combines the shards of one comparison, each the result
// of CompareThreeBody with CompareConfig.Only selecting its runs, into the
// comparison of all the runs: each run from the shard that trained it (an
// error names a run that none or two trained), a row's trajectory and
// trained network from the shard of its first run, the rest from the first
// shard. Seconds is the longest shard's.
func MergeComparisons(parts ...*Comparison) (*Comparison, error) {
	if len(parts) == 0 || parts[0] == nil {
		return nil, errors.New("threebody: merge: no comparison")
	}
	out := *parts[0]
	out.Rows = slices.Clone(parts[0].Rows)
	for _, part := range parts {
		out.Seconds = max(out.Seconds, part.Seconds)
		if len(part.Rows) != len(out.Rows) || part.Runs != out.Runs {
			return nil, errors.New("threebody: merge: the shards compare different models or run counts")
		}
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		r.Runs = make([]RunResult, out.Runs)
		r.Trajectory, r.Trained, r.TrainedTheta, r.Parameters = nil, nil, nil, 0
		for k := range r.Runs {
			found := false
			for _, part := range parts {
				pr := part.Rows[i]
				if pr.Model != r.Model || pr.Method != r.Method {
					return nil, errors.New("threebody: merge: the shards compare different models")
				}
				r.Parameters = max(r.Parameters, pr.Parameters)
				if pr.Runs[k].Status == StatusSkipped {
					continue
				}
				if found {
					return nil, fmt.Errorf("threebody: merge: run %d of %s is in two shards", k+1, rowName(r))
				}
				found = true
				r.Runs[k] = pr.Runs[k]
				if k == 0 {
					r.Trajectory, r.Trained, r.TrainedTheta = pr.Trajectory, pr.Trained, pr.TrainedTheta
				}
			}
			if !found {
				return nil, fmt.Errorf("threebody: merge: run %d of %s is in no shard", k+1, rowName(r))
			}
		}
	}
	out.summarize()
	return &out, nil
}

// rowName is "node (aca)" or "lstm".
func rowName(r *ModelResult) string {
	if r.Method == "" {
		return r.Model
	}
	return r.Model + " (" + r.Method + ")"
}

// newComparison returns the comparison before training: the test times, the
// truth at the plotted components, the persistence baseline and one empty row
// per model and gradient method.
func (s *compareSetup) newComparison() *Comparison {
	cmp := &Comparison{Runs: s.cfg.Runs, Times: s.times, TrainEnd: s.p.Times[len(s.p.Times)-1],
		PlotComponents: s.plot, Paper: slices.Clone(PaperTable5)}
	n := s.p.Model.Dim()
	for k := range s.times {
		for _, c := range s.plot {
			cmp.Truth = append(cmp.Truth, s.truth[k*n+c])
		}
	}
	cmp.PlotNames = plotNames(s)
	cmp.PersistenceMSE, cmp.PersistenceFutureMSE = s.persistence()
	for _, m := range s.cfg.Models {
		if m == ModelNODE || m == ModelODE {
			for _, meth := range s.cfg.Methods {
				cmp.Rows = append(cmp.Rows, ModelResult{Model: m, Method: meth})
			}
		} else {
			cmp.Rows = append(cmp.Rows, ModelResult{Model: m})
		}
	}
	for i := range cmp.Rows {
		cmp.Rows[i].Runs = make([]RunResult, s.cfg.Runs)
	}
	return cmp
}

// sortedJobs lists every run of every row, the most expensive first, so that
// the workers finish together.
func sortedJobs(rows []ModelResult, runs int) []job {
	var jobs []job
	for seed := 1; seed <= runs; seed++ {
		for i := range rows {
			jobs = append(jobs, job{row: i, seed: uint64(seed)})
		}
	}
	slices.SortStableFunc(jobs, func(a, b job) int {
		ca, cb := runCost(rows[a.row]), runCost(rows[b.row])
		switch {
		case ca > cb:
			return -1
		case ca < cb:
			return 1
		}
		return 0
	})
	return jobs
}

// finishedRun is a run's outcome with its predicted trajectory at the plotted
// components.
type finishedRun struct {
	runOutcome
	trajectory []float64
}

// runAll runs the jobs on Workers goroutines (errgroup with SetLimit) and
// returns the outcomes by row and seed: each job writes only its own slot,
// so nothing depends on scheduling. Progress events are serialised.
func (s *compareSetup) runAll(ctx context.Context, rows []ModelResult, jobs []job) [][]finishedRun {
	var mu sync.Mutex
	report := func(ev CompareProgress) {
		if s.cfg.Progress != nil {
			mu.Lock()
			s.cfg.Progress(ev)
			mu.Unlock()
		}
	}
	workers := s.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	outs := make([][]finishedRun, len(rows))
	for i := range outs {
		outs[i] = make([]finishedRun, s.cfg.Runs)
	}
	var g errgroup.Group
	g.SetLimit(workers)
	for _, j := range jobs {
		g.Go(func() error {
			row := rows[j.row]
			out, traj := s.run(ctx, row.Model, row.Method, j.seed, report)
			outs[j.row][j.seed-1] = finishedRun{out, traj}
			report(CompareProgress{Model: row.Model, Method: row.Method, Seed: j.seed,
				Epoch: out.Epochs, Epochs: out.epochs, Loss: out.TrainLoss, Done: true, Run: &out.RunResult})
			return nil // a run never fails; trouble is in its status
		})
	}
	_ = g.Wait() // every job returns nil
	return outs
}

// runCost is the relative cost of one run of a row at the default budget
// (measured seconds on two cores), for ordering the jobs.
func runCost(r ModelResult) float64 {
	switch {
	case r.Model == ModelNODE && r.Method == "adjoint":
		return 210
	case r.Model == ModelNODE && r.Method == "naive":
		return 80
	case r.Model == ModelNODE:
		return 50
	case r.Model == ModelLSTMAug:
		return 180
	case r.Model == ModelLSTM:
		return 85
	}
	return 1
}
