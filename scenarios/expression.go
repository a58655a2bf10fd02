package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
)

// parameterKeys are the keys of a [[parameters]] table.
var parameterKeys = []string{"name", "value", "init", "min", "max", "fixed", "local"}

// maxExpressionLen bounds the length of one equation. Differentiation can
// make the Jacobian of an expression much larger than the expression (a
// product of n factors has n partials of n−1 factors each), so an unbounded
// equation could take the loader minutes; no hand-written right-hand side
// comes near the bound.
const maxExpressionLen = 10000

// expressionModel is kind expression: the state names, the constants and one
// equation per state are written in [system]; θ is the [[parameters]] names in
// file order. dynamics/expr parses, differentiates and compiles the equations.
func expressionModel(sys *table, params []string) dynamics.Dynamics {
	d := sys.d
	if !sys.has("state") {
		d.fail(sys.at("state"), `missing key: kind expression needs the state names, e.g. state = ["x", "v"]`)
		return nil
	}
	states, ok := sys.strs("state")
	if ok && len(states) == 0 {
		d.fail(sys.at("state"), "empty: give at least one state name")
	}
	var inputs []string
	if sys.has("inputs") {
		inputs, _ = sys.strs("inputs")
		for i, n := range inputs {
			if slices.Contains(params, n) || slices.Contains(states, n) || slices.Contains(inputs[:i], n) || n == "t" {
				d.fail(indexPath(sys.at("inputs"), i), fmt.Sprintf("input %q is already a state, parameter, input or t", n))
			}
		}
	}
	vars := slices.Concat(params, inputs) // expr knows the inputs as trailing parameters
	spec := expr.Spec{State: states, Params: vars}

	ct, _ := sys.sub("constants")
	for _, name := range ct.keysInFileOrder() {
		v, _ := ct.get(name)
		x := d.number(ct.at(name), v, false)
		spec.Constants = append(spec.Constants, expr.Constant{Name: name, Value: x})
	}

	et, present := sys.sub("equations")
	if !present && d.err == nil {
		d.fail(sys.at("equations"), fmt.Sprintf(`missing table [system.equations]: one equation per state (%s), e.g. x = "v"`,
			strings.Join(states, ", ")))
	}
	for _, name := range et.keysInFileOrder() {
		src := et.str(name, "")
		if d.err == nil && len(src) > maxExpressionLen {
			d.failf(et.at(name), "expression of %d bytes is too long; at most %d", len(src), maxExpressionLen)
		}
		spec.Equations = append(spec.Equations, expr.Equation{Name: name, Expr: src})
	}
	if d.err != nil {
		return nil
	}

	m, err := expr.New(spec)
	if err != nil {
		d.expressionError(err, states, vars)
		if d.err != nil && len(inputs) > 0 && len(params) > 0 {
			// expr knows the inputs as trailing parameters: name them as inputs.
			all := "parameters " + strings.Join(vars, ", ") + ";"
			d.err.Problem = strings.Replace(d.err.Problem, all,
				"parameters "+strings.Join(params, ", ")+"; inputs "+strings.Join(inputs, ", ")+";", 1)
		}
		return nil
	}
	d.spec, d.inputNames = spec, inputs
	if len(inputs) > 0 {
		return newInputModel(m, len(params), inputs, nil)
	}
	return m
}

// expressionError turns an error of expr.New into an *Error at the line of
// the offending equation, state, constant or parameter.
func (d *decoder) expressionError(err error, states, params []string) {
	var se *expr.SyntaxError
	var spe *expr.SpecError
	switch {
	case errors.As(err, &se):
		// "col 12: unknown name … \n\t<expression>\n\t<caret>", without the
		// equation's name, which the field path already gives.
		shown := *se
		shown.Equation = ""
		if strings.HasPrefix(shown.Msg, "unknown name") {
			shown.Msg += "; a parameter needs a [[parameters]] table, a constant a line in [system.constants], an input a name in [system] inputs"
		}
		d.fail(joinPath("system.equations", se.Equation), strings.TrimPrefix(shown.Error(), "expr: "))
	case errors.As(err, &spe):
		path := "system"
		switch {
		case errors.Is(spe, expr.ErrMissingEquation):
			path = "system.equations"
		case spe.Role == "state":
			// A duplicate is reported at its second appearance.
			if i := lastIndex(states, spe.Name); i >= 0 {
				path = indexPath("system.state", i)
			}
		case spe.Role == "parameter":
			if i := slices.Index(params, spe.Name); i >= 0 {
				path = indexPath("parameters", i) + ".name"
			}
		case spe.Role == "constant":
			path = joinPath("system.constants", spe.Name)
		case spe.Role == "equation":
			path = joinPath("system.equations", spe.Name)
		}
		d.fail(path, spe.Msg)
	default:
		d.fail("system", err.Error())
	}
}

func lastIndex(names []string, name string) int {
	for i := len(names) - 1; i >= 0; i-- {
		if names[i] == name {
			return i
		}
	}
	return -1
}

// keysInFileOrder returns the table's keys in the order they appear in the
// file (by line, then by name), so that the first mistake in the file is the
// one reported.
func (t *table) keysInFileOrder() []string {
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := t.d.lines.line(t.at(keys[i])), t.d.lines.line(t.at(keys[j]))
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// declaredParams returns the names of the [[parameters]] tables in file order,
// for a kind whose parameters the file declares.
func (d *decoder) declaredParams(top *table) []string {
	var names []string
	for _, pt := range top.tables("parameters") {
		pt.allow(parameterKeys...)
		if !pt.has("name") {
			d.fail(pt.at("name"), "missing key: the parameter's name, as the equations use it")
		}
		name := pt.str("name", "")
		if d.err != nil {
			return nil
		}
		if slices.Contains(names, name) {
			d.fail(pt.at("name"), fmt.Sprintf("parameter %q given twice", name))
			return nil
		}
		names = append(names, name)
	}
	return names
}
