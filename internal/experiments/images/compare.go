package images

import (
	"context"
	"fmt"
	"time"

	"github.com/physid/physid/learned/vision"
)

// TestSolvers are the tableaux a trained NODE is tested with, without
// retraining (paper Table 2: adaptive HeunEuler, RK23, RK45; fixed Euler,
// RK2, RK4).
var TestSolvers = []string{"heuneuler", "rk23", "rk45", "euler", "rk2", "rk4"}

// Row is one line of the Table 2 layout.
type Row struct {
	Model       string  `json:"model"`
	Method      string  `json:"method"`              // gradient method; "" for the ResNet
	TrainSolver string  `json:"train_solver"`        // "" for the ResNet
	TestSolver  string  `json:"test_solver"`         // "" for the ResNet
	TestStep    float64 `json:"test_step,omitempty"` // step of a fixed-step test solver
	Dropped     int     `json:"dropped_block"`
	TestError   float64 `json:"test_error"`
	EpochSecs   float64 `json:"seconds_per_epoch"`
	Seconds     float64 `json:"seconds"`
	PeakBytes   int     `json:"peak_bytes"`
	Parameters  int     `json:"parameters"`
	TrainIPS    float64 `json:"train_images_per_second"`
	TestIPS     float64 `json:"test_images_per_second"`
	NFE         int     `json:"nfe"`
}

// Curve is test accuracy after every epoch against the training time so far
// (paper Fig. 7b).
type Curve struct {
	Label    string    `json:"label"`
	Seconds  []float64 `json:"seconds"`
	Accuracy []float64 `json:"accuracy"`
}

// CompareConfig configures Compare.
type CompareConfig struct {
	// Build makes each classifier; Method is the gradient method the ResNet
	// is built with (it has no ODE blocks) and Methods those of the NODEs
	// (nil means aca, adjoint, naive).
	Build   Builder
	Method  string
	Methods []string
	// Solver is the NODEs' training tableau, for the rows; TestStep the step
	// of the fixed-step TestSolvers.
	Solver   string
	TestStep float64
	// Blocks is the number of residual blocks, each dropped once from the
	// trained ResNet.
	Blocks int
	// Epochs and Seed configure vision.Train.
	Epochs int
	Seed   uint64
	// Progress, when not nil, receives every epoch of every model, labelled
	// "resnet" or "node-METHOD".
	Progress func(label string, e vision.EpochReport)
}

// Comparison is the outcome of Compare: the rows of Table 2 and the curves
// of Fig. 7b.
type Comparison struct {
	Rows   []Row
	Curves []Curve
}

// Compare is the paper's Table 2 (Sec. 4.2): the ResNet and one NODE per
// gradient method, trained alike on split. The ResNet is also tested with
// each residual block dropped; each NODE, trained with cfg.Solver, is tested
// with every tableau of TestSolvers without retraining. Errors of Build are
// returned unchanged; a failed training or test names the model.
func Compare(ctx context.Context, split *vision.Split, cfg CompareConfig) (*Comparison, error) {
	methods := cfg.Methods
	if methods == nil {
		methods = []string{"aca", "adjoint", "naive"}
	}
	mean, std := vision.Standardize(split.Train)
	type run struct{ model, method string }
	runs := []run{{"resnet", cfg.Method}}
	for _, mt := range methods {
		runs = append(runs, run{"node", mt})
	}
	out := &Comparison{}
	for _, r := range runs {
		label := r.model
		if r.model == "node" {
			label += "-" + r.method
		}
		m, err := cfg.Build(r.model, r.method)
		if err != nil {
			return nil, err
		}
		curve := Curve{Label: label}
		elapsed := 0.0
		tc := vision.TrainConfig{Epochs: cfg.Epochs, Seed: cfg.Seed, Progress: func(e vision.EpochReport) {
			elapsed += e.Seconds
			curve.Seconds = append(curve.Seconds, elapsed)
			curve.Accuracy = append(curve.Accuracy, 1-e.TestError)
			if cfg.Progress != nil {
				cfg.Progress(label, e)
			}
		}}
		res, err := vision.Train(ctx, m, split, tc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		out.Curves = append(out.Curves, curve)
		row := Row{Model: r.model, TestError: res.TestError, EpochSecs: res.Seconds / float64(res.Epochs),
			Seconds: res.Seconds, PeakBytes: res.PeakBytes, Parameters: m.NumParams(), TrainIPS: res.TrainImagesPS,
			TestIPS: res.TestImagesPS, NFE: res.NFE, Dropped: -1}
		var rows []Row
		if r.model == "resnet" {
			rows, err = resnetRows(m, row, res.Theta, split, mean, std, cfg.Blocks)
		} else {
			row.Method, row.TrainSolver = r.method, cfg.Solver
			rows, err = nodeRows(m, row, res.Theta, split, mean, std, cfg.TestStep, label)
		}
		if err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, rows...)
	}
	return out, nil
}

// resnetRows returns the trained ResNet's row and one row per residual block
// dropped (of blocks), tested on split.Test without retraining.
func resnetRows(m *vision.Classifier, row Row, theta []float64, split *vision.Split, mean, std float64, blocks int) ([]Row, error) {
	rows := []Row{row}
	for k := range blocks {
		d, err := m.WithoutBlock(k)
		if err != nil {
			return nil, err
		}
		e, err := vision.TestError(d, theta, split.Test, mean, std, 64)
		if err != nil {
			return nil, err
		}
		dr := row
		dr.Dropped, dr.TestError = k, e
		rows = append(rows, dr)
	}
	return rows, nil
}

// nodeRows tests the trained NODE with every tableau of TestSolvers (fixed
// ones at testStep) and returns one row each.
func nodeRows(m *vision.Classifier, row Row, theta []float64, split *vision.Split, mean, std, testStep float64, label string) ([]Row, error) {
	var rows []Row
	for _, ts := range TestSolvers {
		s, err := TestSettings(ts, testStep)
		if err != nil {
			return nil, err
		}
		if err := m.SetSolver(nil, s, ""); err != nil {
			return nil, err
		}
		t0 := time.Now()
		e, err := vision.TestError(m, theta, split.Test, mean, std, 64)
		if err != nil {
			return nil, fmt.Errorf("%s tested with %s: %w", label, ts, err)
		}
		tr := row
		tr.TestSolver, tr.TestError = ts, e
		if !s.Method.Adaptive() {
			tr.TestStep = s.Step
		}
		tr.TestIPS = float64(split.Test.Len()) / time.Since(t0).Seconds()
		rows = append(rows, tr)
	}
	return rows, nil
}
