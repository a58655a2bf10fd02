package scenarios

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/integrate"
)

// Scenario is a decoded and validated scenario file: a model, its parameters,
// an initial state, observations and how to solve and differentiate.
type Scenario struct {
	// Name is the file's name key (default: the file name without extension).
	Name string
	// File is the path the scenario was loaded from, as given.
	File string
	// Kind is the [system] kind.
	Kind string
	// Model is the right-hand side the kind builds.
	Model dynamics.Dynamics
	// StateNames and ParamNames are the model's names, in model order.
	StateNames, ParamNames []string
	// Params holds one entry per model parameter, in model order (not file order).
	Params []Parameter
	// T0 and Z0 are the initial time and state.
	T0 float64
	Z0 []float64
	// Observe names the observed states and Observed holds their indices.
	Observe  []string
	Observed []int
	// Times are the observation times, strictly increasing and ≥ T0.
	Times []float64
	// Values holds the observations: len(Times) rows of len(Observed) values,
	// row-major.
	Values []float64
	// TimeWeight is the base of the time weights w(t) = TimeWeight^t.
	TimeWeight float64
	// Solver holds the [solver] settings; zero fields mean integrate's defaults.
	Solver aca.Settings
	// Gradient is the [gradient] method name.
	Gradient string
	// Simulate is the [data.simulate] table when the observations were made
	// by simulation, else nil.
	Simulate *Simulation
	// Fit holds the [fit] options.
	Fit FitOptions
	// Extrapolate holds the [extrapolate] table; Points is 0 when absent.
	Extrapolate Extrapolation
	// Inputs are the measured input signals ([system] inputs).
	Inputs []Input
	// Observables are the [[observables]] tables; nil means the observed
	// states are the data, as in Observe.
	Observables []Observable
	// For a likelihood scenario T0 and Z0 are those of the first experiment
	// at the init values (what derivative checks and simulations start from).
	//
	// Z0Expr is [initial_state] z0 as text when an entry names a parameter
	// or is an expression (Z0 is then nil).
	Z0Expr []string
	// Experiments are the [[experiments]]; for the single-experiment form
	// with observables, inputs or a z0 of parameters, the one experiment
	// made of [initial_state] and [data]; nil otherwise. With experiments
	// the fit is a likelihood (see FitProblem).
	Experiments []Experiment

	spec expr.Spec // kind expression: the equations, to rebuild with other constants
}

// Parameter is one [[parameters]] table.
type Parameter struct {
	// Name is the model's name for the parameter.
	Name string
	// Value is the true value, when HasValue.
	Value    float64
	HasValue bool
	// Init is where gradients are taken and fits start (default: Value).
	Init float64
	// Min and Max bound the parameter; −Inf and +Inf when not given.
	Min, Max float64
	// Fixed parameters are held at Init by fits.
	Fixed bool
	// Local parameters have one copy per experiment (initial states,
	// per-run offsets).
	Local bool

	path string // the [[parameters]] table's field path, for errors
}

// parse decodes, validates and builds.
func parse(file string, src []byte, open opener) (sc *Scenario, err error) {
	if e := checkShape(file, src); e != nil {
		return nil, e
	}
	var raw map[string]any
	if perr := decodeTOML(src, &raw); perr != nil {
		var pe toml.ParseError
		if errors.As(perr, &pe) {
			return nil, &Error{File: file, Line: pe.Position.Line, Field: pe.LastKey, Problem: "TOML syntax: " + pe.Message}
		}
		return nil, &Error{File: file, Problem: "TOML syntax: " + perr.Error()}
	}
	d := &decoder{file: file, lines: locate(string(src))}
	sc = d.scenario(d.table("", raw), open)
	if d.err != nil {
		return nil, d.err
	}
	return sc, nil
}

// decodeTOML parses src; a panic in the parser becomes an error.
func decodeTOML(src []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parser failure: %v", r)
		}
	}()
	_, err = toml.Decode(string(src), v)
	return err
}

// topLevelKeys are the keys and tables a scenario may hold.
var topLevelKeys = []string{"name", "system", "parameters", "initial_state", "data", "loss", "solver", "gradient", "fit", "extrapolate", "inputs", "observables", "experiments"}

// scenario reads the top-level table. Each table declares its keys first
// (allow), so that a misspelt key reads as unknown rather than as missing.
func (d *decoder) scenario(top *table, open opener) *Scenario {
	sc := &Scenario{File: d.file}
	top.allow(topLevelKeys...)
	base := filepath.Base(d.file)
	sc.Name = top.str("name", strings.TrimSuffix(base, filepath.Ext(base)))

	k, ok := d.system(top, sc)
	if !ok {
		return nil
	}
	sc.StateNames, sc.ParamNames = modelNames(sc.Model)
	sc.spec = d.spec

	sc.Params = d.parameters(top, sc.ParamNames)
	d.inputs(top, sc, d.inputNames)
	multi := top.has("experiments")
	if multi {
		for _, key := range []string{"initial_state", "data"} {
			if top.has(key) && d.err == nil {
				d.fail(key, fmt.Sprintf("[%s] and [[experiments]] exclude each other: give t0, z0 and file in each experiment", key))
			}
		}
	} else {
		d.initialState(top, sc, k)
		d.checkLocal(sc)
	}
	d.checkMasses(sc)
	d.solver(top, sc)
	if d.err != nil {
		return nil
	}
	d.observables(top, sc)
	if multi {
		if len(sc.Observables) == 0 { // every state is a data column
			sc.Observe, sc.Observed = sc.StateNames, nil
			for i := range sc.StateNames {
				sc.Observed = append(sc.Observed, i)
			}
		}
		d.experiments(top, sc, open)
	} else {
		d.data(top, sc, open)
		d.single(sc)
	}
	d.firstZ0(sc)
	d.loss(top, sc)
	d.fit(top, sc)
	d.extrapolate(top, sc)
	g, _ := top.sub("gradient")
	g.allow("method")
	sc.Gradient = g.choice("method", "aca", gradientNames())
	g.done()
	top.done()
	return sc
}

// system reads the [system] table into sc.Kind and sc.Model and returns the
// kind's builder; false means d has failed.
func (d *decoder) system(top *table, sc *Scenario) (kind, bool) {
	sys, ok := top.sub("system")
	if !ok && d.err == nil {
		d.fail("system", "missing table [system]")
	}
	if !sys.has("kind") {
		sys.check(append([]string{"kind"}, allKindKeys()...)...) // a misspelt kind is unknown, not missing
		d.fail("system.kind", "missing key", kindNames()...)
	}
	sc.Kind = sys.choice("kind", "", kindNames())
	if d.err != nil {
		return kind{}, false
	}
	k := kinds[sc.Kind]
	sys.allow(k.keys...)
	if d.err != nil {
		return kind{}, false
	}
	if k.declared != nil {
		params := d.declaredParams(top)
		if d.err != nil {
			return kind{}, false
		}
		sc.Model = k.declared(sys, params)
	} else {
		sc.Model = k.model(sys)
	}
	sys.done()
	if d.err != nil {
		return kind{}, false
	}
	return k, true
}

func gradientNames() []string {
	var names []string
	for _, m := range aca.Methods() {
		names = append(names, m.Name())
	}
	return names
}

// loss reads [loss].
func (d *decoder) loss(top *table, sc *Scenario) {
	lt, _ := top.sub("loss")
	lt.allow("time_weight")
	w, _ := lt.num("time_weight", 1)
	lt.done()
	if d.err != nil {
		return
	}
	if w <= 0 {
		d.failf(lt.at("time_weight"), "%g is not positive", w)
		return
	}
	if w != 1 && sc.Likelihood() {
		d.failf(lt.at("time_weight"), "%g: the time weight belongs to the least squares; a likelihood (observables, experiments, inputs or a z0 of parameters) weighs data by σ (allowed: 1)", w)
		return
	}
	sc.TimeWeight = w
	for i, t := range sc.Times {
		if x := math.Pow(w, t); math.IsInf(x, 0) || math.IsNaN(x) {
			d.failf(lt.at("time_weight"), "%g^t overflows at the observation time t = %g (data.t[%d])", w, t, i)
			return
		}
	}
}

// solver reads [solver].
// minRTol is the smallest relative tolerance a scenario may ask for: about
// 100 units of float64 rounding (2.2e-16). Below it the rounding error of a
// single step exceeds the tolerance, every step is rejected, and the solve
// ends in a step-size underflow that would be blamed on the model.
const minRTol = 1e-14

// rtol reads a relative tolerance: 0 (or absent) for the default def, else
// within [minRTol, 1].
func (t *table) rtol(key, def string) float64 {
	r := t.nonNegative(key)
	if t.d.err == nil && r != 0 && (r < minRTol || r > 1) {
		t.d.failf(t.at(key), "%g is outside what an adaptive solve in float64 can meet (allowed: 0 for the default %s, or %g ≤ rtol ≤ 1)", r, def, minRTol)
	}
	return r
}

func (d *decoder) solver(top *table, sc *Scenario) {
	st, _ := top.sub("solver")
	st.allow("method", "rtol", "atol", "step", "max_steps", "land")
	name := st.choice("method", integrate.Dopri5.Name, integrate.Names())
	if d.err == nil {
		sc.Solver.Method, _ = integrate.ByName(name)
	}
	sc.Solver.RTol = st.rtol("rtol", "1e-6")
	sc.Solver.ATol = st.nonNegative("atol")
	sc.Solver.Step = st.nonNegative("step")
	sc.Solver.MaxSteps = st.integer("max_steps", 0)
	if d.err == nil && sc.Solver.MaxSteps < 0 {
		d.failf(st.at("max_steps"), "%d is negative; want ≥ 0 (0 means the default)", sc.Solver.MaxSteps)
	}
	sc.Solver.Land = st.boolean("land", false)
	st.done()
}
