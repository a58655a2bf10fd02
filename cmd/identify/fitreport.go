package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/scenarios"
)

// waterfall lists the starts' end points, lowest loss first (starts without a
// finite loss last), ties by start number.
func waterfall(names []string, starts []identify.StartResult) []waterfallJSON {
	out := make([]waterfallJSON, 0, len(starts))
	for _, s := range starts {
		wj := waterfallJSON{Start: s.Start, Status: s.Status, Params: map[string]float64{}}
		if s.Params != nil {
			l := s.Loss
			wj.Loss = &l
			for i, name := range names {
				wj.Params[name] = s.Params[i]
			}
		}
		out = append(out, wj)
	}
	sort.SliceStable(out, func(a, b int) bool {
		la, lb := out[a].Loss, out[b].Loss
		switch {
		case la == nil:
			return false
		case lb == nil:
			return true
		}
		return *la < *lb
	})
	return out
}

// fitWarnings are the caveats of a fit: not converged, parameters at a bound,
// missing standard errors, starts that ended elsewhere.
func fitWarnings(sc *scenarios.Scenario, r *resultJSON) []string {
	var ws []string
	if r.Status != "converged" && !r.Interrupted && r.Status != "diverged" {
		ws = append(ws, fmt.Sprintf("the fit did not converge (%s): %s; its standard errors are indicative only", r.Status, r.Message))
	}
	for _, name := range sc.ParamNames {
		pj := r.Parameters[name]
		if pj.AtBound != nil {
			side := "lower"
			if *pj.AtBound == identify.AtMax {
				side = "upper"
			}
			ws = append(ws, fmt.Sprintf("%s = %.6g is at its %s bound", name, pj.Value, side))
		}
		if pj.StdErr == nil && pj.StdErrNote != "" && pj.StdErrNote != "fixed" && pj.AtBound == nil {
			ws = append(ws, fmt.Sprintf("%s has no standard error: %s", name, pj.StdErrNote))
		}
	}
	if n := len(r.Waterfall); n > 1 && r.Waterfall[0].Loss != nil {
		best, other := *r.Waterfall[0].Loss, 0
		for _, w := range r.Waterfall[1:] {
			if w.Loss == nil || *w.Loss > best*(1+1e-6) {
				other++
			}
		}
		if other > 0 {
			ws = append(ws, fmt.Sprintf("%d of %d starts ended above the best loss (local minima or failures; see waterfall in result.json)", other, n))
		}
	}
	return ws
}

func printFit(w io.Writer, sc *scenarios.Scenario, r *resultJSON, dir string) {
	fmt.Fprintf(w, "%s (%s): %s with %s gradients, %d epochs, %.3gs, %d function evaluations; %s\n",
		sc.Name, sc.File, r.Optimizer, r.GradientMethod, r.Epochs, r.Seconds, r.NFE, r.Status)
	fmt.Fprintf(w, "loss %.6g\n\n", r.Loss)
	kind := identify.Classic
	if r.Covariance != nil {
		kind = r.Covariance.Kind
	}
	var notes []string // footnotes, numbered in order of appearance
	mark := func(note string) string {
		for i, n := range notes {
			if n == note {
				return fmt.Sprintf(" [%d]", i+1)
			}
		}
		notes = append(notes, note)
		return fmt.Sprintf(" [%d]", len(notes))
	}
	fmt.Fprintf(w, "%-12s %16s %22s %14s %12s %12s\n", "parameter", "fitted", "std. error ("+kind+")", "true", "rel. error", "init")
	for _, name := range sc.ParamNames {
		pj, ok := r.Parameters[name]
		if !ok {
			continue // a local parameter: in the experiments table
		}
		se, tr, rel := "-", "-", "-"
		if pj.StdErr != nil {
			se = fmt.Sprintf("%.3g", *pj.StdErr)
		}
		if pj.StdErrNote != "" {
			se += mark(pj.StdErrNote)
		}
		if pj.True != nil {
			tr = fmt.Sprintf("%.10g", *pj.True)
			if *pj.True != 0 {
				rel = fmt.Sprintf("%.2g", math.Abs(pj.Value-*pj.True)/math.Abs(*pj.True))
			}
		}
		fmt.Fprintf(w, "%-12s %16.10g %22s %14s %12s %12.6g\n", name, pj.Value, se, tr, rel, pj.Init)
	}
	for i, n := range notes {
		fmt.Fprintf(w, "[%d] %s\n", i+1, n)
	}
	if n := len(r.Waterfall); n > 1 && r.Waterfall[0].Loss != nil {
		best, at := *r.Waterfall[0].Loss, 0
		for _, s := range r.Waterfall {
			if s.Loss != nil && *s.Loss <= best*(1+1e-6) {
				at++
			}
		}
		fmt.Fprintf(w, "\n%d of %d starts reached the best loss (within 1e-6 relative); every end point is in the waterfall of result.json\n", at, n)
	}
	printExperiments(w, r)
	if e := r.Extrapolation; e != nil && e.MSE != nil {
		fmt.Fprintf(w, "\nextrapolation to t1 = %g (%d points): MSE of the observed components against the %s = %.3g\n", e.T1, e.Points, e.Against, *e.MSE)
	}
	var wrote []string
	for _, f := range fitOutputFiles(sc) { // those written: a failed plot is not
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			wrote = append(wrote, filepath.Join(dir, f))
		}
	}
	fmt.Fprintf(w, "\nwrote %s\n", strings.Join(wrote, ", "))
}
