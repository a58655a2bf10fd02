package scenarios

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
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

	path string // the [[parameters]] table's field path, for errors
}

// maxFileSize bounds the scenario and CSV files read, so that a path such as
// /dev/zero fails instead of filling memory.
const maxFileSize = 256 << 20

// Load reads and validates the scenario file at path. A CSV file it names is
// read relative to the scenario's directory. Mistakes are *Error values.
func Load(path string) (*Scenario, error) {
	src, err := readOS(path)
	if err != nil {
		return nil, readError(path, err)
	}
	return Parse(path, src)
}

// Parse validates the scenario src as if read from file; a CSV file it names
// is read from disk relative to file's directory.
func Parse(file string, src []byte) (*Scenario, error) {
	dir := filepath.Dir(file)
	open := func(name string) (string, []byte, error) {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, filepath.FromSlash(name))
		}
		data, err := readOS(p)
		return p, data, err
	}
	return parse(file, src, open)
}

// LoadFS is Load on a file system: name and the CSV files it names are paths
// in fsys (CSV paths relative to name's directory).
func LoadFS(fsys fs.FS, name string) (*Scenario, error) {
	src, err := readFS(fsys, name)
	if err != nil {
		return nil, readError(name, err)
	}
	open := func(rel string) (string, []byte, error) {
		p := path.Join(path.Dir(name), rel)
		data, err := readFS(fsys, p)
		return p, data, err
	}
	return parse(name, src, open)
}

// readError reports a scenario file that cannot be read.
func readError(name string, err error) *Error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is already in File
	}
	return &Error{File: name, Problem: "cannot read the scenario: " + msg, Err: err}
}

// opener reads a file named in a scenario and returns its display path.
type opener func(name string) (display string, data []byte, err error)

// readOS reads a regular file. It checks the path with Stat before opening
// it: opening a FIFO for reading blocks until a writer appears, so a named
// pipe given as a scenario or data file would hang the command forever. The
// file is opened non-blocking for the same reason (a path swapped for a FIFO
// between the two calls), and readLimited checks the opened file again.
func readOS(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f)
}

func readFS(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f)
}

func readLimited(f fs.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	return data, err
}

// notRegular says what a path that is not a regular file is instead.
func notRegular(m fs.FileMode) error {
	kind := "a special file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("not a regular file: it is %s", kind)
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
var topLevelKeys = []string{"name", "system", "parameters", "initial_state", "data", "loss", "solver", "gradient", "fit", "extrapolate"}

// scenario reads the top-level table. Each table declares its keys first
// (allow), so that a misspelt key reads as unknown rather than as missing.
func (d *decoder) scenario(top *table, open opener) *Scenario {
	sc := &Scenario{File: d.file}
	top.allow(topLevelKeys...)
	base := filepath.Base(d.file)
	sc.Name = top.str("name", strings.TrimSuffix(base, filepath.Ext(base)))

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
		return nil
	}
	k := kinds[sc.Kind]
	sys.allow(k.keys...)
	if d.err != nil {
		return nil
	}
	if k.declared != nil {
		params := d.declaredParams(top)
		if d.err != nil {
			return nil
		}
		sc.Model = k.declared(sys, params)
	} else {
		sc.Model = k.model(sys)
	}
	sys.done()
	if d.err != nil {
		return nil
	}
	sc.StateNames, sc.ParamNames = modelNames(sc.Model)

	sc.Params = d.parameters(top, sc.ParamNames)
	d.initialState(top, sc, k)
	d.checkMasses(sc)
	d.solver(top, sc)
	if d.err != nil {
		return nil
	}
	d.data(top, sc, open)
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

func gradientNames() []string {
	var names []string
	for _, m := range aca.Methods() {
		names = append(names, m.Name())
	}
	return names
}

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
	st.allow("method", "rtol", "atol", "step", "max_steps")
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
	st.done()
}
