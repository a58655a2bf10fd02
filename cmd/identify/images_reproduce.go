package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/physid/physid/learned/vision"
)

// imagesTestSolvers are the tableaux a trained NODE is tested with, without
// retraining (paper Table 2: adaptive HeunEuler, RK23, RK45; fixed Euler,
// RK2, RK4).
var imagesTestSolvers = []string{"heuneuler", "rk23", "rk45", "euler", "rk2", "rk4"}

// compareRowJSON is one line of the Table 2 layout.
type compareRowJSON struct {
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

// compareCurveJSON is test accuracy after every epoch against the training
// time so far (paper Fig. 7b).
type compareCurveJSON struct {
	Label    string    `json:"label"`
	Seconds  []float64 `json:"seconds"`
	Accuracy []float64 `json:"accuracy"`
}

// compareImagesJSON is DIR/compare.json.
type compareImagesJSON struct {
	Experiment string             `json:"experiment"`
	Data       string             `json:"data"`
	Epochs     int                `json:"epochs"`
	Width      int                `json:"width"`
	Precision  string             `json:"precision"`
	Blocks     int                `json:"blocks"`
	Seed       uint64             `json:"seed"`
	Rows       []compareRowJSON   `json:"rows"`
	Curves     []compareCurveJSON `json:"curves"`
	Seconds    float64            `json:"seconds"`
}

// imagesCompare is `identify images compare`: the ResNet and one NODE per
// gradient method, trained alike, in the layout of the paper's Table 2.
func imagesCompare(o imagesOptions, stdout, stderr io.Writer) error {
	start := time.Now()
	if err := checkImagesOptions(o); err != nil {
		return err
	}
	if o.methods == nil {
		o.methods = []string{"aca", "adjoint", "naive"}
	}
	if o.out == "" {
		o.out = filepath.Join("out", "images-compare")
	}
	split, err := loadImageSplit(o)
	if err != nil {
		return err
	}
	mean, std := vision.Standardize(split.Train)
	out := compareImagesJSON{Experiment: "images-compare", Data: split.Name, Epochs: o.epochs, Width: o.width, Precision: o.precision, Blocks: o.blocks, Seed: o.seed}
	runs := []imagesOptions{o}
	runs[0].model = "resnet"
	for _, mt := range o.methods {
		r := o
		r.model, r.method, r.testSolver = "node", mt, ""
		runs = append(runs, r)
	}
	for _, r := range runs {
		label := r.model
		if r.model == "node" {
			label += "-" + r.method
		}
		m, err := newImageClassifier(r, split)
		if err != nil {
			return err
		}
		curve := compareCurveJSON{Label: label}
		cfg := imageTrainConfig(r, label+": ", stderr)
		progress := cfg.Progress
		elapsed := 0.0
		cfg.Progress = func(e vision.EpochReport) {
			elapsed += e.Seconds
			curve.Seconds = append(curve.Seconds, elapsed)
			curve.Accuracy = append(curve.Accuracy, 1-e.TestError)
			if progress != nil {
				progress(e)
			}
		}
		res, err := vision.Train(context.Background(), m, split, cfg)
		if err != nil {
			return runtimeError{fmt.Errorf("%s: %w", label, err)}
		}
		out.Curves = append(out.Curves, curve)
		row := compareRowJSON{Model: r.model, TestError: res.TestError, EpochSecs: res.Seconds / float64(res.Epochs),
			Seconds: res.Seconds, PeakBytes: res.PeakBytes, Parameters: m.NumParams(), TrainIPS: res.TrainImagesPS,
			TestIPS: res.TestImagesPS, NFE: res.NFE, Dropped: -1}
		if r.model == "resnet" {
			out.Rows = append(out.Rows, row)
			for k := range r.blocks {
				d, err := m.WithoutBlock(k)
				if err != nil {
					return runtimeError{err}
				}
				e, err := vision.TestError(d, res.Theta, split.Test, mean, std, 64)
				if err != nil {
					return runtimeError{err}
				}
				dr := row
				dr.Dropped, dr.TestError = k, e
				out.Rows = append(out.Rows, dr)
			}
			continue
		}
		row.Method, row.TrainSolver = r.method, r.solver
		for _, ts := range imagesTestSolvers {
			s, err := testSettings(ts, o.testStep)
			if err != nil {
				return runtimeError{err}
			}
			if err := m.SetSolver(nil, s, ""); err != nil {
				return runtimeError{err}
			}
			t0 := time.Now()
			e, err := vision.TestError(m, res.Theta, split.Test, mean, std, 64)
			if err != nil {
				return runtimeError{fmt.Errorf("%s tested with %s: %w", label, ts, err)}
			}
			tr := row
			tr.TestSolver, tr.TestError = ts, e
			if !s.Method.Adaptive() {
				tr.TestStep = s.Step
			}
			tr.TestIPS = float64(split.Test.Len()) / time.Since(t0).Seconds()
			out.Rows = append(out.Rows, tr)
		}
	}
	out.Seconds = time.Since(start).Seconds()
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return runtimeError{err}
	}
	if err := writeJSON(filepath.Join(o.out, "compare.json"), out); err != nil {
		return err
	}
	if err := plotImagesCompare(filepath.Join(o.out, "compare.png"), out); err != nil {
		return runtimeError{err}
	}
	if o.asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	printImagesTable(stdout, out)
	fmt.Fprintf(stdout, "wrote %s and %s (%.0f s)\n", filepath.Join(o.out, "compare.json"), filepath.Join(o.out, "compare.png"), out.Seconds)
	return nil
}

// printImagesTable prints the rows in the layout of the paper's Table 2.
func printImagesTable(w io.Writer, c compareImagesJSON) {
	fmt.Fprintf(w, "Test error on %s after %d epochs (width %d, %d blocks); NODEs trained with heuneuler, tested with each solver without retraining\n",
		c.Data, c.Epochs, c.Width, c.Blocks)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tgradient\ttest solver\ttest error\ts/epoch\ttrain img/s\ttest img/s\tpeak MB\tparameters\t")
	for _, r := range c.Rows {
		method, solver := r.Method, r.TestSolver
		if r.TestStep > 0 {
			solver += fmt.Sprintf(" (h=%g)", r.TestStep)
		}
		if r.Model == "resnet" {
			method, solver = "backprop", "-"
			if r.Dropped >= 0 {
				solver = fmt.Sprintf("block %d dropped", r.Dropped+1)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.4f\t%.1f\t%.0f\t%.0f\t%.1f\t%d\t\n", r.Model, method, solver, r.TestError,
			r.EpochSecs, r.TrainIPS, r.TestIPS, float64(r.PeakBytes)/1e6, r.Parameters)
	}
	tw.Flush()
}

// reproduceImages runs the reduced Table 2 experiment (identify reproduce
// images): images compare at the reduced defaults on the shipped subset,
// written into dir.
func reproduceImages(dir string, stdout, stderr io.Writer) error {
	o := defaultImagesOptions()
	o.out = dir
	return imagesCompare(o, stdout, stderr)
}
