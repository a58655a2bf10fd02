package scenarios

import (
	"fmt"
	"math"
)

// parameters reads [[parameters]] and returns them in model order.
func (d *decoder) parameters(top *table, names []string) []Parameter {
	out := make([]Parameter, len(names))
	given := make([]bool, len(names))
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	for _, pt := range top.tables("parameters") {
		pt.allow(parameterKeys...)
		if !pt.has("name") {
			d.fail(pt.at("name"), "missing key", names...)
		}
		name := pt.str("name", "")
		if d.err != nil {
			return nil
		}
		i, ok := index[name]
		switch {
		case !ok:
			d.fail(pt.at("name"), fmt.Sprintf("unknown parameter %q", name), names...)
		case given[i]:
			d.fail(pt.at("name"), fmt.Sprintf("parameter %q given twice", name))
		}
		if d.err != nil {
			return nil
		}
		given[i] = true
		p := Parameter{Name: name, path: pt.path}
		p.Value, p.HasValue = pt.num("value", 0)
		init, hasInit := pt.num("init", p.Value)
		p.Init = init
		p.Min = pt.bound("min", math.Inf(-1))
		p.Max = pt.bound("max", math.Inf(1))
		p.Fixed = pt.boolean("fixed", false)
		p.Local = pt.boolean("local", false)
		pt.done()
		if d.err != nil {
			return nil
		}
		initKey := "init"
		if !hasInit {
			initKey = "value"
		}
		switch {
		case !p.HasValue && !hasInit:
			d.fail(pt.path, fmt.Sprintf("parameter %q needs value or init", name))
		case p.Min > p.Max:
			d.failf(pt.at("min"), "min %g is greater than max %g", p.Min, p.Max)
		case p.Init < p.Min || p.Init > p.Max:
			d.failf(pt.at(initKey), "%s %g is outside [min, max] = [%g, %g]", initKey, p.Init, p.Min, p.Max)
		case !p.Fixed && (p.Init == p.Min || p.Init == p.Max):
			d.failf(pt.at(initKey), "%s %g is on a bound of [min, max] = [%g, %g]; a fitted parameter starts strictly inside its bounds (or set fixed = true)",
				initKey, p.Init, p.Min, p.Max)
		case math.IsInf(p.Max-p.Min, 1) && !math.IsInf(p.Min, 0) && !math.IsInf(p.Max, 0):
			d.failf(pt.at("min"), "the width of [min, max] = [%g, %g] overflows float64; leave a bound out for an unbounded side", p.Min, p.Max)
		}
		out[i] = p
	}
	if d.err != nil {
		return nil
	}
	var missing []string
	for i, ok := range given {
		if !ok {
			missing = append(missing, names[i])
		}
	}
	if len(missing) > 0 {
		e := &Error{File: d.file, Line: d.lines.line("parameters"), Field: "parameters",
			Problem: fmt.Sprintf("missing [[parameters]] for %s; every parameter of the system needs one", quoteAll(missing)),
			Allowed: names}
		if e.Line == 0 {
			e.Line = d.lines.line("system.kind")
		}
		d.err = e
		return nil
	}
	return out
}

// initialState reads [initial_state].
func (d *decoder) initialState(top *table, sc *Scenario, k kind) {
	st, ok := top.sub("initial_state")
	if !ok && d.err == nil {
		d.fail("initial_state", "missing table [initial_state]")
	}
	stateKeys := k.stateKeys
	if stateKeys == nil {
		stateKeys = []string{"z0"}
	}
	st.allow(append([]string{"t0"}, stateKeys...)...)
	sc.T0 = st.time("t0", 0)
	if k.initialState != nil {
		sc.Z0 = k.initialState(st, sc.Model, sc.StateNames)
	} else {
		text, nums, exprs := d.z0Entries(st, "z0", sc.Model.Dim(), sc.StateNames)
		if exprs {
			sc.Z0Expr = text
			d.checkZ0(sc, st.at("z0"), text, nil)
		} else {
			sc.Z0 = nums
		}
	}
	st.done()
}

// checkLocal rejects local parameters in a scenario without [[experiments]].
func (d *decoder) checkLocal(sc *Scenario) {
	for _, p := range sc.Params {
		if p.Local && d.err == nil {
			d.fail(p.path+".local", fmt.Sprintf("parameter %q is local, but the scenario has no [[experiments]] (local means one copy per experiment)", p.Name))
		}
	}
}
