package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/internal/atomicfile"
	"github.com/physid/physid/internal/csvio"
	"github.com/physid/physid/scenarios"
)

// experimentJSON is one experiment of a likelihood fit in result.json.
type experimentJSON struct {
	Name            string                    `json:"name"`
	Fit             bool                      `json:"fit"`
	LocalParameters map[string]localParamJSON `json:"local_parameters"`
	Observables     map[string]observableJSON `json:"observables"`
}

// localParamJSON is one local parameter's estimate in its experiment.
type localParamJSON struct {
	Value      float64  `json:"value"`
	StdErr     *float64 `json:"stderr"`
	StdErrNote string   `json:"stderr_note,omitempty"`
}

// observableJSON measures one observable against its data (see
// identify.ObservableFit): fit_percent = 100·(1 − ‖y − ŷ‖/‖y − mean y‖),
// nrmse = rmse/(max y − min y).
type observableJSON struct {
	RMSE       float64 `json:"rmse"`
	NRMSE      float64 `json:"nrmse"`
	FitPercent float64 `json:"fit_percent"`
	Points     int     `json:"points"`
}

// baseName is a local parameter's name without its @experiment.
func baseName(s string) string {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		return s[:i]
	}
	return s
}

func buildExperiments(p *identify.Problem, res *identify.Result) []experimentJSON {
	var out []experimentJSON
	for _, e := range res.Experiments {
		ej := experimentJSON{Name: e.Name, Fit: e.Fit, LocalParameters: map[string]localParamJSON{}, Observables: map[string]observableJSON{}}
		for _, i := range e.Local {
			lj := localParamJSON{Value: res.Params[i]}
			if res.StdErr != nil && !math.IsNaN(res.StdErr[i]) {
				v := res.StdErr[i]
				lj.StdErr = &v
			}
			if res.StdErrNote != nil {
				lj.StdErrNote = res.StdErrNote[i]
			}
			ej.LocalParameters[baseName(p.Params[i].Name)] = lj
		}
		for _, o := range e.Observables {
			ej.Observables[o.Name] = observableJSON{RMSE: o.RMSE, NRMSE: o.NRMSE, FitPercent: o.FitPercent, Points: o.Points}
		}
		out = append(out, ej)
	}
	return out
}

// fittedVector rebuilds a likelihood scenario's fitted vector (FitNames)
// from a result.json: globals from parameters, locals from each
// experiment's local_parameters.
func fittedVector(sc *scenarios.Scenario, r *resultJSON, from string) ([]float64, error) {
	names := sc.FitNames()
	theta := make([]float64, len(names))
	for i, n := range names {
		if j := strings.LastIndexByte(n, '@'); j >= 0 {
			found := false
			for _, e := range r.Experiments {
				if e.Name == n[j+1:] {
					if lp, ok := e.LocalParameters[n[:j]]; ok {
						theta[i], found = lp.Value, true
					}
				}
			}
			if !found {
				return nil, usagef("--from: %s has no local parameter %q of experiment %q", from, n[:j], n[j+1:])
			}
			continue
		}
		pj, ok := r.Parameters[n]
		if !ok {
			return nil, usagef("--from: %s has no parameter %q of this scenario", from, n)
		}
		theta[i] = pj.Value
	}
	return theta, nil
}

func printExperiments(w io.Writer, r *resultJSON) {
	if len(r.Experiments) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%-14s %-12s %-14s %12s %10s %12s %7s\n", "experiment", "", "observable", "rmse", "nrmse", "fit %", "points")
	for _, e := range r.Experiments {
		role := "estimation"
		if !e.Fit {
			role = "validation"
		}
		for _, name := range namesOf(e.Observables) {
			o := e.Observables[name]
			fmt.Fprintf(w, "%-14s %-12s %-14s %12.4g %10.4g %12.6g %7d\n", e.Name, role, name, o.RMSE, o.NRMSE, o.FitPercent, o.Points)
		}
		for _, name := range namesOf(e.LocalParameters) {
			lp := e.LocalParameters[name]
			se := "-"
			if lp.StdErr != nil {
				se = fmt.Sprintf("%.3g", *lp.StdErr)
			}
			fmt.Fprintf(w, "%-14s %-12s   local %s = %.8g ± %s\n", e.Name, "", name, lp.Value, se)
		}
	}
}

func namesOf[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// experimentFile is a file name for experiment name: prefix_<name>.ext.
func experimentFile(prefix, name, ext string) string {
	return prefix + "_" + strings.Trim(unsafeName.ReplaceAllString(name, "_"), "_") + ext
}

// writeLikelihoodOutputs writes fit_<experiment>.csv and .png for every
// experiment and loss.png into the set; a file that fails is passed to
// failed (recorded in result.json, printed as a warning), never an error.
func writeLikelihoodOutputs(set *outSet, sc *scenarios.Scenario, p *identify.Problem, res *identify.Result, failed func(file string, err error)) {
	for ei := range sc.Experiments {
		name := sc.Experiments[ei].Name
		csvName, png := experimentFile("fit", name, ".csv"), experimentFile("fit", name, ".png")
		var ts, states, obs []float64
		err := safely(func() (err error) {
			ts, states, obs, err = experimentCurve(sc, p, ei, res.Params, 0, 0)
			return err
		})
		if err != nil {
			failed(csvName, err)
			failed(png, err)
			continue
		}
		if err := safely(func() error { return writeExperimentCSV(set.path(csvName), sc, ei, ts, states, obs) }); err != nil {
			failed(csvName, err)
		}
		if err := safely(func() error { return plotExperiment(set.path(png), sc, ei, ts, obs) }); err != nil {
			failed(png, err)
		}
	}
	if err := safely(func() error { return plotLoss(set.path("loss.png"), res) }); err != nil {
		failed("loss.png", err)
	}
}

// fitOutputFiles are the names of the files a fit of sc writes: fitFiles,
// and for a likelihood scenario fit_<experiment>.csv and .png instead of the
// trajectory and orbits.
func fitOutputFiles(sc *scenarios.Scenario) []string {
	if !sc.Likelihood() {
		return fitFiles
	}
	files := []string{"result.json", "history.csv", "loss.png"}
	for _, e := range sc.Experiments {
		files = append(files, experimentFile("fit", e.Name, ".csv"), experimentFile("fit", e.Name, ".png"))
	}
	return files
}

// experimentCurve simulates experiment ei at θ on a fine grid: from t0
// through its data and, without inputs, on to t1 ([extrapolate] t1 when t1
// is 0 and the table is there). points 0 means 1000.
func experimentCurve(sc *scenarios.Scenario, p *identify.Problem, ei int, theta []float64, t1 float64, points int) (ts, states, obs []float64, err error) {
	e := sc.Experiments[ei]
	end := e.Times[len(e.Times)-1]
	if t1 == 0 {
		t1 = end
		if sc.Extrapolate.T1 > end && len(sc.Inputs) == 0 {
			t1 = sc.Extrapolate.T1
		}
	}
	if points == 0 {
		points = 1000
	}
	start := e.T0
	if start == t1 {
		start = e.Times[0]
	}
	ts = identify.Linspace(start, t1, points)
	states, obs, err = identify.SimulateExperiment(p, ei, theta, ts)
	return ts, states, obs, err
}

// writeExperimentCSV writes t, the states, the observables (when the
// scenario has [[observables]]) and the inputs, with a header row.
func writeExperimentCSV(path string, sc *scenarios.Scenario, ei int, ts, states, obs []float64) error {
	var names []string
	if len(sc.Observables) > 0 {
		names = sc.ObservableNames()
	}
	inputs := sc.InputNames()
	header := append(append(append([]string{"t"}, sc.StateNames...), names...), inputs...)
	sigs := experimentSignals(sc, ei)
	m, n, mo := len(names), len(sc.StateNames), len(sc.ObservableNames())
	rows := make([][]float64, len(ts))
	for k, t := range ts {
		row := append([]float64{t}, states[k*n:(k+1)*n]...)
		row = append(row, obs[k*mo:k*mo+m]...)
		for _, s := range sigs {
			row = append(row, s.At(t))
		}
		rows[k] = row
	}
	if err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return csvio.Write(w, header, rows) }); err != nil {
		return runtimeError{err}
	}
	return nil
}

// experimentIndex finds --experiment NAME (empty: the only experiment).
func experimentIndex(sc *scenarios.Scenario, name string) (int, error) {
	var names []string
	for i, e := range sc.Experiments {
		if e.Name == name || (name == "" && len(sc.Experiments) == 1) {
			return i, nil
		}
		names = append(names, e.Name)
	}
	if len(sc.Experiments) == 0 {
		return 0, usagef("--experiment: %s has no experiments (no [[experiments]], [[observables]], inputs or z0 of parameters)", sc.File)
	}
	if name == "" {
		return 0, usagef("--experiment: %s has %d experiments; name one (allowed: %s)", sc.File, len(names), strings.Join(names, ", "))
	}
	return 0, usagef("--experiment: unknown experiment %q (allowed: %s)", name, strings.Join(names, ", "))
}

// trueVector is the fitted vector (FitNames) at the parameters' true values
// (init where a parameter has none), each local copy at its parameter's.
func trueVector(sc *scenarios.Scenario) []float64 {
	names := sc.FitNames()
	theta := make([]float64, len(names))
	for i, n := range names {
		for _, p := range sc.Params {
			if p.Name == baseName(n) {
				theta[i] = p.Init
				if p.HasValue {
					theta[i] = p.Value
				}
			}
		}
	}
	return theta
}

// simulateExperiment is identify simulate for one experiment: the states,
// observables and inputs at the true values from t0 to t1 (default: the
// experiment's last data time).
func simulateExperiment(sc *scenarios.Scenario, name, out string, t1 float64, points int, stdout io.Writer) error {
	ei, err := experimentIndex(sc, name)
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(defaultOut(sc.File), experimentFile("simulation", sc.Experiments[ei].Name, ".csv"))
	}
	if err := checkOutFile("--out", out); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return usagef("--out: %v", err)
	}
	p := sc.FitProblem()
	ts, states, obs, err := experimentCurve(sc, p, ei, trueVector(sc), t1, points)
	if err != nil {
		return runtimeError{fmt.Errorf("%s: simulation failed: %w", sc.File, err)}
	}
	if err := writeExperimentCSV(out, sc, ei, ts, states, obs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: experiment %s, %d times from %g to %g\n", out, sc.Experiments[ei].Name, len(ts), ts[0], ts[len(ts)-1])
	return nil
}

// extrapolateExperiment is identify extrapolate for one experiment: the
// fitted model from result.json run to t1, written as
// extrapolation_<experiment>.csv and .png beside it.
func extrapolateExperiment(sc *scenarios.Scenario, name, from string, t1 float64, points int, stdout io.Writer) error {
	ei, err := experimentIndex(sc, name)
	if err != nil {
		return err
	}
	prev, err := readResultFile(from)
	if err != nil {
		return err
	}
	theta, err := fittedVector(sc, prev, from)
	if err != nil {
		return err
	}
	p := sc.FitProblem()
	ts, states, obs, err := experimentCurve(sc, p, ei, theta, t1, points)
	if err != nil {
		return runtimeError{fmt.Errorf("%s: %w", sc.File, err)}
	}
	dir, en := filepath.Dir(from), sc.Experiments[ei].Name
	csvPath, png := filepath.Join(dir, experimentFile("extrapolation", en, ".csv")), filepath.Join(dir, experimentFile("extrapolation", en, ".png"))
	if err := writeExperimentCSV(csvPath, sc, ei, ts, states, obs); err != nil {
		return err
	}
	if err := plotExperiment(png, sc, ei, ts, obs); err != nil {
		return runtimeError{err}
	}
	fmt.Fprintf(stdout, "extrapolation of %s, experiment %s, to t = %g (%d points)\nwrote %s, %s\n", from, en, ts[len(ts)-1], len(ts), csvPath, png)
	return nil
}
