package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/physid/physid/dynamics/expr"
)

// Observable is one [[observables]] table.
type Observable struct {
	// Name labels the observable and is its default CSV column.
	Name string
	// Expr is h, an expression of states, inputs, parameters, constants and t.
	Expr string
	// LogNormal is noise = "lognormal" (default gaussian).
	LogNormal bool
	// Sigma is the known noise level, or 0 when SigmaParam names the
	// parameter that estimates it.
	Sigma      float64
	SigmaParam string

	path string
}

// observableKeys are the keys of an [[observables]] table.
var observableKeys = []string{"name", "expr", "noise", "sigma"}

// Noises lists the noise models an observable may have.
var Noises = []string{"gaussian", "lognormal"}

// ObservableNames returns the names of what the data measure: the
// [[observables]], or else the observed states.
func (sc *Scenario) ObservableNames() []string {
	if len(sc.Observables) == 0 {
		return sc.Observe
	}
	var out []string
	for _, o := range sc.Observables {
		out = append(out, o.Name)
	}
	return out
}

// observables reads [[observables]].
func (d *decoder) observables(top *table, sc *Scenario) {
	taken := map[string]bool{}
	for _, n := range sc.observationVars() {
		taken[n] = true
	}
	for _, ot := range top.tables("observables") {
		ot.allow(observableKeys...)
		o := Observable{path: ot.path}
		if !ot.has("name") {
			d.fail(ot.at("name"), "missing key: the observable's name (its default CSV column)")
		}
		o.Name = ot.str("name", "")
		if d.err == nil && (taken[o.Name] || o.Name == "t") {
			d.fail(ot.at("name"), fmt.Sprintf("name %q is already a state, parameter, input, observable or t", o.Name))
		}
		taken[o.Name] = true
		if !ot.has("expr") {
			d.fail(ot.at("expr"), `missing key: the observable as an expression of states, inputs, parameters, constants and t, e.g. expr = "min(h2, 10)"`)
		}
		o.Expr = ot.str("expr", "")
		o.LogNormal = ot.choice("noise", "gaussian", Noises) == "lognormal"
		o.Sigma = 1
		if v, ok := ot.get("sigma"); ok {
			switch v := v.(type) {
			case string:
				if !slices.Contains(sc.ParamNames, v) {
					d.fail(ot.at("sigma"), fmt.Sprintf("unknown parameter %q for sigma (a number or a parameter's name)", v), sc.ParamNames...)
				}
				o.Sigma, o.SigmaParam = 0, v
			default:
				o.Sigma = ot.positive("sigma", 1)
			}
		}
		ot.done()
		if d.err != nil {
			return
		}
		if o.SigmaParam != "" {
			p := sc.Params[slices.Index(sc.ParamNames, o.SigmaParam)]
			if !(p.Min > 0) {
				d.fail(ot.at("sigma"), fmt.Sprintf("the estimated sigma %q needs min > 0 in its [[parameters]] table", o.SigmaParam))
				return
			}
		}
		sc.Observables = append(sc.Observables, o)
	}
	// Compile once to report mistakes at the observable's line.
	if len(sc.Observables) > 0 && d.err == nil {
		if _, err := sc.observationModel(nil); err != nil {
			d.observableError(err, sc)
		}
	}
}

// observableError reports a compile error of the observables at the line of
// the observable it is in, in the scenario's names.
func (d *decoder) observableError(err error, sc *Scenario) {
	var se *expr.SyntaxError
	path := "observables"
	if errors.As(err, &se) {
		if i, err2 := strconv.Atoi(strings.TrimPrefix(se.Equation, "_o")); err2 == nil && i < len(sc.Observables) {
			path = sc.Observables[i].path + ".expr"
		}
		shown := *se
		shown.Equation = ""
		vars := sc.observationVars()
		from := "(allowed: states " + strings.Join(fakeNames("o", len(sc.Observables)), ", ") + "; parameters " + strings.Join(vars, ", ") + ";"
		to := "(allowed: states " + strings.Join(sc.StateNames, ", ") + "; parameters " + strings.Join(sc.ParamNames, ", ") + ";"
		if len(sc.Inputs) > 0 {
			to += " inputs " + strings.Join(sc.InputNames(), ", ") + ";"
		}
		d.fail(path, strings.Replace(strings.TrimPrefix(shown.Error(), "expr: "), from, to, 1))
		return
	}
	d.fail(path, err.Error())
}

// observationModel compiles the observables' expressions with the given
// constants (nil: [system.constants]).
func (sc *Scenario) observationModel(constants map[string]float64) (*expr.Model, error) {
	spec := expr.Spec{State: fakeNames("o", len(sc.Observables)),
		Params:    sc.observationVars(),
		Constants: sc.constants(constants)}
	for i, o := range sc.Observables {
		spec.Equations = append(spec.Equations, expr.Equation{Name: spec.State[i], Expr: o.Expr})
	}
	return expr.New(spec)
}

// observationVars are what an observable's expression reads besides t: the
// states, the parameters and the inputs, in that order (the observation
// model's parameters).
func (sc *Scenario) observationVars() []string {
	return slices.Concat(sc.StateNames, sc.ParamNames, sc.InputNames())
}
