package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"

	"github.com/physid/physid/internal/experiments/images"
	"github.com/physid/physid/learned/vision"
)

// iccJSON is DIR/icc.json of identify images icc.
type iccJSON struct {
	Data      string         `json:"data"`
	Runs      int            `json:"runs"`
	Epochs    int            `json:"epochs"`
	Width     int            `json:"width"`
	Precision string         `json:"precision"`
	Blocks    int            `json:"blocks"`
	Targets   string         `json:"targets"`
	Models    []iccModelJSON `json:"models"`
	Paper     string         `json:"paper"`
}

type iccModelJSON struct {
	Model  string `json:"model"`
	Method string `json:"method,omitempty"`
	Solver string `json:"solver,omitempty"`
	// Whole and Misclassified hold ICC1, ICC1k and their 95% bounds.
	Whole               iccValuesJSON `json:"whole_test_set"`
	Misclassified       iccValuesJSON `json:"misclassified"`
	MisclassifiedImages int           `json:"misclassified_images"`
	TestErrors          []float64     `json:"test_errors"`
	TestErrorMean       float64       `json:"test_error_mean"`
	TestErrorStd        float64       `json:"test_error_std"`
	EnsembleError       float64       `json:"ensemble_error"`
	Seeds               []uint64      `json:"seeds"`
	Seconds             float64       `json:"seconds"`
}

type iccValuesJSON struct {
	ICC1       *float64 `json:"icc1"`
	ICC1Lower  *float64 `json:"icc1_lower"`
	ICC1Upper  *float64 `json:"icc1_upper"`
	ICC1k      *float64 `json:"icc1k"`
	ICC1kLower *float64 `json:"icc1k_lower"`
	ICC1kUpper *float64 `json:"icc1k_upper"`
}

func iccValues(r vision.ICC) iccValuesJSON {
	return iccValuesJSON{finite(r.ICC1), finite(r.ICC1Lower), finite(r.ICC1Upper),
		finite(r.ICC1k), finite(r.ICC1kLower), finite(r.ICC1kUpper)}
}

// imagesICC is `identify images icc`: --runs models per architecture (the
// ResNet and the NODE with --method and --solver), trained with seeds seed,
// seed+1, …, and the test-retest reliability of their predicted probabilities
// (paper Table 3): ICC(1) and ICC(1,k) on the whole test set and on the
// images the runs' averaged prediction misclassifies.
func imagesICC(o imagesOptions, runs int, stdout, stderr io.Writer) error {
	if runs < 2 || runs > 100 {
		return usagef("--runs: %d outside 2..100 (the reliability of one run is undefined)", runs)
	}
	if err := checkImagesOptions(o); err != nil {
		return err
	}
	split, err := loadImageSplit(o)
	if err != nil {
		return err
	}
	dir := o.out
	if dir == "" {
		dir = filepath.Join("out", "images-icc")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("--out: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := iccConfig(o, runs, split, stderr)
	if o.shard != "" {
		return iccShard(ctx, o, runs, dir, split, cfg, stdout)
	}
	models, err := images.ICC(ctx, split, cfg)
	if err != nil {
		return experimentError(err)
	}
	return finishICC(dir, o, runs, split.Name, models, stdout)
}

// iccConfig is the configuration of images icc's runs.
func iccConfig(o imagesOptions, runs int, split *vision.Split, stderr io.Writer) images.ICCConfig {
	return images.ICCConfig{
		Build: func(model, method string) (*vision.Classifier, error) {
			mo := o
			mo.model, mo.method = model, method
			return newImageClassifier(mo, split)
		},
		Method: o.method, Solver: o.solver, Runs: runs, Epochs: o.epochs, Seed: o.seed,
		RunDone: func(model string, seed uint64, res *vision.TrainResult) {
			fmt.Fprintf(stderr, "%s, seed %d: test error %.4f (%.0f s)\n", model, seed, res.TestError, res.Seconds)
		},
	}
}

// finishICC writes icc.json and reports it: the one output stage of a
// single-machine images icc and of the merge of its shards.
func finishICC(dir string, o imagesOptions, runs int, data string, models []images.ICCModel, stdout io.Writer) error {
	out := iccJSON{
		Data: data, Runs: runs, Epochs: o.epochs, Width: o.width, Precision: o.precision, Blocks: o.blocks,
		Targets: "(test image, class) pairs rated by each run's predicted probability; misclassified: the images the runs' averaged probabilities get wrong",
		Paper:   images.PaperTable3,
	}
	for _, m := range models {
		out.Models = append(out.Models, iccModelJSON{Model: m.Model, Method: m.Method, Solver: m.Solver,
			Whole: iccValues(m.Whole), Misclassified: iccValues(m.Misclassified), MisclassifiedImages: m.MisclassifiedImages,
			TestErrors: m.TestErrors, TestErrorMean: m.TestErrorMean, TestErrorStd: m.TestErrorStd,
			EnsembleError: m.EnsembleError, Seeds: m.Seeds, Seconds: m.Seconds})
	}
	if err := writeJSON(filepath.Join(dir, "icc.json"), out); err != nil {
		return err
	}
	if o.asJSON {
		return printJSON(stdout, out)
	}
	printICC(stdout, &out)
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, "icc.json"))
	return nil
}

// printICC prints the paper's Table 3 layout: ICC with its 95% interval.
func printICC(w io.Writer, out *iccJSON) {
	fmt.Fprintf(w, "Test-retest reliability (paper Table 3) on %s: %d runs per model, %d epochs, width %d\n\n", out.Data, out.Runs, out.Epochs, out.Width)
	ci := func(v, lo, hi *float64) string {
		if v == nil || lo == nil || hi == nil {
			return "n/a"
		}
		return fmt.Sprintf("%.3f [%.3f, %.3f]", *v, *lo, *hi)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\twhole: ICC1\twhole: ICC1k\tmisclassified: ICC1\tmisclassified: ICC1k\ttest error\tensemble error")
	for _, r := range out.Models {
		name := r.Model
		if r.Method != "" {
			name += " (" + r.Method + ", " + r.Solver + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.4f ± %.4f\t%.4f (%d images)\n", name,
			ci(r.Whole.ICC1, r.Whole.ICC1Lower, r.Whole.ICC1Upper), ci(r.Whole.ICC1k, r.Whole.ICC1kLower, r.Whole.ICC1kUpper),
			ci(r.Misclassified.ICC1, r.Misclassified.ICC1Lower, r.Misclassified.ICC1Upper),
			ci(r.Misclassified.ICC1k, r.Misclassified.ICC1kLower, r.Misclassified.ICC1kUpper),
			r.TestErrorMean, r.TestErrorStd, r.EnsembleError, r.MisclassifiedImages)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nICC(1) and ICC(1,k) (Shrout & Fleiss 1979) with exact 95%% intervals from the F distribution;\nthe targets are %s.\n", out.Targets)
}
