package threebody

import (
	"fmt"
	"math"
	"strings"

	"github.com/physid/physid/learned"
	"gonum.org/v1/gonum/stat"
)

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
	// Population standard deviation, NaN for no finite runs (0/0).
	r.TestMSEMean, r.TestMSEStd = stat.PopMeanStdDev(vals, nil)
	r.FutureMSEMean = stat.Mean(future, nil)
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
