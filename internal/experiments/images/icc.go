package images

import (
	"context"
	"fmt"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/physid/physid/learned/vision"
)

// PaperTable3 is the paper's Table 3, for display beside ours.
const PaperTable3 = "Zhuang et al., ICML 2020, Table 3 (10 runs, CIFAR-10): ResNet18 ICC1 0.932-0.935, ICC1k 0.992-0.993, misclassified 0.581-0.608 / 0.933-0.939; NODE18 0.943-0.945, 0.993-0.994, misclassified 0.650-0.675 / 0.949-0.954"

// ICCConfig configures ICC.
type ICCConfig struct {
	// Build makes each classifier, with the gradient method Method; Solver
	// names the NODE's tableau, for the result.
	Build          Builder
	Method, Solver string
	// Runs is the number of models per architecture (at least 2), trained
	// for Epochs with seeds Seed, Seed+1, ….
	Runs   int
	Epochs int
	Seed   uint64
	// RunDone, when not nil, is called after each trained model.
	RunDone func(model string, seed uint64, res *vision.TrainResult)
	// Only, when not nil, trains only the runs (tasks) k with Only(k), the
	// share of one shard: run r of the ResNet is task r, of the NODE Runs + r
	// (see ICCRuns and ICCFromRuns).
	Only func(task int) bool
}

// ICCModel is the reliability of one architecture's runs.
type ICCModel struct {
	// Model is resnet or node; Method and Solver are the NODE's ("" for the ResNet).
	Model, Method, Solver string
	// Whole and Misclassified hold ICC1, ICC1k and their 95% bounds on the
	// whole test set and on the images the averaged prediction misclassifies.
	Whole, Misclassified vision.ICC
	MisclassifiedImages  int
	// TestErrors are the runs' test errors, with their mean and population
	// standard deviation; EnsembleError is that of the averaged prediction.
	TestErrors                  []float64
	TestErrorMean, TestErrorStd float64
	EnsembleError               float64
	Seeds                       []uint64
	Seconds                     float64
}

// ICC is the paper's Table 3 (Sec. 4.2): Runs models per architecture (the
// ResNet and the NODE) trained with different seeds, and the test-retest
// reliability of their predicted probabilities (vision.TestRetest): ICC(1)
// and ICC(1,k) on the whole test set and on the misclassified images. Errors
// of Build are returned unchanged; a failed run names the model and seed.
func ICC(ctx context.Context, split *vision.Split, cfg ICCConfig) ([]ICCModel, error) {
	runs, err := ICCRuns(ctx, split, cfg)
	if err != nil {
		return nil, err
	}
	return ICCFromRuns(split, cfg, runs)
}

// iccModels are the architectures of ICC, in the order of its rows.
var iccModels = []string{"resnet", "node"}

// ICCRun is one trained model of ICC: run r of architecture m is task
// m·Runs + r, seeded Seed + r.
type ICCRun struct {
	Task  int
	Model string
	Seed  uint64
	// Probs are its predicted probabilities on the test set (vision.Probabilities).
	Probs   []float64
	Seconds float64
}

// ICCRuns trains the runs of ICC, those k with cfg.Only(k) when Only is not
// nil (the share of one shard; see ICCConfig.Only), in task order.
func ICCRuns(ctx context.Context, split *vision.Split, cfg ICCConfig) ([]ICCRun, error) {
	mean, std := vision.Standardize(split.Train)
	var out []ICCRun
	for mi, model := range iccModels {
		for r := range cfg.Runs {
			task := mi*cfg.Runs + r
			if cfg.Only != nil && !cfg.Only(task) {
				continue
			}
			began := time.Now()
			seed := cfg.Seed + uint64(r)
			m, err := cfg.Build(model, cfg.Method)
			if err != nil {
				return nil, err
			}
			res, err := vision.Train(ctx, m, split, vision.TrainConfig{Epochs: cfg.Epochs, Seed: seed})
			if err != nil {
				return nil, fmt.Errorf("%s, seed %d: %w", model, seed, err)
			}
			p, err := vision.Probabilities(m, res.Theta, split.Test, mean, std, 256)
			if err != nil {
				return nil, fmt.Errorf("%s, seed %d: %w", model, seed, err)
			}
			out = append(out, ICCRun{Task: task, Model: model, Seed: seed, Probs: p, Seconds: time.Since(began).Seconds()})
			if cfg.RunDone != nil {
				cfg.RunDone(model, seed, res)
			}
		}
	}
	return out, nil
}

// ICCFromRuns computes the rows of ICC from all its runs, in any order (the
// runs of every shard together); an error names a run missing or given twice.
// A row's Seconds is the sum of its runs'.
func ICCFromRuns(split *vision.Split, cfg ICCConfig, runs []ICCRun) ([]ICCModel, error) {
	byTask := make([]*ICCRun, len(iccModels)*cfg.Runs)
	for i := range runs {
		r := &runs[i]
		if r.Task < 0 || r.Task >= len(byTask) {
			return nil, fmt.Errorf("images: icc: run %d of %d", r.Task, len(byTask))
		}
		if byTask[r.Task] != nil {
			return nil, fmt.Errorf("images: icc: run %d (%s, seed %d) is given twice", r.Task, r.Model, r.Seed)
		}
		byTask[r.Task] = r
	}
	var out []ICCModel
	for mi, model := range iccModels {
		row := ICCModel{Model: model}
		if model == "node" {
			row.Method, row.Solver = cfg.Method, cfg.Solver
		}
		var probs [][]float64
		for r := range cfg.Runs {
			run := byTask[mi*cfg.Runs+r]
			if run == nil {
				return nil, fmt.Errorf("images: icc: run %d (%s, seed %d) is missing", mi*cfg.Runs+r, model, cfg.Seed+uint64(r))
			}
			probs = append(probs, run.Probs)
			row.Seeds = append(row.Seeds, run.Seed)
			row.Seconds += run.Seconds
		}
		rel, err := vision.TestRetest(probs, split.Test.Labels, split.Test.Classes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", model, err)
		}
		row.Whole, row.Misclassified = rel.Whole, rel.Misclassified
		row.MisclassifiedImages, row.TestErrors, row.EnsembleError = rel.MisclassifiedImages, rel.Errors, rel.EnsembleError
		row.TestErrorMean, row.TestErrorStd = stat.PopMeanStdDev(rel.Errors, nil)
		out = append(out, row)
	}
	return out, nil
}
