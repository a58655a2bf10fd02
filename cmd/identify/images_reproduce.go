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

	"github.com/physid/physid/internal/experiments/images"
	"github.com/physid/physid/learned/vision"
)

// compareImagesJSON is DIR/compare.json.
type compareImagesJSON struct {
	Experiment string         `json:"experiment"`
	Data       string         `json:"data"`
	Epochs     int            `json:"epochs"`
	Width      int            `json:"width"`
	Precision  string         `json:"precision"`
	Blocks     int            `json:"blocks"`
	Seed       uint64         `json:"seed"`
	Rows       []images.Row   `json:"rows"`
	Curves     []images.Curve `json:"curves"`
	Seconds    float64        `json:"seconds"`
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
	out := compareImagesJSON{Experiment: "images-compare", Data: split.Name, Epochs: o.epochs, Width: o.width, Precision: o.precision, Blocks: o.blocks, Seed: o.seed}
	cfg := images.CompareConfig{
		Build: func(model, method string) (*vision.Classifier, error) {
			r := o
			r.model, r.method = model, method
			if model == "node" {
				r.testSolver = "" // tested with each of images.TestSolvers
			}
			return newImageClassifier(r, split)
		},
		Method: o.method, Methods: o.methods, Solver: o.solver, TestStep: o.testStep, Blocks: o.blocks,
		Epochs: o.epochs, Seed: o.seed,
	}
	if !o.quiet {
		cfg.Progress = func(label string, e vision.EpochReport) { printEpoch(stderr, label+": ", e) }
	}
	cmp, err := images.Compare(context.Background(), split, cfg)
	if err != nil {
		return experimentError(err)
	}
	out.Rows, out.Curves = cmp.Rows, cmp.Curves
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
