package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/physid/physid/integrate"
	"github.com/physid/physid/learned/vision"
)

// imagesJSON is the --json output of images train; the field names are a
// stable contract.
type imagesJSON struct {
	Model      string  `json:"model"`
	Method     string  `json:"method"`
	Solver     string  `json:"solver"`
	TestError  float64 `json:"test_error"`
	Epochs     int     `json:"epochs"`
	Seconds    float64 `json:"seconds"`
	Parameters int     `json:"parameters"`
	PeakBytes  int     `json:"peak_bytes"`
}

// imagesCommand is `identify images train`: an image classifier (ResNet or
// its neural-ODE counterpart, paper Sec. 4.2) trained and tested.
func imagesCommand() command {
	return command{
		name: "images",
		args: "train --model resnet|node [--method aca|adjoint|naive] [--solver heuneuler] [--data DIR|--dataset fashion-mnist] [--epochs N] [--width W] [--out DIR] [--json]",
		summary: `Train an image classifier, a small ResNet or its neural-ODE counterpart with
the same parameters (paper Sec. 4.2), and report its test error. Without --data
or --dataset it uses the Fashion-MNIST subset shipped with physid.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			model := fset.String("model", "resnet", "resnet or node")
			method := fset.String("method", "aca", "gradient method of the ODE blocks: aca, adjoint or naive")
			solver := fset.String("solver", "heuneuler", "tableau of the ODE blocks (training and test)")
			testSolver := fset.String("test-solver", "", "tableau at test time (default: --solver)")
			data := fset.String("data", "", "directory of IDX (MNIST, Fashion-MNIST) or CIFAR-10/100 binary files")
			dataset := fset.String("dataset", "", "fashion-mnist: the full set of the Debian package dataset-fashion-mnist")
			epochs := fset.Int("epochs", 6, "training epochs (1..1000)")
			width := fset.Int("width", 16, "channels (1..256)")
			blocks := fset.Int("blocks", 2, "residual or ODE blocks (1..8)")
			seed := fset.Uint64("seed", 1, "random seed")
			out := fset.String("out", "", "directory for result.json")
			asJSON := fset.Bool("json", false, "print one JSON object")
			return func(pos []string, stdout, stderr io.Writer) error {
				if len(pos) != 1 || pos[0] != "train" {
					return usagef("images needs the subcommand train (usage: identify images train --model resnet|node ...)")
				}
				return imagesTrain(imagesOptions{*model, *method, *solver, *testSolver, *data, *dataset, *epochs, *width, *blocks, *seed, *out, *asJSON}, stdout, stderr)
			}
		},
	}
}

type imagesOptions struct {
	model, method, solver, testSolver, data, dataset string
	epochs, width, blocks                            int
	seed                                             uint64
	out                                              string
	asJSON                                           bool
}

func imagesTrain(o imagesOptions, stdout, stderr io.Writer) error {
	if o.model != "resnet" && o.model != "node" {
		return usagef("--model: unknown model %q (allowed: resnet, node)", o.model)
	}
	if o.method != "aca" && o.method != "adjoint" && o.method != "naive" {
		return usagef("--method: unknown method %q (allowed: aca, adjoint, naive)", o.method)
	}
	if o.epochs < 1 || o.epochs > 1000 {
		return usagef("--epochs: %d outside 1..1000", o.epochs)
	}
	if o.width < 1 || o.width > 256 {
		return usagef("--width: %d outside 1..256", o.width)
	}
	tb, err := integrate.ByName(o.solver)
	if err != nil {
		return usagef("--solver: %v", err)
	}
	test := tb
	if o.testSolver != "" {
		if test, err = integrate.ByName(o.testSolver); err != nil {
			return usagef("--test-solver: %v", err)
		}
	}
	var split *vision.Split
	switch {
	case o.data != "" && o.dataset != "":
		return usagef("--data and --dataset exclude each other")
	case o.data != "":
		split, err = vision.LoadDir(o.data)
	case o.dataset == "fashion-mnist":
		split, err = vision.FashionMNIST()
		if errors.Is(err, os.ErrNotExist) {
			return usagef("--dataset fashion-mnist: %s not found (install the Debian package dataset-fashion-mnist)", vision.FashionMNISTDir)
		}
	case o.dataset != "":
		return usagef("--dataset: unknown data set %q (allowed: fashion-mnist)", o.dataset)
	default:
		split, err = vision.Subset()
	}
	if err != nil {
		return usagef("%v", err)
	}
	m, err := vision.NewClassifier(vision.Config{Model: o.model, In: split.Train.Shape, Classes: split.Train.Classes, Width: o.width, Blocks: o.blocks})
	if err != nil {
		return usagef("%v", err)
	}
	train, tst := vision.DefaultSettings(), vision.DefaultSettings()
	train.Method, tst.Method = tb, test
	if err := m.SetSolver(train, tst, o.method); err != nil {
		return usagef("%v", err)
	}
	progress := func(r vision.EpochReport) {
		fmt.Fprintf(stderr, "epoch %d: loss %.4f, test error %.4f (%.1f s)\n", r.Epoch, r.Loss, r.TestError, r.Seconds)
	}
	res, err := vision.Train(context.Background(), m, split, vision.TrainConfig{Epochs: o.epochs, Seed: o.seed, Progress: progress})
	if err != nil {
		return runtimeError{err}
	}
	method, solver := o.method, tb.Name
	if o.model == "resnet" {
		method, solver = "", ""
	}
	out := imagesJSON{Model: o.model, Method: method, Solver: solver, TestError: res.TestError, Epochs: res.Epochs,
		Seconds: res.Seconds, Parameters: m.NumParams(), PeakBytes: res.PeakBytes}
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return runtimeError{err}
		}
		if err := writeJSON(filepath.Join(o.out, "result.json"), out); err != nil {
			return runtimeError{err}
		}
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "%s on %s: test error %.4f (accuracy %.2f%%), %d epochs in %.1f s (%.0f train images/s, %.0f test images/s), %d parameters, peak %d bytes\n",
		o.model, split.Name, res.TestError, 100*(1-res.TestError), res.Epochs, res.Seconds, res.TrainImagesPS, res.TestImagesPS, m.NumParams(), res.PeakBytes)
	return nil
}
