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
	"github.com/physid/physid/internal/experiments/images"
	"github.com/physid/physid/learned/vision"
)

// The reduced defaults of the image experiments (paper Sec. 4.2 at laptop
// scale), measured on the shipped Fashion-MNIST subset, seed 1: see the
// README's Table 2 for the accuracies and times of `identify reproduce images`.
// The NODE needs about 12 epochs to pass 85 % test accuracy (it was at 82 %
// after 8); the convolutions run in float32.
const (
	imagesEpochs = 12
	imagesWidth  = 16
	imagesBlocks = 2
	// imagesTestStep is the step of fixed-step solvers at test time: Euler
	// is first order, and at the training default of 0.25 its error in z(1)
	// cost the ACA NODE 1.7 points of accuracy; at 0.1 none (0.144 either way
	// with HeunEuler), and RK2 and RK4 do not change between 0.25 and 0.05.
	imagesTestStep = 0.1
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

// imagesCommand is `identify images train|compare|icc`: image classifiers
// (a ResNet and its neural-ODE counterpart, paper Sec. 4.2) trained and tested.
func imagesCommand() command {
	return command{
		name: "images",
		args: "train|compare|icc [--model resnet|node] [--method aca|adjoint|naive] [--methods aca,adjoint,naive] [--solver heuneuler] [--test-solver S] [--test-step H] [--data DIR|--dataset fashion-mnist] [--epochs N] [--width W] [--blocks B] [--precision float32|float64] [--runs R] [--out DIR] [--json] [--shard I/N|auto (icc)]",
		summary: `Train image classifiers, a small ResNet and its neural-ODE counterpart with
the same parameters (paper Sec. 4.2). train fits one model and reports its test
error; compare trains the ResNet and one NODE per gradient method and prints the
paper's Table 2 layout (test error per test-time solver, seconds per epoch, peak
memory), writing DIR/compare.json and DIR/compare.png (accuracy against training
time, Fig. 7b); icc trains --runs models per architecture with different seeds
and reports their test-retest reliability (Table 3). Without --data or --dataset
the Fashion-MNIST subset shipped with physid is used.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var o imagesOptions
			fset.StringVar(&o.model, "model", "resnet", "train: resnet or node (compare and icc train both)")
			fset.StringVar(&o.method, "method", "aca", "gradient method of the ODE blocks: aca, adjoint or naive")
			methods := fset.String("methods", "aca,adjoint,naive", "compare: gradient methods of the NODEs, comma-separated")
			fset.StringVar(&o.solver, "solver", "heuneuler", "tableau of the ODE blocks (training and test)")
			fset.StringVar(&o.testSolver, "test-solver", "", "tableau at test time (default: --solver)")
			fset.Float64Var(&o.testStep, "test-step", imagesTestStep, "step of a fixed-step test solver (euler, rk2, rk4), in (0, 1]")
			fset.StringVar(&o.data, "data", "", "directory of IDX (MNIST, Fashion-MNIST) or CIFAR-10/100 binary files")
			fset.StringVar(&o.dataset, "dataset", "", "fashion-mnist: the full set of the Debian package dataset-fashion-mnist")
			fset.IntVar(&o.epochs, "epochs", imagesEpochs, "training epochs (1..1000)")
			fset.IntVar(&o.width, "width", imagesWidth, "channels (1..256)")
			fset.IntVar(&o.blocks, "blocks", imagesBlocks, "residual or ODE blocks (1..8)")
			fset.StringVar(&o.precision, "precision", "float32", "precision of the convolutions' matrix products: float32 (a NODE training step about 1.25× faster) or float64")
			fset.Uint64Var(&o.seed, "seed", 1, "random seed")
			runs := fset.Int("runs", 3, "icc: trained models per architecture (2..100)")
			fset.StringVar(&o.out, "out", "", "output directory (train: result.json; compare: default out/images-compare)")
			fset.BoolVar(&o.asJSON, "json", false, "print one JSON object")
			sh := addShardFlag(fset)
			return func(pos []string, stdout, stderr io.Writer) error {
				o.shard = *sh
				if o.shard != "" && (len(pos) != 1 || pos[0] != "icc") {
					return usagef("--shard: only images icc can be sharded")
				}
				if len(pos) != 1 {
					return usagef("images needs one subcommand (usage: identify images train|compare|icc ...)")
				}
				switch pos[0] {
				case "train":
					return imagesTrain(o, stdout, stderr)
				case "compare":
					ms, err := parseImageMethods(*methods)
					if err != nil {
						return err
					}
					o.methods = ms
					return imagesCompare(o, stdout, stderr)
				case "icc":
					return imagesICC(o, *runs, stdout, stderr)
				}
				return usagef("images: unknown subcommand %q (allowed: train, compare, icc)", pos[0])
			}
		},
	}
}

// imagesOptions are the flags of the images subcommands.
type imagesOptions struct {
	model, method, solver, testSolver, data, dataset string
	precision                                        string
	testStep                                         float64
	epochs, width, blocks                            int
	seed                                             uint64
	out                                              string
	asJSON                                           bool
	// methods are compare's gradient methods (nil means aca, adjoint, naive).
	methods []string
	// quiet drops the per-epoch progress lines.
	quiet bool
	// shard is icc's --shard: this run is one shard (see shardicc.go).
	shard string
}

// defaultImagesOptions are the flag defaults, for callers that do not parse flags.
func defaultImagesOptions() imagesOptions {
	return imagesOptions{model: "resnet", method: "aca", solver: "heuneuler", epochs: imagesEpochs,
		precision: "float32", testStep: imagesTestStep, width: imagesWidth, blocks: imagesBlocks, seed: 1, methods: []string{"aca", "adjoint", "naive"}}
}

func parseImageMethods(s string) ([]string, error) {
	ms := splitList(s)
	return ms, checkList("methods", ms, []string{"aca", "adjoint", "naive"})
}

// checkImagesOptions validates what does not need the data.
func checkImagesOptions(o imagesOptions) error {
	switch {
	case o.model != "resnet" && o.model != "node":
		return usagef("--model: unknown model %q (allowed: resnet, node)", o.model)
	case o.method != "aca" && o.method != "adjoint" && o.method != "naive":
		return usagef("--method: unknown method %q (allowed: aca, adjoint, naive)", o.method)
	case o.epochs < 1 || o.epochs > 1000:
		return usagef("--epochs: %d outside 1..1000", o.epochs)
	case o.width < 1 || o.width > 256:
		return usagef("--width: %d outside 1..256", o.width)
	case o.blocks < 1 || o.blocks > 8:
		return usagef("--blocks: %d outside 1..8", o.blocks)
	case !(o.testStep > 0 && o.testStep <= 1):
		return usagef("--test-step: %g outside (0, 1]", o.testStep)
	case o.precision != "float32" && o.precision != "float64":
		return usagef("--precision: unknown precision %q (allowed: float32, float64)", o.precision)
	}
	if _, err := integrate.ByName(o.solver); err != nil {
		return usagef("--solver: %v", err)
	}
	if o.testSolver != "" {
		if _, err := integrate.ByName(o.testSolver); err != nil {
			return usagef("--test-solver: %v", err)
		}
	}
	return nil
}

// loadImageSplit reads the data set o names; every failure is a usage error
// (exit 2): a missing directory, a malformed file.
func loadImageSplit(o imagesOptions) (*vision.Split, error) {
	var split *vision.Split
	var err error
	switch {
	case o.data != "" && o.dataset != "":
		return nil, usagef("--data and --dataset exclude each other")
	case o.data != "":
		split, err = vision.LoadDir(o.data)
	case o.dataset == "fashion-mnist":
		split, err = vision.FashionMNIST()
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("--dataset fashion-mnist: %s not found (install the Debian package dataset-fashion-mnist)", vision.FashionMNISTDir)
		}
	case o.dataset != "":
		return nil, usagef("--dataset: unknown data set %q (allowed: fashion-mnist)", o.dataset)
	default:
		split, err = vision.Subset()
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	return split, nil
}

// newImageClassifier builds the classifier o describes for the images of
// split, with the solvers and gradient method of o set on its ODE blocks.
func newImageClassifier(o imagesOptions, split *vision.Split) (*vision.Classifier, error) {
	if err := checkImagesOptions(o); err != nil {
		return nil, err
	}
	m, err := vision.NewClassifier(vision.Config{Model: o.model, In: split.Train.Shape, Classes: split.Train.Classes, Width: o.width, Blocks: o.blocks,
		Float32: o.precision == "float32"})
	if err != nil {
		return nil, usagef("%v", err)
	}
	train, err := images.Settings(o.solver)
	if err != nil {
		return nil, usagef("--solver: %v", err)
	}
	test := train
	if o.testSolver != "" {
		if test, err = images.TestSettings(o.testSolver, o.testStep); err != nil {
			return nil, usagef("--test-solver: %v", err)
		}
	}
	if err := m.SetSolver(train, test, o.method); err != nil {
		return nil, usagef("%v", err)
	}
	return m, nil
}

// imageTrainConfig is the training configuration of o; progress lines go to
// stderr, prefixed by label.
func imageTrainConfig(o imagesOptions, label string, stderr io.Writer) vision.TrainConfig {
	cfg := vision.TrainConfig{Epochs: o.epochs, Seed: o.seed}
	if !o.quiet {
		cfg.Progress = func(r vision.EpochReport) { printEpoch(stderr, label, r) }
	}
	return cfg
}

// printEpoch writes one training epoch's progress line, prefixed by label.
func printEpoch(w io.Writer, label string, r vision.EpochReport) {
	fmt.Fprintf(w, "%sepoch %d: loss %.4f, test error %.4f (%.1f s)\n", label, r.Epoch, r.Loss, r.TestError, r.Seconds)
}

// experimentError passes on a usage error (a Builder's) and marks any other
// error of an experiment as a failed computation.
func experimentError(err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return runtimeError{err}
}

func imagesTrain(o imagesOptions, stdout, stderr io.Writer) error {
	if err := checkImagesOptions(o); err != nil {
		return err
	}
	split, err := loadImageSplit(o)
	if err != nil {
		return err
	}
	m, err := newImageClassifier(o, split)
	if err != nil {
		return err
	}
	res, err := vision.Train(context.Background(), m, split, imageTrainConfig(o, "", stderr))
	if err != nil {
		return runtimeError{err}
	}
	method, solver := o.method, o.solver
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
			return err
		}
	}
	if o.asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	fmt.Fprintf(stdout, "%s (%s convolutions) on %s: test error %.4f (accuracy %.2f%%), %d epochs in %.1f s (%.0f train images/s, %.0f test images/s), %d parameters, peak %d bytes\n",
		o.model, o.precision, split.Name, res.TestError, 100*(1-res.TestError), res.Epochs, res.Seconds, res.TrainImagesPS, res.TestImagesPS, m.NumParams(), res.PeakBytes)
	return nil
}
