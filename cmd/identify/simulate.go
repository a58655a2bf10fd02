package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/internal/atomicfile"
	"github.com/physid/physid/internal/csvio"
	"github.com/physid/physid/learned"
	"github.com/physid/physid/scenarios"
)

func simulateCommand() command {
	return command{
		name: "simulate",
		args: "SCENARIO [--out FILE.csv] [--t1 T] [--points N] [--experiment NAME]",
		summary: `Write the trajectory at the parameters' true values (init where a parameter has
none) as CSV with a header row t,<state names>. Defaults: t1 from [extrapolate] or
the last observation, 1000 points, FILE out/<scenario file name>/simulation.csv.
A scenario with experiments (or observables, inputs, a z0 of parameters)
simulates one experiment (--experiment NAME; the only one by default) from its
t0 to its last data time and writes t, the states, the observables and the
inputs (FILE default out/<scenario>/simulation_<experiment>.csv).`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			out := fset.String("out", "", "output CSV file")
			experiment := fset.String("experiment", "", "the experiment to simulate (scenarios with experiments)")
			t1 := fset.Float64("t1", 0, "end time (default: [extrapolate] t1 or the last observation time)")
			points := fset.Int("points", 0, "number of equally spaced times from t0 to t1 (default 1000)")
			return func(pos []string, stdout, stderr io.Writer) error {
				if err := oneScenario("simulate", pos, ""); err != nil {
					return err
				}
				sc, err := scenarios.Load(pos[0])
				if err != nil {
					return err
				}
				if *experiment != "" || sc.Likelihood() {
					if err := checkEndTime(*t1); err != nil {
						return err
					}
					return simulateExperiment(sc, *experiment, *out, *t1, *points, stdout)
				}
				return simulate(sc, pos[0], *out, *t1, *points, stdout)
			}
		},
	}
}

// window resolves t1 and the number of points from flags and the scenario.
func window(sc *scenarios.Scenario, t1 float64, points int) (float64, int, error) {
	if err := checkEndTime(t1); err != nil {
		return 0, 0, err
	}
	if t1 == 0 {
		t1 = sc.Extrapolate.T1
		if t1 == 0 {
			t1 = sc.Times[len(sc.Times)-1]
		}
	}
	if points == 0 {
		points = sc.Extrapolate.Points
		if points == 0 {
			points = 1000
		}
	}
	if !(t1 > sc.T0) {
		return 0, 0, usagef("--t1: %g is not after the initial time %g", t1, sc.T0)
	}
	if points < 2 || points > 10_000_000 {
		return 0, 0, usagef("--points: %d is out of range; want 2 to 10000000", points)
	}
	return t1, points, nil
}

func simulate(sc *scenarios.Scenario, file, out string, t1 float64, points int, stdout io.Writer) error {
	t1, points, err := window(sc, t1, points)
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(defaultOut(file), "simulation.csv")
	}
	if err := checkOutFile("--out", out); err != nil {
		return err
	}
	theta := make([]float64, len(sc.Params))
	for i, p := range sc.Params {
		theta[i] = p.Init
		if p.HasValue {
			theta[i] = p.Value
		}
	}
	ts := identify.Linspace(sc.T0, t1, points)
	states, err := identify.Simulate(sc.Model, theta, sc.T0, sc.Z0, ts, sc.TruthSettings())
	if err != nil {
		return runtimeError{fmt.Errorf("%s: simulation failed: %w", file, err)}
	}
	if err := writeStatesCSV(out, sc.StateNames, ts, states, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d times from %g to %g, %d states\n", out, points, sc.T0, t1, len(sc.StateNames))
	return nil
}

// writeStatesCSV writes t and the states, then (when truth is not nil) the
// true trajectory's columns named true_<state>.
func writeStatesCSV(path string, names []string, ts, states, truth []float64) error {
	n := len(names)
	header := append([]string{"t"}, names...)
	if truth != nil {
		for _, s := range names {
			header = append(header, "true_"+s)
		}
	}
	rows := make([][]float64, len(ts))
	for i, t := range ts {
		row := append([]float64{t}, states[i*n:(i+1)*n]...)
		if truth != nil {
			row = append(row, truth[i*n:(i+1)*n]...)
		}
		rows[i] = row
	}
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return csvio.Write(w, header, rows) })
	if err != nil {
		return runtimeError{err}
	}
	return nil
}

func writeTrajectory(path string, sc *scenarios.Scenario, ex *identify.Extrapolation) error {
	return writeStatesCSV(path, sc.StateNames, ex.Times, ex.Fit, ex.Truth)
}

func extrapolateCommand() command {
	return command{
		name: "extrapolate",
		args: "SCENARIO --from DIR/result.json|MODEL.json [--t1 T] [--points N] [--json] [--experiment NAME]",
		summary: `Run a saved fit (the fitted values in result.json) from t0 to t1 and report the
MSE of the observed components against the truth (or the data when the scenario
has no true values). Writes extrapolation.csv and extrapolation.png beside result.json.
--from also takes a learned model saved by identify compare (DIR/models/node-aca.json):
the network replaces the scenario's right-hand side, from the scenario's initial state.
A scenario with experiments runs one (--experiment NAME; the only one by
default) with its fitted local parameters and writes t, the states, the
observables and the inputs to extrapolation_<experiment>.csv (and .png); an
experiment with inputs cannot run past its data.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			from := fset.String("from", "", "result.json of a fit, or a learned model file (required)")
			t1 := fset.Float64("t1", 0, "end time (default: [extrapolate] t1)")
			points := fset.Int("points", 0, "number of equally spaced times (default: [extrapolate] points or 1000)")
			asJSON := fset.Bool("json", false, "print the result as JSON")
			experiment := fset.String("experiment", "", "the experiment to run (scenarios with experiments)")
			return func(pos []string, stdout, stderr io.Writer) error {
				if err := oneScenario("extrapolate", pos, ""); err != nil {
					return err
				}
				if *from == "" {
					return usagef("extrapolate needs --from DIR/result.json")
				}
				sc, err := scenarios.Load(pos[0])
				if err != nil {
					return err
				}
				if *experiment != "" || sc.Likelihood() {
					if err := checkEndTime(*t1); err != nil {
						return err
					}
					return extrapolateExperiment(sc, *experiment, *from, *t1, *points, stdout)
				}
				return extrapolate(sc, pos[0], *from, *t1, *points, *asJSON, stdout)
			}
		},
	}
}

func extrapolate(sc *scenarios.Scenario, file, from string, t1 float64, points int, asJSON bool, stdout io.Writer) error {
	t1, points, err := window(sc, t1, points)
	if err != nil {
		return err
	}
	p := sc.FitProblem()
	model, theta, err := loadFrom(from, sc)
	if err != nil {
		return err
	}
	truth, ok := sc.TrueValues()
	if !ok {
		truth = nil
	}
	ex, err := identify.ExtrapolateModel(p, model, theta, t1, points, truth, sc.TruthSettings())
	if err != nil {
		return runtimeError{fmt.Errorf("%s: %w", file, err)}
	}
	dir := filepath.Dir(from)
	if err := writeTrajectory(filepath.Join(dir, "extrapolation.csv"), sc, ex); err != nil {
		return err
	}
	if err := plotOrbits(filepath.Join(dir, "extrapolation.png"), sc, ex); err != nil {
		return runtimeError{err}
	}
	against := "truth"
	if truth == nil {
		against = "data"
	}
	res := extrapolationJSON{T1: t1, Points: points, MSE: &ex.MSE, Against: against}
	if asJSON {
		b, _, _ := marshalJSON(res)
		fmt.Fprintf(stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(stdout, "extrapolation of %s to t1 = %g (%d points): MSE against the %s = %.4g\nwrote %s, %s\n",
		from, t1, points, against, ex.MSE, filepath.Join(dir, "extrapolation.csv"), filepath.Join(dir, "extrapolation.png"))
	return nil
}

// loadFrom reads --from: a learned model file (learned.Save's format) or a
// fit's result.json, and returns the model to run and its θ.
func loadFrom(from string, sc *scenarios.Scenario) (dynamics.Dynamics, []float64, error) {
	b, err := os.ReadFile(from)
	if err != nil {
		return nil, nil, usagef("--from: %v", err)
	}
	var head struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(b, &head) == nil && head.Format == learned.Format {
		m, theta, err := learned.Load(bytes.NewReader(b), learned.DecodeFeatures)
		if err != nil {
			return nil, nil, usagef("--from: %s: %v", from, err)
		}
		d, ok := m.(dynamics.Dynamics)
		if !ok {
			return nil, nil, usagef("--from: %s holds a %T, not a model of dz/dt (only node models, learned vector fields, can be extrapolated)", from, m)
		}
		if d.Dim() != sc.Model.Dim() {
			return nil, nil, usagef("--from: %s models %d states, the scenario %s has %d", from, d.Dim(), sc.File, sc.Model.Dim())
		}
		return d, theta, nil
	}
	prev, err := decodeResultFile(from, b)
	if err != nil {
		return nil, nil, err
	}
	theta := make([]float64, len(sc.Params))
	for i, name := range sc.ParamNames {
		pj, ok := prev.Parameters[name]
		if !ok {
			return nil, nil, usagef("--from: %s has no parameter %q of this scenario", from, name)
		}
		theta[i] = pj.Value
	}
	return sc.Model, theta, nil
}

func readResultFile(path string) (*resultJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--from: %v", err)
	}
	return decodeResultFile(path, b)
}

// decodeResultFile decodes b, the contents of the result.json at path.
func decodeResultFile(path string, b []byte) (*resultJSON, error) {
	var r resultJSON
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, usagef("--from: %s is not a result.json: %v", path, err)
	}
	if len(r.Parameters) == 0 {
		return nil, usagef("--from: %s has no parameters", path)
	}
	return &r, nil
}
