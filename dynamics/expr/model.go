package expr

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/physid/physid/dynamics"
)

// Spec describes an ODE system dz/dt = f(t, z, θ) by the names of its states,
// parameters and constants and one expression per state. Order matters: State
// fixes the order of z and Params the order of θ.
type Spec struct {
	// State names the components of z, in order.
	State []string
	// Params names the components of θ, in order. May be empty.
	Params []string
	// Constants are fixed values substituted into the expressions.
	Constants []Constant
	// Equations gives dz/dt for each state; every state needs exactly one.
	Equations []Equation
}

// Constant is a named value that is fixed when the model is built, such as a
// forcing amplitude that is not being fitted.
type Constant struct {
	Name  string
	Value float64
}

// Equation is the right-hand side of one state's ODE: d(Name)/dt = Expr.
type Equation struct {
	Name string
	Expr string
}

// Model is an ODE right-hand side compiled from expressions. It implements
// dynamics.Dynamics, dynamics.Named, dynamics.StateChecker, dynamics.Cloner and
// dynamics.TimeDerivative.
//
// A Model keeps a workspace and the pending domain error, so it is not safe for
// concurrent use: give each goroutine its own Clone. Clones share the compiled
// programs, which are never modified.
type Model struct {
	c     *compiled
	n, p  int                  // Dim and NumParams
	slots []float64            // the workspace all programs run in
	ws    *[smallSlots]float64 // the same workspace in the small form, if the model has one
	small smallForm            // c.small, copied so that Func, JVP and VJP reach it in one load
	fbuf  []float64            // f at the point CheckState re-evaluates
	ev    event                // the first domain error since the last CheckState
	last  event                // the latest domain error (the first of those at its t)
}

var (
	_ dynamics.Dynamics       = (*Model)(nil)
	_ dynamics.Named          = (*Model)(nil)
	_ dynamics.StateChecker   = (*Model)(nil)
	_ dynamics.Cloner         = (*Model)(nil)
	_ dynamics.TimeDerivative = (*Model)(nil)
)

// partial is one structurally nonzero entry ∂f_i/∂x_j of the Jacobian with
// respect to x = (z, θ).
type partial struct {
	i, j int
	node int32
}

// compiled is everything a Model shares with its clones.
type compiled struct {
	lay            layout
	states, params []string
	g              *graph
	f              []int32
	partials       []partial // sorted by j, then i: those for z come first
	nzp            int       // how many partials are with respect to z
	fn             program   // f
	jac            program   // every partial, in the order of partials
	jacZ           program   // the partials with respect to z only
	ft             []int32   // ∂f_i/∂t, or nil when f does not depend on t
	dt             program   // ft, when not nil
	init           []float64 // the workspace with constants filled in
	// small holds the programs in the small form when the workspace fits
	// smallSlots slots, else nil.
	small *smallForm
}

// smallForm is f, the Jacobian and the z-Jacobian in the small form.
type smallForm struct{ fn, jac, jacZ smallProgram }

// useSmall is false in tests that exercise the wide form on small models.
var useSmall = true

// New parses and differentiates the equations of spec and compiles f and its
// Jacobian. Mistakes are reported as a *SpecError (wrapping one of ErrNoStates,
// ErrBadName, ErrDuplicateName, ErrBadConstant, ErrMissingEquation,
// ErrUnknownEquation) or a *SyntaxError naming the equation and column. The name
// t is reserved for time and may be used in every equation.
func New(spec Spec) (*Model, error) {
	n, p := len(spec.State), len(spec.Params)
	if n == 0 {
		return nil, &SpecError{Role: "state", Err: ErrNoStates, Msg: "no states: a model needs at least one state and its equation"}
	}
	g := newGraph()
	sc := newScope()
	lay := newLayout(n, p)
	sc.declare("t", "time", g.leaf(opVar, 0, "t"))
	vars := make([]int32, 0, n+p)
	for j, name := range spec.State {
		if err := checkName(sc, name, "state"); err != nil {
			return nil, err
		}
		id := g.leaf(opVar, 1+j, name)
		sc.declare(name, "state", id)
		vars = append(vars, id)
	}
	for k, name := range spec.Params {
		if err := checkName(sc, name, "parameter"); err != nil {
			return nil, err
		}
		id := g.leaf(opVar, 1+n+k, name)
		sc.declare(name, "parameter", id)
		vars = append(vars, id)
	}
	for _, c := range spec.Constants {
		if err := checkName(sc, c.Name, "constant"); err != nil {
			return nil, err
		}
		if math.IsNaN(c.Value) || math.IsInf(c.Value, 0) {
			return nil, &SpecError{Role: "constant", Name: c.Name, Err: ErrBadConstant,
				Msg: fmt.Sprintf("constant %q is %v; constants must be finite", c.Name, c.Value)}
		}
		sc.declare(c.Name, "constant", g.num(c.Value))
	}
	sc.describe()

	f := make([]int32, n)
	for i := range f {
		f[i] = -1
	}
	for _, eq := range spec.Equations {
		i := slices.Index(spec.State, eq.Name)
		if i < 0 {
			states := strings.Join(spec.State, ", ")
			msg := fmt.Sprintf("equation for unknown state %q%s (states: %s)", eq.Name, didYouMean(eq.Name, spec.State), states)
			if role, ok := sc.role[eq.Name]; ok {
				msg = fmt.Sprintf("equation for %q, which is a %s, not a state (states: %s)", eq.Name, role, states)
			}
			return nil, &SpecError{Role: "equation", Name: eq.Name, Err: ErrUnknownEquation, Msg: msg}
		}
		if f[i] >= 0 {
			return nil, &SpecError{Role: "equation", Name: eq.Name, Err: ErrDuplicateName,
				Msg: fmt.Sprintf("two equations for state %q", eq.Name)}
		}
		root, err := compileExpr(g, sc, eq.Expr)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				se.Equation = eq.Name
			}
			return nil, err
		}
		f[i] = root
	}
	for i, r := range f {
		if r < 0 {
			return nil, &SpecError{Role: "state", Name: spec.State[i], Err: ErrMissingEquation,
				Msg: fmt.Sprintf("no equation for state %q; every state needs one", spec.State[i])}
		}
	}

	c := &compiled{lay: lay, states: slices.Clone(spec.State), params: slices.Clone(spec.Params), g: g, f: f}
	c.differentiate(vars)
	c.differentiateTime(sc.node["t"])
	c.build()
	return c.model(), nil
}

// checkName validates a declared name and rejects a second use.
func checkName(sc *scope, name, role string) error {
	bad := func(err error, format string, args ...any) error {
		return &SpecError{Role: role, Name: name, Err: err, Msg: fmt.Sprintf(format, args...)}
	}
	if name == "" {
		return bad(ErrBadName, "empty %s name", role)
	}
	for k, r := range name {
		if r == utf8.RuneError || (!isLetter(r) && (k == 0 || !isDigit(r))) {
			return bad(ErrBadName, "%s name %q is not an identifier (letters, digits and _, starting with a letter or _)", role, name)
		}
	}
	if _, ok := funcs[name]; ok {
		return bad(ErrBadName, "%s name %q is a function name", role, name)
	}
	if name == "t" {
		return bad(ErrDuplicateName, "%s name \"t\" is reserved for time", role)
	}
	if prev, ok := sc.role[name]; ok {
		return bad(ErrDuplicateName, "%s %q is already declared as a %s", role, name, prev)
	}
	return nil
}

// differentiate finds every structurally nonzero partial ∂f_i/∂x_j.
func (c *compiled) differentiate(vars []int32) {
	zero := c.g.num(0)
	for j, v := range vars {
		memo := make(map[int32]int32)
		for i, r := range c.f {
			if d := c.g.deriv(r, v, memo); d != zero {
				c.partials = append(c.partials, partial{i: i, j: j, node: d})
			}
		}
	}
}

// build compiles f and the Jacobian programs. The partials are graph nodes
// like f, so the programs share every subexpression they have in common (a
// derivative often reuses exp(u), a quotient, tanh…). JVP and VJP run the
// Jacobian program and then multiply its sparse result by the direction or
// the cotangent in a plain loop.
func (c *compiled) build() {
	g, lay := c.g, &c.lay
	n := lay.n
	g.num(0) // zero outputs read it
	g.num(1) // fused instructions pad with it
	jac := make([][]int32, n)
	roots := make([]int32, len(c.partials))
	for k, e := range c.partials {
		jac[e.i] = append(jac[e.i], e.node)
		roots[k] = e.node
		if e.j < n {
			c.nzp++
		}
	}
	for i, r := range c.ft {
		jac[i] = append(jac[i], r) // marked after the partials: their owners stay
	}
	comp, init := newCompiler(g, lay, c.f, jac)
	c.fn = comp.compile(c.f, false)
	for i := range c.fn.out {
		c.fn.out[i].i = int32(i)
	}
	c.jac = comp.compile(roots, true)
	c.jacZ = comp.compile(roots[:c.nzp], true)
	if c.ft != nil {
		c.dt = comp.compile(c.ft, false)
	}
	for _, pr := range []*program{&c.jac, &c.jacZ} {
		for k := range pr.out {
			e := c.partials[k]
			pr.out[k].i, pr.out[k].j = int32(e.i), int32(e.j)
			if e.j >= n {
				pr.out[k].j -= int32(n)
			}
		}
		// Within the z part and the θ part, the entries that are one slot
		// come before the products of two, so that the small form's loops
		// over them need no test (both forms sum in this order).
		nz := min(c.nzp, len(pr.out))
		for _, part := range [][]output{pr.out[:nz], pr.out[nz:]} {
			slices.SortStableFunc(part, func(a, b output) int {
				return cmp.Compare(product(a, comp.one), product(b, comp.one))
			})
		}
	}
	size := 1
	for size < lay.size {
		size *= 2
	}
	c.init = make([]float64, size)
	copy(c.init, init)
	if size <= smallSlots && useSmall {
		c.small = &smallForm{fn: c.fn.shrink(-1, comp.one), jac: c.jac.shrink(c.nzp, comp.one), jacZ: c.jacZ.shrink(len(c.jacZ.out), comp.one)}
	}
}

// product is 1 for an output that is a product of two slots, else 0.
func product(o output, one uint32) int {
	if o.slot2 != one {
		return 1
	}
	return 0
}

// model returns a fresh Model over c.
func (c *compiled) model() *Model {
	m := &Model{c: c, n: c.lay.n, p: c.lay.p, fbuf: make([]float64, c.lay.n)}
	if c.small != nil {
		m.ws = new([smallSlots]float64)
		m.slots = m.ws[:]
		m.small = *c.small
		copy(m.slots, c.init)
	} else {
		m.slots = slices.Clone(c.init)
	}
	return m
}

// Dim returns the number of states.
func (m *Model) Dim() int { return m.c.lay.n }

// NumParams returns the number of parameters.
func (m *Model) NumParams() int { return m.c.lay.p }

// StateNames returns the state names in the order of z.
func (m *Model) StateNames() []string { return slices.Clone(m.c.states) }

// ParamNames returns the parameter names in the order of θ.
func (m *Model) ParamNames() []string { return slices.Clone(m.c.params) }

// Clone returns an independent Model (a *Model) for use on another goroutine.
func (m *Model) Clone() dynamics.Dynamics { return m.c.model() }

// Equation returns f_i after constant substitution and simplification, as an
// expression that parses back to itself.
func (m *Model) Equation(i int) string { return m.c.g.format(m.c.f[i]) }

// Partial returns the symbolic partial derivative ∂f_eq/∂wrt, where eq names a
// state and wrt a state, a parameter or the time t; "0" when f_eq does not
// depend on wrt.
// Derivatives of abs, min and max print with the internal forms sign(x) and
// if(a <= b, c, d), which equations themselves may not use.
func (m *Model) Partial(eq, wrt string) (string, error) {
	c := m.c
	i := slices.Index(c.states, eq)
	if i < 0 {
		return "", fmt.Errorf("expr: Partial: unknown state %q%s (states: %s)", eq, didYouMean(eq, c.states), strings.Join(c.states, ", "))
	}
	if wrt == "t" {
		if c.ft == nil {
			return "0", nil
		}
		return c.g.format(c.ft[i]), nil
	}
	names := slices.Concat(c.states, c.params)
	j := slices.Index(names, wrt)
	if j < 0 {
		return "", fmt.Errorf("expr: Partial: unknown state or parameter %q%s (allowed: %s, t)", wrt, didYouMean(wrt, names), strings.Join(names, ", "))
	}
	for _, e := range c.partials {
		if e.i == i && e.j == j {
			return c.g.format(e.node), nil
		}
	}
	return "0", nil
}
