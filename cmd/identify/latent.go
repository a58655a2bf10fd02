package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	explatent "github.com/physid/physid/internal/experiments/latent"
	"github.com/physid/physid/learned/latent"
)

// defaultLatentData is the shipped hopper subset, relative to the repository root.
const defaultLatentData = "testdata/hopper"

func latentCommand() command {
	return command{
		name: "latent",
		args: "train|compare [--model rnn|gru|latent-ode] [--data DIR] [--observed 0.1] [--method aca] [--epochs N] [--out DIR] [--json] [--shard I/N|auto (compare)]",
		summary: `train: train a sequence model on irregularly sampled hopper trajectories (paper
Sec. 4.3): each sequence keeps a random fraction of its time points as
observations and the model reconstructs every time point. Prints the test
interpolation MSE (data normalised to [0, 1] per component).
compare: train rnn, gru and the latent ODE with adjoint, naive and aca at each
of --fractions over --seeds seeds and print the paper's Table 4 layout (mean ±
std beside the paper's numbers); --out writes result.json and
reconstructions.png (a few held-out trajectories).`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			model := fset.String("model", "latent-ode", "model: rnn, gru (RNN-GRU) or latent-ode")
			data := fset.String("data", defaultLatentData, "dataset directory (holding "+latent.HopperFile+") or file")
			observed := fset.Float64("observed", 0.1, "fraction of time points observed, in (0, 1]")
			method := fset.String("method", "aca", "latent ODE gradient method: aca, adjoint or naive")
			epochs := fset.Int("epochs", 20, "training epochs")
			sequences := fset.Int("sequences", 0, "use only the first N sequences (0: all)")
			seed := fset.Uint64("seed", 1, "seed of the split, observed points, initial weights and noise")
			out := fset.String("out", "", "directory for result.json (none if empty)")
			asJSON := fset.Bool("json", false, "print one JSON object instead of progress and a summary")
			fractions := fset.String("fractions", "0.1,0.2,0.5", "compare: comma-separated observed fractions, one column each")
			seeds := fset.Int("seeds", 2, "compare: seeds per table cell")
			sh := addShardFlag(fset)
			return func(pos []string, stdout, stderr io.Writer) error {
				if *sh != "" && (len(pos) != 1 || pos[0] != "compare") {
					return usagef("--shard: only latent compare can be sharded")
				}
				if *sh != "" {
					return latentCompareShard(*data, latentShardSettings{*epochs, *sequences, *fractions, *seeds}, *out, *sh, stdout, stderr)
				}
				if len(pos) == 1 && pos[0] == "compare" {
					fs, err := parseFractions(*fractions)
					if err != nil {
						return err
					}
					cfg := explatent.CompareConfig{Base: latent.TrainConfig{Epochs: *epochs, Sequences: *sequences}, Observed: fs, Seeds: *seeds}
					return latentCompare(*data, cfg, *out, *asJSON, stdout, stderr)
				}
				if len(pos) != 1 || pos[0] != "train" {
					return usagef("latent needs the subcommand train or compare (usage: identify latent train|compare [--model M] [--data DIR] [--observed F] [--method M] [--epochs N] [--out DIR] [--json])")
				}
				cfg := latent.TrainConfig{Model: *model, Method: *method, Observed: *observed, Epochs: *epochs, Sequences: *sequences, Seed: *seed}
				return latentTrain(*data, cfg, *out, *asJSON, stdout, stderr)
			}
		},
	}
}

// latentJSON is the --json output of latent train; the field names are a
// stable contract.
type latentJSON struct {
	Model      string  `json:"model"`
	Method     string  `json:"method"`
	Observed   float64 `json:"observed"`
	TestMSE    float64 `json:"test_mse"`
	Epochs     int     `json:"epochs"`
	Seconds    float64 `json:"seconds"`
	Parameters int     `json:"parameters"`
}

func latentTrain(data string, cfg latent.TrainConfig, out string, asJSON bool, stdout, stderr io.Writer) error {
	if !(cfg.Observed > 0 && cfg.Observed <= 1) {
		return usagef("--observed %v: want a fraction in (0, 1]", cfg.Observed)
	}
	if cfg.Epochs < 0 || cfg.Sequences < 0 {
		return usagef("--epochs %d, --sequences %d: want non-negative numbers", cfg.Epochs, cfg.Sequences)
	}
	if _, err := latent.NewModel(cfg, 1); err != nil {
		return usagef("%v", err)
	}
	d, err := loadLatentData(data)
	if err != nil {
		return err
	}
	var progress latent.Progress
	if !asJSON {
		progress = func(epoch int, loss float64) {
			fmt.Fprintf(stderr, "epoch %d/%d  training loss %.4g\n", epoch, cfg.Epochs, loss)
		}
	}
	res, _, err := latent.Train(d, cfg, progress)
	switch {
	case errors.Is(err, latent.ErrConfig) || errors.Is(err, latent.ErrData):
		return usagef("%v", err)
	case err != nil:
		return runtimeError{err}
	case math.IsNaN(res.TestMSE):
		return runtimeError{fmt.Errorf("latent %s: test MSE is NaN", cfg.Model)}
	}
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return runtimeError{err}
		}
		if err := writeJSON(filepath.Join(out, "result.json"), res); err != nil {
			return err
		}
	}
	if asJSON {
		b, err := json.MarshalIndent(latentJSON{res.Model, res.Method, res.Observed, res.TestMSE, res.Epochs, res.Seconds, res.Parameters}, "", "  ")
		if err != nil {
			return runtimeError{err}
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(stdout, "model %s (method %s), %d parameters, %.0f%% of time points observed\n", res.Model, res.Method, res.Parameters, 100*res.Observed)
	fmt.Fprintf(stdout, "test MSE %.4g  (×1e-2: %.3g; mean predictor %.4g)\n", res.TestMSE, 100*res.TestMSE, res.MeanMSE)
	fmt.Fprintf(stdout, "%d epochs in %.1f s (%.2f s per epoch)\n", res.Epochs, res.Seconds, res.EpochSeconds)
	return nil
}

// loadLatentData loads a dataset, mapping every problem to a usage error.
func loadLatentData(data string) (*latent.Dataset, error) {
	d, err := latent.Load(data)
	if err != nil {
		if data == defaultLatentData && errors.Is(err, os.ErrNotExist) {
			return nil, usagef("%v (run from the repository root or pass --data DIR)", err)
		}
		return nil, usagef("%v", err)
	}
	return d, nil
}

// parseFractions reads a comma-separated list of fractions in (0, 1].
func parseFractions(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0 && v <= 1) {
			return nil, usagef("--fractions %q: %q is not a fraction in (0, 1]", s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func latentCompare(data string, cfg explatent.CompareConfig, out string, asJSON bool, stdout, stderr io.Writer) error {
	if cfg.Seeds < 1 || cfg.Base.Epochs < 0 || cfg.Base.Sequences < 0 {
		return usagef("--seeds %d, --epochs %d, --sequences %d: want ≥ 1, ≥ 0, ≥ 0", cfg.Seeds, cfg.Base.Epochs, cfg.Base.Sequences)
	}
	d, err := loadLatentData(data)
	if err != nil {
		return err
	}
	var done func(latent.Result)
	if !asJSON {
		done = func(r latent.Result) {
			fmt.Fprintf(stderr, "%-10s %-8s %3.0f%%  test MSE %.4g  (%.2f s per epoch)\n", r.Model, r.Method, 100*r.Observed, r.TestMSE, r.EpochSeconds)
		}
	}
	cmp, err := explatent.Compare(d, cfg, done)
	switch {
	case errors.Is(err, latent.ErrConfig) || errors.Is(err, latent.ErrData):
		return usagef("%v", err)
	case err != nil:
		return runtimeError{err}
	}
	return finishLatentCompare(cmp, out, asJSON, stdout)
}

// finishLatentCompare writes result.json and reconstructions.png (with
// --out) and reports them: the one output stage of a single-machine latent
// compare and of the merge of its shards.
func finishLatentCompare(cmp *explatent.Comparison, out string, asJSON bool, stdout io.Writer) error {
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return runtimeError{err}
		}
		if err := writeJSON(filepath.Join(out, "result.json"), cmp); err != nil {
			return err
		}
		if err := plotLatent(filepath.Join(out, "reconstructions.png"), cmp); err != nil {
			return runtimeError{err}
		}
	}
	if asJSON {
		b, err := json.MarshalIndent(cmp, "", "  ")
		if err != nil {
			return runtimeError{err}
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	printTable4(stdout, cmp)
	return nil
}

// printTable4 writes the comparison in the layout of the paper's Table 4: test
// MSE ×1e-2, mean ± std over seeds, the paper's value in brackets.
func printTable4(w io.Writer, cmp *explatent.Comparison) {
	fmt.Fprintf(w, "Test MSE (×1e-2) of hopper interpolation, mean ± std over %d seeds, %d epochs; [paper]\n", cmp.Seeds, cmp.Epochs)
	fmt.Fprintf(w, "%-20s", "model")
	for _, f := range cmp.Observed {
		fmt.Fprintf(w, "  %-24s", fmt.Sprintf("%g%% observed", 100*f))
	}
	fmt.Fprintf(w, "  s/epoch\n")
	for _, r := range cmp.Rows {
		fmt.Fprintf(w, "%-20s", r.Name)
		for _, c := range r.Cells {
			paper := "[-]"
			if c.Paper != nil {
				paper = fmt.Sprintf("[%.2f]", 100**c.Paper)
			}
			fmt.Fprintf(w, "  %-24s", fmt.Sprintf("%.3f ± %.3f %s", 100*c.Mean, 100*c.Std, paper))
		}
		fmt.Fprintf(w, "  %.2f\n", r.EpochSeconds)
	}
	fmt.Fprintf(w, "mean predictor: %.3f\n", 100*cmp.MeanMSE)
	secs := map[string]float64{}
	for _, r := range cmp.Rows {
		secs[r.Method] = r.EpochSeconds
	}
	if secs["aca"] > 0 && secs["adjoint"] > 0 && secs["naive"] > 0 {
		fmt.Fprintf(w, "s/epoch relative to aca: adjoint %.2f×, naive %.2f× (paper: aca ≈ 2× faster than adjoint)\n",
			secs["adjoint"]/secs["aca"], secs["naive"]/secs["aca"])
	}
}

// reproduceLatentODE runs the reduced Table 4 comparison on the shipped
// hopper subset and writes result.json into dir (identify reproduce latent-ode).
func reproduceLatentODE(dir string, stdout io.Writer) error {
	return latentCompare(defaultLatentData, explatent.ReproduceConfig(), dir, false, stdout, io.Discard)
}
