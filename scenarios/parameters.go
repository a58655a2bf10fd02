package scenarios

import (
	"fmt"
	"math"
	"strings"
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
		sc.Z0 = d.z0(st, sc.Model.Dim(), sc.StateNames)
	}
	st.done()
}

// z0 is the generic initial state reader: z0 = [Dim() numbers].
func (d *decoder) z0(st *table, dim int, states []string) []float64 {
	if !st.has("z0") {
		d.failf(st.at("z0"), "missing key: the initial state, %d numbers (%s)", dim, strings.Join(states, ", "))
	}
	z0, ok := st.nums("z0")
	if ok && len(z0) != dim {
		d.failf(st.at("z0"), "wrong length: %d values, want %d (%s)", len(z0), dim, strings.Join(states, ", "))
	}
	return z0
}
