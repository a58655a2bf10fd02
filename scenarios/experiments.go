package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/internal/csvio"
)

// Input is one measured input signal of kind expression ([system] inputs,
// [inputs.NAME]).
type Input struct {
	Name string
	// Interpolation is dynamics.Hold (the default) or dynamics.LinearInterp.
	Interpolation dynamics.Interpolation
}

// Experiment is one [[experiments]] table with its data, or the one
// experiment made of [initial_state] and [data].
type Experiment struct {
	// Name labels the experiment (default: experiment<i>, or "data" for
	// the single-experiment form).
	Name string
	// Fit is false for a held-out (validation) experiment.
	Fit bool
	// T0 is the initial time and Z0 the initial state as expressions (a
	// number, a parameter's name or an expression of parameters and
	// constants), one per state.
	T0 float64
	Z0 []string
	// Constants override [system.constants] for this experiment.
	Constants map[string]float64
	// Times are the data times; Values holds len(Times) rows of one value
	// per observable (Scenario.ObservableNames order).
	Times, Values []float64
	// Inputs holds each input's samples at Times, in Scenario.Inputs order.
	Inputs [][]float64

	path string
}

// experimentKeys are the keys of an [[experiments]] table.
var experimentKeys = []string{"name", "file", "columns", "t0", "z0", "constants", "fit"}

// Interpolations lists the interpolations of an input.
var Interpolations = []string{"hold", "linear"}

// InputNames returns the input names in [system] inputs order.
func (sc *Scenario) InputNames() []string {
	var out []string
	for _, in := range sc.Inputs {
		out = append(out, in.Name)
	}
	return out
}

// inputs reads [system] inputs (kind expression) and [inputs.NAME].
func (d *decoder) inputs(top *table, sc *Scenario, names []string) {
	it, present := top.sub("inputs")
	for _, n := range names {
		in := Input{Name: n}
		sub, _ := it.sub(n)
		sub.allow("interpolation")
		switch sub.choice("interpolation", "hold", Interpolations) {
		case "linear":
			in.Interpolation = dynamics.LinearInterp
		}
		sub.done()
		sc.Inputs = append(sc.Inputs, in)
	}
	if present {
		for _, k := range it.keysInFileOrder() {
			if !slices.Contains(names, k) {
				d.fail(it.at(k), fmt.Sprintf("unknown input %q; declare it in [system] inputs", k), names...)
			}
		}
	}
	it.known = append(it.known, names...) // the declared inputs (names, not schema keys)
	it.done()
}

// z0Model compiles initial-state expressions of the parameters and constants.
func (sc *Scenario) z0Model(z0 []string, constants map[string]float64) (*expr.Model, error) {
	spec := expr.Spec{State: fakeNames("z", len(z0)), Params: sc.ParamNames, Constants: sc.constants(constants)}
	for i, e := range z0 {
		spec.Equations = append(spec.Equations, expr.Equation{Name: spec.State[i], Expr: e})
	}
	return expr.New(spec)
}

// constants returns [system.constants] with the overrides.
func (sc *Scenario) constants(over map[string]float64) []expr.Constant {
	out := append([]expr.Constant(nil), sc.spec.Constants...)
	for i, c := range out {
		if v, ok := over[c.Name]; ok {
			out[i].Value = v
		}
	}
	return out
}

// z0Entries reads z0 as numbers, parameter names or expressions; exprs is
// true when any entry is not a number.
func (d *decoder) z0Entries(st *table, key string, dim int, states []string) (text []string, nums []float64, exprs bool) {
	a, ok := st.array(key)
	if !ok {
		if d.err == nil {
			d.failf(st.at(key), "missing key: the initial state, %d numbers, parameter names or expressions (%s)", dim, strings.Join(states, ", "))
		}
		return nil, nil, false
	}
	if len(a) != dim {
		d.failf(st.at(key), "wrong length: %d values, want %d (%s)", len(a), dim, strings.Join(states, ", "))
		return nil, nil, false
	}
	text, nums = make([]string, dim), make([]float64, dim)
	for i, v := range a {
		if s, isStr := v.(string); isStr {
			text[i], exprs = s, true
			continue
		}
		nums[i] = d.number(indexPath(st.at(key), i), v, false)
		text[i] = strconv.FormatFloat(nums[i], 'g', -1, 64)
	}
	return text, nums, exprs
}

// checkZ0 compiles z0 expressions, reporting a mistake at path.
func (d *decoder) checkZ0(sc *Scenario, path string, z0 []string, constants map[string]float64) {
	if d.err != nil {
		return
	}
	if _, err := sc.z0Model(z0, constants); err != nil {
		msg := err.Error()
		if se := (*expr.SyntaxError)(nil); errors.As(err, &se) {
			if i, err2 := strconv.Atoi(strings.TrimPrefix(se.Equation, "_z")); err2 == nil {
				path = indexPath(path, i)
			}
			shown := *se
			shown.Equation = ""
			msg = strings.Replace(strings.TrimPrefix(shown.Error(), "expr: "), "(allowed: states "+strings.Join(fakeNames("z", len(z0)), ", ")+"; ", "(allowed: numbers; ", 1)
		}
		d.fail(path, msg)
	}
}

// experiments reads [[experiments]].
func (d *decoder) experiments(top *table, sc *Scenario, open opener) {
	names := map[string]bool{}
	for i, et := range top.tables("experiments") {
		et.allow(experimentKeys...)
		e := Experiment{path: et.path, Fit: true}
		e.Name = et.str("name", fmt.Sprintf("experiment%d", i+1))
		if d.err == nil && names[e.Name] {
			d.fail(et.at("name"), fmt.Sprintf("experiment %q given twice", e.Name))
		}
		names[e.Name] = true
		e.Fit = et.boolean("fit", true)
		e.T0 = et.time("t0", 0)
		e.Z0, _, _ = d.z0Entries(et, "z0", len(sc.StateNames), sc.StateNames)
		ct, _ := et.sub("constants")
		known := make([]string, 0, len(sc.spec.Constants))
		for _, c := range sc.spec.Constants {
			known = append(known, c.Name)
		}
		ct.known = append(ct.known, known...) // the [system.constants] names
		for _, k := range ct.keysInFileOrder() {
			if !slices.Contains(known, k) {
				continue // done reports it with the allowed names
			}
			if e.Constants == nil {
				e.Constants = map[string]float64{}
			}
			e.Constants[k], _ = ct.num(k, 0)
		}
		ct.done()
		d.checkZ0(sc, et.at("z0"), e.Z0, e.Constants)
		cols := map[string]string{}
		colt, _ := et.sub("columns")
		want := append(append([]string{"t"}, sc.ObservableNames()...), sc.InputNames()...)
		for _, w := range want { // names, not schema keys: read by hand
			colt.known = append(colt.known, w)
			cols[w] = w
			if v, ok := colt.m[w]; ok && d.err == nil {
				if c, isStr := v.(string); isStr {
					cols[w] = c
				} else {
					colt.wrongType(colt.at(w), "a CSV column name", v)
				}
			}
		}
		colt.done()
		if !et.has("file") {
			d.fail(et.at("file"), "missing key: the experiment's CSV file (a time column, observable columns, input columns)")
		}
		file := et.str("file", "")
		et.done()
		if d.err != nil {
			return
		}
		d.readExperimentCSV(et.at("file"), file, sc, &e, cols, open)
		if d.err != nil {
			return
		}
		sc.Experiments = append(sc.Experiments, e)
	}
	if len(sc.Experiments) > 0 && d.err == nil {
		fitted := 0
		for _, e := range sc.Experiments {
			if e.Fit {
				fitted++
			}
		}
		if fitted == 0 {
			d.fail(sc.Experiments[0].path+".fit", "every experiment has fit = false; at least one must be fitted")
		}
	}
}

// readExperimentCSV reads an experiment's times, observables and inputs
// from its CSV file; cols maps each name to its column.
func (d *decoder) readExperimentCSV(field, name string, sc *Scenario, e *Experiment, cols map[string]string, open opener) {
	tab, csvFail := d.readCSV(field, name, open, func(e *csvio.Error) string { return "column " + e.Column })
	if tab == nil {
		return
	}
	obsNames, inNames := sc.ObservableNames(), sc.InputNames()
	idx := func(what, n string) int {
		c := tab.Index(cols[n])
		if c < 0 {
			csvFail(1, "header", fmt.Sprintf("missing column %q for %s %q (set it in columns = { %s = \"...\" }); columns: %s",
				cols[n], what, n, n, strings.Join(tab.Header, ", ")), tab.Header...)
		}
		return c
	}
	ct := idx("the time", "t")
	var oc, ic []int
	for _, n := range obsNames {
		oc = append(oc, idx("observable", n))
	}
	for _, n := range inNames {
		ic = append(ic, idx("input", n))
	}
	if d.err != nil {
		return
	}
	if len(tab.Rows) == 0 {
		csvFail(1, "header", "no rows: give at least one observation")
		return
	}
	e.Inputs = make([][]float64, len(inNames))
	for r, row := range tab.Rows {
		t := row[ct]
		switch {
		case r == 0 && t < e.T0:
			csvFail(tab.Lines[r], "column "+cols["t"], fmt.Sprintf("time %g is before the initial time t0 = %g", t, e.T0))
		case r > 0 && t <= e.Times[r-1]:
			csvFail(tab.Lines[r], "column "+cols["t"], fmt.Sprintf("times must be strictly increasing: %g after %g", t, e.Times[r-1]))
		}
		if d.err != nil {
			return
		}
		e.Times = append(e.Times, t)
		for j, c := range oc {
			v := row[c]
			if len(sc.Observables) > 0 && sc.Observables[j].LogNormal && !(v > 0) {
				csvFail(tab.Lines[r], "column "+cols[obsNames[j]], fmt.Sprintf("observable %q is lognormal but its datum %g at t=%g is not positive", obsNames[j], v, t))
				return
			}
			e.Values = append(e.Values, v)
		}
		for i, c := range ic {
			e.Inputs[i] = append(e.Inputs[i], row[c])
		}
	}
	if len(inNames) > 0 && e.T0 < e.Times[0] {
		csvFail(tab.Lines[0], "column "+cols["t"], fmt.Sprintf("the inputs start at t=%g, after t0 = %g: input %q is needed from t0 on", e.Times[0], e.T0, inNames[0]))
	}
}
