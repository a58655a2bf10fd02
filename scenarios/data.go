package scenarios

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/physid/physid/internal/csvio"
)

// data reads [data]: which states are observed, and the observations, inline
// (t and z) or from a CSV file.
func (d *decoder) data(top *table, sc *Scenario, open opener) {
	dt, ok := top.sub("data")
	if !ok && d.err == nil {
		d.fail("data", "missing table [data]")
	}
	dt.allow("observe", "t", "z", "file", "simulate")
	if len(sc.Observables) > 0 || len(sc.Inputs) > 0 {
		d.dataWithObservables(dt, sc, open)
		dt.done()
		return
	}
	sc.Observe, sc.Observed = d.observe(dt, sc.StateNames, groupsOf(sc.Model))
	hasInline, hasFile, hasSim := dt.has("t") || dt.has("z"), dt.has("file"), dt.has("simulate")
	switch {
	case d.err != nil:
	case hasInline && hasFile:
		d.fail(dt.at("file"), "give either t and z or file, not both")
	case hasSim && (hasInline || hasFile):
		d.fail(dt.at("simulate"), "give observations (t and z, or file) or [data.simulate], not both")
	case hasSim:
		d.simulate(dt, sc)
	case hasFile:
		file := dt.str("file", "")
		if d.err == nil {
			d.csv(dt.at("file"), file, sc, open)
		}
	case !dt.has("t"):
		d.fail(dt.at("t"), "missing key: the observation times (or give file)")
	case !dt.has("z"):
		d.fail(dt.at("z"), fmt.Sprintf("missing key: the observations, one row of %d values (%s) per time", len(sc.Observe), strings.Join(sc.Observe, ", ")))
	default:
		d.inline(dt, sc)
	}
	dt.done()
}

// observe reads data.observe; absent means every state. A name may also be a
// group of the model (nbody: positions, velocities), which stands for its states.
func (d *decoder) observe(dt *table, states []string, groups func(string) ([]int, bool)) ([]string, []int) {
	index := map[string]int{}
	for i, s := range states {
		index[s] = i
	}
	names, ok := dt.strs("observe")
	if !ok {
		if d.err != nil {
			return nil, nil
		}
		names = states
	}
	if len(names) == 0 {
		d.fail(dt.at("observe"), "empty: observe at least one state", states...)
		return nil, nil
	}
	var expanded []string
	var orig []int // the observe entry each expanded name came from
	for k, n := range names {
		if g, ok := groups(n); ok {
			for _, j := range g {
				expanded = append(expanded, states[j])
				orig = append(orig, k)
			}
		} else {
			expanded = append(expanded, n)
			orig = append(orig, k)
		}
	}
	names = expanded
	allowed := states
	for _, g := range []string{"positions", "velocities"} {
		if _, ok := groups(g); ok {
			allowed = append([]string{g}, allowed...)
		}
	}
	idx := make([]int, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		j, ok := index[n]
		switch {
		case !ok:
			d.fail(indexPath(dt.at("observe"), orig[i]), fmt.Sprintf("unknown state name %q", n), allowed...)
		case seen[n]:
			d.fail(indexPath(dt.at("observe"), orig[i]), fmt.Sprintf("state %q observed twice", n))
		}
		if d.err != nil {
			return nil, nil
		}
		seen[n] = true
		idx[i] = j
	}
	return names, idx
}

// inline reads data.t and data.z.
func (d *decoder) inline(dt *table, sc *Scenario) {
	times, ok := dt.nums("t")
	if !ok {
		return
	}
	if len(times) == 0 {
		d.fail(dt.at("t"), "empty: give at least one observation time")
		return
	}
	for i, t := range times {
		d.checkTime(indexPath(dt.at("t"), i), i, t, times, sc.T0)
		if d.err != nil {
			return
		}
	}
	rows, ok := dt.rows("z", len(sc.Observe))
	if !ok {
		return
	}
	if len(rows) != len(times) {
		d.failf(dt.at("z"), "wrong length: %d rows for %d times in t", len(rows), len(times))
		return
	}
	sc.Times = times
	sc.Values = make([]float64, 0, len(rows)*len(sc.Observe))
	for _, r := range rows {
		sc.Values = append(sc.Values, r...)
	}
}

// checkTime checks times[i] against t0 and its predecessor.
func (d *decoder) checkTime(field string, i int, t float64, times []float64, t0 float64) {
	switch {
	case math.Abs(t) > MaxTime:
		d.failf(field, "time %g is outside ±%g, the range within which steps and spans stay finite", t, MaxTime)
	case i == 0 && t < t0:
		d.failf(field, "time %g is before the initial time t0 = %g", t, t0)
	case i > 0 && t <= times[i-1]:
		d.failf(field, "times must be strictly increasing: %g after %g", t, times[i-1])
	}
}

// readCSV reads the CSV file name for field. It returns the table and a
// function that records the first problem found in the file as d's error,
// naming the file; or a nil table once d records why the file is missing or
// does not parse, with column naming where a parse error lies.
func (d *decoder) readCSV(field, name string, open opener, column func(*csvio.Error) string) (*csvio.Table, func(line int, column, problem string, allowed ...string)) {
	if name == "" {
		d.fail(field, "empty file name")
		return nil, nil
	}
	display, src, err := open(name)
	if err != nil {
		d.failf(field, "cannot read %q: %v", name, err)
		return nil, nil
	}
	csvFail := func(line int, column, problem string, allowed ...string) {
		if d.err == nil {
			d.err = &Error{File: display, Line: line, Field: column, Problem: problem, Allowed: allowed}
		}
	}
	tab, err := csvio.Read(bytes.NewReader(src), nil)
	if err != nil {
		e := err.(*csvio.Error)
		csvFail(e.Line, column(e), e.Msg)
		return nil, nil
	}
	return tab, csvFail
}

// csv reads the observations from a CSV file with columns t and the observed
// state names (other columns are ignored). Its errors name the CSV file.
func (d *decoder) csv(field, name string, sc *Scenario, open opener) {
	tab, csvFail := d.readCSV(field, name, open, func(e *csvio.Error) string {
		switch {
		case e.Column != "":
			return "column " + e.Column
		case e.Line <= 1:
			return "header"
		}
		return "row"
	})
	if tab == nil {
		return
	}
	want := append([]string{"t"}, sc.Observe...)
	cols := make([]int, len(want))
	for i, w := range want {
		if cols[i] = tab.Index(w); cols[i] < 0 {
			csvFail(1, "header", fmt.Sprintf("missing column %q; want t and the observed states, matched by name (columns: %s)", w, strings.Join(tab.Header, ", ")), want...)
			return
		}
	}
	if len(tab.Rows) == 0 {
		csvFail(1, "header", "no rows: give at least one observation")
		return
	}
	times := make([]float64, len(tab.Rows))
	values := make([]float64, 0, len(tab.Rows)*len(sc.Observe))
	for r, row := range tab.Rows {
		times[r] = row[cols[0]]
		switch {
		case r == 0 && times[r] < sc.T0:
			csvFail(tab.Lines[r], "column t", fmt.Sprintf("time %g is before the initial time t0 = %g", times[r], sc.T0))
		case r > 0 && times[r] <= times[r-1]:
			csvFail(tab.Lines[r], "column t", fmt.Sprintf("times must be strictly increasing: %g after %g", times[r], times[r-1]))
		}
		if d.err != nil {
			return
		}
		for _, c := range cols[1:] {
			values = append(values, row[c])
		}
	}
	sc.Times, sc.Values = times, values
}

// dataWithObservables reads [data] when the scenario has [[observables]] or
// inputs: the columns are t, the observables (or the observed states) and
// the inputs, by name; inline t and z are allowed without inputs.
func (d *decoder) dataWithObservables(dt *table, sc *Scenario, open opener) {
	if len(sc.Observables) > 0 && dt.has("observe") {
		d.fail(dt.at("observe"), "with [[observables]] the data are the observables; leave observe out")
		return
	}
	if len(sc.Observables) == 0 {
		sc.Observe, sc.Observed = d.observe(dt, sc.StateNames, groupsOf(sc.Model))
	}
	e := Experiment{Name: "data", Fit: true, T0: sc.T0, Z0: sc.z0Text(), path: "data"}
	switch {
	case d.err != nil:
		return
	case dt.has("simulate"):
		d.fail(dt.at("simulate"), "[data.simulate] does not make observables or inputs; give a file (identify simulate writes one)")
	case dt.has("file"):
		cols := map[string]string{}
		for _, n := range append(append([]string{"t"}, sc.ObservableNames()...), sc.InputNames()...) {
			cols[n] = n
		}
		file := dt.str("file", "")
		d.readExperimentCSV(dt.at("file"), file, sc, &e, cols, open)
	case len(sc.Inputs) > 0:
		d.fail(dt.at("file"), "missing key: a scenario with inputs reads its data from a CSV file (columns t, the observables and the inputs)")
	case !dt.has("t") || !dt.has("z"):
		d.fail(dt.at("t"), fmt.Sprintf("missing key: give t and z (rows of %s) or file", strings.Join(sc.ObservableNames(), ", ")))
	default:
		saved := sc.Observe
		sc.Observe = sc.ObservableNames()
		d.inline(dt, sc)
		sc.Observe = saved
		e.Times, e.Values = sc.Times, sc.Values
		for j, o := range sc.Observables {
			for k := range e.Times {
				if v := e.Values[k*len(sc.Observables)+j]; o.LogNormal && !(v > 0) && d.err == nil {
					d.failf(indexPath(dt.at("z"), k), "observable %q is lognormal but its datum %g at t=%g is not positive", o.Name, v, e.Times[k])
				}
			}
		}
	}
	if d.err != nil {
		return
	}
	sc.Times, sc.Values = e.Times, e.Values
	sc.Experiments = []Experiment{e}
}

// z0Text returns [initial_state] z0 as expressions.
func (sc *Scenario) z0Text() []string {
	if sc.Z0Expr != nil {
		return sc.Z0Expr
	}
	out := make([]string, len(sc.Z0))
	for i, v := range sc.Z0 {
		out[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return out
}

// single makes the one experiment of a single-experiment scenario whose z0
// names parameters (observables and inputs made it in data already).
func (d *decoder) single(sc *Scenario) {
	if d.err != nil || sc.Experiments != nil || sc.Z0Expr == nil {
		return
	}
	sc.Experiments = []Experiment{{Name: "data", Fit: true, T0: sc.T0, Z0: sc.Z0Expr, Times: sc.Times, Values: sc.Values, path: "initial_state"}}
}
