package threebody

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/learned"
	"github.com/physid/physid/nbody"
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

// RunResult is one training run of one model.
type RunResult struct {
	// Seed is the run's seed (1 … Runs).
	Seed uint64 `json:"seed"`
	// TestMSE is the mean over test times and observed components of the
	// squared error against the truth; NaN when the run produced no finite
	// prediction.
	TestMSE float64 `json:"test_mse"`
	// FutureMSE is the same error over the test times after the observed
	// window only: the extrapolation proper.
	FutureMSE float64 `json:"future_mse"`
	// TrainLoss is the last training loss: the weighted least squares of the
	// physics fit for ode and node (for node without the held-out tail), the
	// normalised one-step MSE for the lstms.
	TrainLoss float64 `json:"train_loss"`
	// ValMSE is the held-out MSE of the kept parameters of lstm, lstm-aug and
	// node (NaN for ode, or without a hold-out).
	ValMSE float64 `json:"val_mse"`
	// Epochs is the number of epochs run; Seconds the wall time of training
	// and evaluation.
	Epochs  int     `json:"epochs"`
	Seconds float64 `json:"seconds"`
	// Status is ok, diverged or interrupted; Message says why.
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	// Params are the fitted parameters of ode (nil for the learned models).
	Params []float64 `json:"params,omitempty"`
}

// ModelResult is one row of the comparison: a model and gradient method over
// all runs.
type ModelResult struct {
	// Model is one of CompareModels; Method the gradient method ("" for the lstms).
	Model  string `json:"model"`
	Method string `json:"gradient_method"`
	// TestMSEMean and TestMSEStd are the mean and the population standard
	// deviation of the finite test MSEs over the runs (NaN when there are none).
	TestMSEMean float64 `json:"test_mse_mean"`
	TestMSEStd  float64 `json:"test_mse_std"`
	// FutureMSEMean is the mean of the runs' finite FutureMSE.
	FutureMSEMean float64 `json:"future_mse_mean"`
	// Seconds is the mean wall time of a run.
	Seconds float64 `json:"seconds"`
	// Parameters is the number of trained parameters.
	Parameters int `json:"parameters"`
	// Diverged counts runs with status diverged; Status is "ok" or says how
	// many runs diverged or were interrupted.
	Diverged int    `json:"diverged"`
	Status   string `json:"status"`
	// Runs holds every run in seed order.
	Runs []RunResult `json:"runs"`
	// Trajectory is the prediction of the first run at Comparison.Times for
	// the components Comparison.PlotComponents (row-major), nil when it failed.
	Trajectory []float64 `json:"trajectory,omitempty"`
	// Trained and TrainedTheta are the first run's trained network for node
	// (a NeuralField; nil for the other models), for learned.Save: a saved
	// node can be run again by identify extrapolate.
	Trained      learned.Model `json:"-"`
	TrainedTheta []float64     `json:"-"`
}

// Comparison is the outcome of CompareThreeBody.
type Comparison struct {
	// Rows has one entry per model and gradient method, in the order of
	// CompareModels and then of the methods.
	Rows []ModelResult `json:"models"`
	// Runs is the number of runs per row.
	Runs int `json:"runs"`
	// Times are the test times; TrainEnd is the end of the observed window.
	Times    []float64 `json:"times"`
	TrainEnd float64   `json:"train_end"`
	// PlotComponents are the state components of the trajectories (body 1's
	// position for an N-body system) and PlotNames their names; Truth holds
	// the true values there at Times, row-major.
	PlotComponents []int     `json:"plot_components"`
	PlotNames      []string  `json:"plot_names"`
	Truth          []float64 `json:"truth"`
	// PersistenceMSE and PersistenceFutureMSE are the test MSE and future
	// MSE of a trivial predictor for scale: the observations themselves on
	// the observed window (linearly interpolated) and the last observation
	// after it. On a chaotic orbit a learned model that moves wrongly can
	// score worse than standing still.
	PersistenceMSE       float64 `json:"persistence_mse"`
	PersistenceFutureMSE float64 `json:"persistence_future_mse"`
	// Seconds is the wall time of the whole comparison.
	Seconds float64 `json:"seconds"`
	// Interrupted is set when the context ended training early.
	Interrupted bool `json:"interrupted"`
	// Paper is the paper's Table 5, for side-by-side display.
	Paper []PaperResult `json:"paper"`
}

// Row returns the row of a model and method, or nil.
func (c *Comparison) Row(model, method string) *ModelResult {
	for i := range c.Rows {
		if c.Rows[i].Model == model && c.Rows[i].Method == method {
			return &c.Rows[i]
		}
	}
	return nil
}

// PaperResult is one entry of the paper's Table 5: test MSE on [0, 2] years,
// mean ± std of 3 runs.
type PaperResult struct {
	Model  string  `json:"model"`
	Method string  `json:"gradient_method"`
	Mean   float64 `json:"test_mse_mean"`
	Std    float64 `json:"test_mse_std"`
}

// PaperTable5 is Table 5 of Zhuang et al. (ICML 2020), three-body problem,
// training on [0, 1] year and test MSE on [0, 2] years over 3 runs.
var PaperTable5 = []PaperResult{
	{ModelLSTM, "", 0.59, 0.12},
	{ModelLSTMAug, "", 0.49, 0.06},
	{ModelNODE, "adjoint", 3.47, 0.67},
	{ModelNODE, "naive", 0.21, 0.11},
	{ModelNODE, "aca", 0.16, 0.06},
	{ModelODE, "adjoint", 0.0025, 0.0012},
	{ModelODE, "naive", 0.0025, 0.0013},
	{ModelODE, "aca", 0.0007, 0.0005},
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
	cmp := &Comparison{Runs: cfg.Runs, Times: s.times, TrainEnd: s.p.Times[len(s.p.Times)-1],
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
		cmp.Rows[i].Runs = make([]RunResult, cfg.Runs)
	}
	// The most expensive runs first, so that the workers finish together.
	var jobs []job
	for seed := 1; seed <= cfg.Runs; seed++ {
		for i := range cmp.Rows {
			jobs = append(jobs, job{row: i, seed: uint64(seed)})
		}
	}
	slices.SortStableFunc(jobs, func(a, b job) int {
		ca, cb := runCost(cmp.Rows[a.row]), runCost(cmp.Rows[b.row])
		switch {
		case ca > cb:
			return -1
		case ca < cb:
			return 1
		}
		return 0
	})
	var mu sync.Mutex
	report := func(ev CompareProgress) {
		if cfg.Progress != nil {
			mu.Lock()
			cfg.Progress(ev)
			mu.Unlock()
		}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Each job writes only its own slot; rows are assembled after the wait.
	outs := make([][]runOutcome, len(cmp.Rows))
	trajectories := make([][]float64, len(cmp.Rows))
	trained := make([]runOutcome, len(cmp.Rows))
	for i := range outs {
		outs[i] = make([]runOutcome, cfg.Runs)
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for j := range ch {
				row := cmp.Rows[j.row]
				out, traj := s.run(ctx, row.Model, row.Method, j.seed, report)
				outs[j.row][j.seed-1] = out
				if j.seed == 1 {
					trajectories[j.row] = traj
					trained[j.row] = out
				}
				report(CompareProgress{Model: row.Model, Method: row.Method, Seed: j.seed,
					Epoch: out.Epochs, Epochs: out.epochs, Loss: out.TrainLoss, Done: true, Run: &out.RunResult})
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	for i := range cmp.Rows {
		r := &cmp.Rows[i]
		r.Trajectory = trajectories[i]
		r.Trained, r.TrainedTheta = trained[i].trained, trained[i].theta
		for k, out := range outs[i] {
			r.Runs[k] = out.RunResult
			r.Parameters = max(r.Parameters, out.params)
			if out.Status == StatusInterrupted {
				cmp.Interrupted = true
			}
		}
		summarize(r)
	}
	cmp.Seconds = time.Since(began).Seconds()
	return cmp, nil
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

// summarize fills a row's statistics from its runs.
func summarize(r *ModelResult) {
	var vals, future []float64
	secs := 0.0
	interrupted := 0
	for _, run := range r.Runs {
		secs += run.Seconds
		switch run.Status {
		case StatusDiverged:
			r.Diverged++
		case StatusInterrupted:
			interrupted++
		}
		if !math.IsNaN(run.TestMSE) && !math.IsInf(run.TestMSE, 0) {
			vals = append(vals, run.TestMSE)
		}
		if !math.IsNaN(run.FutureMSE) && !math.IsInf(run.FutureMSE, 0) {
			future = append(future, run.FutureMSE)
		}
	}
	r.Seconds = secs / float64(len(r.Runs))
	r.TestMSEMean, r.TestMSEStd = meanStd(vals)
	r.FutureMSEMean, _ = meanStd(future)
	var notes []string
	if r.Diverged > 0 {
		notes = append(notes, fmt.Sprintf("diverged in %d of %d runs", r.Diverged, len(r.Runs)))
	}
	if interrupted > 0 {
		notes = append(notes, fmt.Sprintf("interrupted in %d of %d runs", interrupted, len(r.Runs)))
	}
	r.Status = StatusOK
	if len(notes) > 0 {
		r.Status = strings.Join(notes, "; ")
	}
}

// meanStd returns the mean and population standard deviation, NaN for none.
func meanStd(x []float64) (mean, std float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)))
}
