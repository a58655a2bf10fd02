package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/scenarios"
)

// precisionJSON is precision.json and the --json output of precision; the
// field names are a stable contract.
type precisionJSON struct {
	ReferenceTol float64        `json:"reference_tol"`
	Repeats      int            `json:"repeats"`
	Rows         []precisionRow `json:"rows"`
}

// precisionRow is one method at one tolerance.
type precisionRow struct {
	Method string  `json:"method"`
	Tol    float64 `json:"tol"`
	// Error is the largest relative error of a component of dL/dθ against
	// the reference (see relGradError).
	Error         float64 `json:"error"`
	SecondsMin    float64 `json:"seconds_min"`
	SecondsMedian float64 `json:"seconds_median"`
	// NFE is the evaluations of f, JVP and VJP, forward and backward.
	NFE   int `json:"nfe"`
	Bytes int `json:"bytes"`
}

type precisionFlags struct {
	file, methods, tols, out string
	land                     string // "", "true" or "false": the scenario's [solver] land, or this
	refTol                   float64
	repeats                  int
	json                     bool
}

const (
	defaultPrecisionMethods = "aca,adjoint,forward"
	defaultPrecisionTols    = "1e-6,1e-7,1e-8,1e-9,1e-10"
)

func precisionCommand() command {
	return command{
		name: "precision",
		args: "SCENARIO [--methods aca,adjoint,forward] [--tols 1e-6,...,1e-10] [--reference-tol 1e-12] [--repeats N] [--out DIR] [--json]",
		summary: `A work-precision report of the gradient dL/dθ at the parameters' init values:
for each method and tolerance (rtol = atol = tol, the scenario's tableau and
controller), the error of the gradient against a reference computed by ACA at
--reference-tol, the time (minimum and median of --repeats runs after one
untimed run), the function evaluations (f, JVP and VJP, forward and backward)
and the bytes held, so that one can pick the cheapest method and tolerance
for the accuracy one needs. The error is the largest relative error over the
components of dL/dθ, |g_i − r_i| / max(|r_i|, 1e-12·max_j |r_j|) (dL/dz0 is
not included). Writes DIR/precision.json (--json prints the same object)
and DIR/precision.png, error against median time on log-log axes, one line
per method, points labelled by tolerance (default DIR:
out/<scenario file name>-precision). A method that fails at a tolerance (the
adjoint's backward solve may underflow where the reversed flow is unstable)
gets null error and seconds in its row and a warning on stderr; the others
are still measured.`,
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			var o precisionFlags
			fset.StringVar(&o.methods, "methods", defaultPrecisionMethods, "comma-separated gradient methods: aca, adjoint, naive, forward")
			fset.StringVar(&o.tols, "tols", defaultPrecisionTols, "comma-separated tolerances, each > 0 (rtol = atol = tol)")
			fset.Float64Var(&o.refTol, "reference-tol", 1e-12, "tolerance of the ACA reference gradient; tighter than every --tols value")
			fset.IntVar(&o.repeats, "repeats", 20, "timed runs per method and tolerance, at least 1")
			fset.StringVar(&o.land, "land", "", "true: steps land on every observation; false: dense output where the method has it (default: the scenario's [solver] land)")
			fset.StringVar(&o.out, "out", "", "output directory (default out/<scenario file name>-precision)")
			fset.BoolVar(&o.json, "json", false, "print precision.json's object instead of a table")
			return func(pos []string, stdout, stderr io.Writer) error {
				if err := oneScenario("precision", pos, "usage: identify precision SCENARIO [--methods M,...] [--tols T,...]"); err != nil {
					return err
				}
				o.file = pos[0]
				return precision(o, stdout, stderr)
			}
		},
	}
}

// parsePrecisionFlags checks the flags before any work and returns the
// methods' names and the tolerances.
func parsePrecisionFlags(o precisionFlags) (methods []string, tols []float64, err error) {
	for _, name := range strings.Split(o.methods, ",") {
		name = strings.TrimSpace(name)
		if _, err := aca.ByName(name); err != nil {
			return nil, nil, usagef("--methods: unknown method %q (allowed: %s)", name, strings.Join(methodNames(), ", "))
		}
		if slices.Contains(methods, name) {
			return nil, nil, usagef("--methods: %q is given twice", name)
		}
		methods = append(methods, name)
	}
	for _, s := range strings.Split(o.tols, ",") {
		s = strings.TrimSpace(s)
		tol, err := strconv.ParseFloat(s, 64)
		if err != nil || !(tol > 0) || math.IsInf(tol, 0) {
			return nil, nil, usagef("--tols: %q is not a positive number", s)
		}
		tols = append(tols, tol)
	}
	if !(o.refTol > 0) || math.IsInf(o.refTol, 0) {
		return nil, nil, usagef("--reference-tol: %g is not a positive number", o.refTol)
	}
	for _, tol := range tols {
		if !(o.refTol < tol) {
			return nil, nil, usagef("--reference-tol: %g is not tighter than the tolerance %g of --tols", o.refTol, tol)
		}
	}
	if o.repeats < 1 {
		return nil, nil, usagef("--repeats: %d, want at least 1", o.repeats)
	}
	if o.land != "" && o.land != "true" && o.land != "false" {
		return nil, nil, usagef("--land: %q (allowed: true, false)", o.land)
	}
	return methods, tols, nil
}

func precision(o precisionFlags, stdout, stderr io.Writer) error {
	methods, tols, err := parsePrecisionFlags(o)
	if err != nil {
		return err
	}
	sc, err := scenarios.Load(o.file)
	if err != nil {
		return err
	}
	if o.land != "" {
		sc.Solver.Land = o.land == "true"
	}
	dir := o.out
	if dir == "" {
		dir = defaultOut(o.file) + "-precision"
	}
	if err := checkOutDir("--out", dir); err != nil {
		return err
	}
	p, err := sc.Problem()
	if err != nil {
		return err
	}
	refSet := *sc.Settings()
	refSet.RTol, refSet.ATol = o.refTol, o.refTol
	ref, err := aca.Gradient(p, &refSet, &aca.ACA{})
	if err != nil {
		return runtimeError{fmt.Errorf("%s: the reference (aca at tol %g): %w", o.file, o.refTol, err)}
	}
	out := precisionJSON{ReferenceTol: o.refTol, Repeats: o.repeats, Rows: []precisionRow{}}
	for _, name := range methods {
		m, _ := aca.ByName(name)
		for _, tol := range tols {
			row, err := precisionRun(p, sc, m, tol, ref.Theta, o.repeats)
			if err != nil {
				fmt.Fprintf(stderr, "identify: warning: %s: %s at tol %g failed: %v\n", o.file, name, tol, err)
			}
			out.Rows = append(out.Rows, row)
		}
	}
	if err := writeJSON(filepath.Join(dir, "precision.json"), out); err != nil {
		return err
	}
	if err := plotPrecision(filepath.Join(dir, "precision.png"), sc, out); err != nil {
		return runtimeError{fmt.Errorf("precision.png: %w", err)}
	}
	if o.json {
		b, _, err := marshalJSON(out)
		if err != nil {
			return runtimeError{err}
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(stdout, "%s: gradient dL/dθ against aca at tol %g; time over %d runs\n", o.file, o.refTol, o.repeats)
	fmt.Fprintf(stdout, "%-8s  %8s  %10s  %12s  %12s  %9s  %10s\n", "method", "tol", "error", "min s", "median s", "nfe", "bytes")
	for _, r := range out.Rows {
		if math.IsNaN(r.Error) {
			fmt.Fprintf(stdout, "%-8s  %8.0e  %10s  %12s  %12s  %9d  %10d\n", r.Method, r.Tol, "failed", "-", "-", r.NFE, r.Bytes)
			continue
		}
		fmt.Fprintf(stdout, "%-8s  %8.0e  %10.3g  %12.4g  %12.4g  %9d  %10d\n", r.Method, r.Tol, r.Error, r.SecondsMin, r.SecondsMedian, r.NFE, r.Bytes)
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, "precision.json"), filepath.Join(dir, "precision.png"))
	return nil
}

// precisionRun evaluates the gradient once untimed (its error, NFE and
// bytes), then times repeats more runs with the same method value.
func precisionRun(p *aca.Problem, sc *scenarios.Scenario, m aca.Method, tol float64, ref []float64, repeats int) (precisionRow, error) {
	s := *sc.Settings()
	s.RTol, s.ATol = tol, tol
	failed := precisionRow{Method: m.Name(), Tol: tol, Error: math.NaN(), SecondsMin: math.NaN(), SecondsMedian: math.NaN()}
	res, err := aca.Gradient(p, &s, m)
	if res != nil {
		failed.NFE, failed.Bytes = res.Stats.NFEForward+res.Stats.NFEBackward, res.Stats.Bytes
	}
	if err != nil {
		return failed, err
	}
	secs := make([]float64, repeats)
	for i := range secs {
		start := time.Now()
		if _, err := aca.Gradient(p, &s, m); err != nil {
			return failed, err
		}
		secs[i] = time.Since(start).Seconds()
	}
	slices.Sort(secs)
	med := secs[repeats/2]
	if repeats%2 == 0 {
		med = (secs[repeats/2-1] + secs[repeats/2]) / 2
	}
	return precisionRow{Method: m.Name(), Tol: tol, Error: relGradError(res.Theta, ref), SecondsMin: secs[0],
		SecondsMedian: med, NFE: res.Stats.NFEForward + res.Stats.NFEBackward, Bytes: res.Stats.Bytes}, nil
}

// relGradError is max_i |g_i − r_i| / max(|r_i|, 1e-12·max_j |r_j|): the
// largest relative error of a component, with components far below the
// largest measured against a floor instead of their own (near-zero) size.
func relGradError(g, ref []float64) float64 {
	scale := 0.0
	for _, r := range ref {
		scale = math.Max(scale, math.Abs(r))
	}
	floor := 1e-12 * scale
	if floor == 0 {
		floor = math.SmallestNonzeroFloat64
	}
	e := 0.0
	for i, r := range ref {
		e = math.Max(e, math.Abs(g[i]-r)/math.Max(math.Abs(r), floor))
	}
	return e
}

// plotPrecision draws error against median time on log-log axes, one line per
// method, each point labelled with its tolerance.
func plotPrecision(path string, sc *scenarios.Scenario, out precisionJSON) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("work-precision of dL/dθ (reference: aca at tol %g)", out.ReferenceTol)
	if sc.Name != "" {
		p.Title.Text = sc.Name + ": " + p.Title.Text
	}
	p.X.Label.Text = "median time (s)"
	p.Y.Label.Text = "max relative error of dL/dθ"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: 0}
	p.Add(plotter.NewGrid())
	var names []string
	for _, r := range out.Rows {
		if !slices.Contains(names, r.Method) {
			names = append(names, r.Method)
		}
	}
	for j, name := range names {
		var pts plotter.XYs
		var labels []string
		for _, r := range out.Rows {
			if r.Method == name && !math.IsNaN(r.Error) {
				pts = append(pts, plotter.XY{X: finiteOr(r.SecondsMedian, 1e-9), Y: finiteOr(r.Error, logFloor)})
				labels = append(labels, fmt.Sprintf("%g", r.Tol))
			}
		}
		if len(pts) == 0 {
			continue
		}
		if err := addSeries(p, j, name, pts); err != nil {
			return err
		}
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(7)
		}
		l.Offset = vg.Point{X: vg.Points(3), Y: vg.Points(2)}
		p.Add(l)
	}
	// Explicit ranges, a little wider than the points: gonum/plot widens a
	// single value by ±1, which reaches below 0 on a log axis.
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, r := range out.Rows {
		if !math.IsNaN(r.Error) {
			x, y := finiteOr(r.SecondsMedian, 1e-9), finiteOr(r.Error, logFloor)
			xlo, xhi, ylo, yhi = math.Min(xlo, x), math.Max(xhi, x), math.Min(ylo, y), math.Max(yhi, y)
		}
	}
	if xlo > xhi { // every run failed: an empty frame
		xlo, xhi, ylo, yhi = 1e-3, 1, 1e-6, 1
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xlo/1.5, xhi*1.5, ylo/3, yhi*3
	p.Legend.Top = true
	return savePlot(path, p)
}
