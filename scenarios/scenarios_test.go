package scenarios_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShippedScenariosLoad(t *testing.T) {
	files, err := filepath.Glob("*.toml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 2)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			sc, err := scenarios.Load(f)
			require.NoError(t, err)
			if sc.Likelihood() {
				loss, _, err := identify.Gradient(sc.FitProblem(), sc.FitProblem().Init())
				require.NoError(t, err)
				assert.False(t, math.IsNaN(loss))
				return
			}
			p, err := sc.Problem()
			require.NoError(t, err)
			m, err := sc.Method()
			require.NoError(t, err)
			res, err := aca.Gradient(p, sc.Settings(), m)
			require.NoError(t, err)
			assert.False(t, math.IsNaN(res.Loss))
		})
	}
}

// TestToyScenario: the toy's loss is z(1)² = e² and dL/dz0 = 2e², dL/dk =
// 2e² (Eq. 29 with T = 1); ACA at rtol = atol = 1e-5 is within 1e-5 relative
// (the paper's Fig. 6 measures ~1e-6 at T = 1).
func TestToyScenario(t *testing.T) {
	sc, err := scenarios.Load("toy_exponential.toml")
	require.NoError(t, err)
	assert.Equal(t, "toy exponential", sc.Name)
	assert.Equal(t, []string{"k"}, sc.ParamNames)
	assert.Equal(t, integrate.Dopri5, sc.Solver.Method)
	assert.Equal(t, 1e-5, sc.Solver.RTol)
	p, err := sc.Problem()
	require.NoError(t, err)
	res, err := aca.Gradient(p, sc.Settings(), nil)
	require.NoError(t, err)
	e2 := math.Exp(2)
	assert.InEpsilon(t, e2, res.Loss, 1e-5)
	assert.InEpsilon(t, 2*e2, res.Z0[0], 1e-5)
	assert.InEpsilon(t, 2*e2, res.Theta[0], 1e-5)
}

// TestVanDerPolScenario builds the van der Pol problem by hand — data from a
// fresh 1e-12 simulation at mu = 1, not from the file — and checks that the
// scenario's ACA gradient at mu = 1.5 agrees. The file's data are that
// simulation rounded to 10 decimals, so the two losses differ by ~1e-10 and
// the gradients by about as much; 1e-8 relative leaves margin.
func TestVanDerPolScenario(t *testing.T) {
	sc, err := scenarios.Load("van_der_pol.toml")
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "v"}, sc.Observe)
	truth, ok := sc.TrueValues()
	require.True(t, ok)
	assert.Equal(t, []float64{1}, truth)
	assert.Equal(t, []float64{1.5}, sc.Init())

	times := make([]float64, 20)
	for i := range times {
		times[i] = 0.5 * float64(i+1)
	}
	rows, _, err := integrate.Solve(dynamics.VanDerPol{}, []float64{1}, 0, []float64{2, 0}, times,
		&integrate.Settings{RTol: 1e-12, ATol: 1e-12, MaxSteps: 1e6})
	require.NoError(t, err)
	var vals []float64
	for _, r := range rows {
		vals = append(vals, r...)
	}
	assert.InDeltaSlice(t, vals, sc.Values, 1e-9, "the file holds the simulation at mu = 1")
	loss, err := aca.NewLeastSquares(2, []int{0, 1}, vals, aca.TimeWeights(times, 1))
	require.NoError(t, err)
	byHand := &aca.Problem{Model: dynamics.VanDerPol{}, Theta: []float64{1.5}, Z0: []float64{2, 0}, Times: times, Loss: loss}
	s := &aca.Settings{Method: integrate.Dopri5, RTol: 1e-7, ATol: 1e-7, MaxSteps: 1000000}
	want, err := aca.Gradient(byHand, s, &aca.ACA{})
	require.NoError(t, err)

	p, err := sc.Problem()
	require.NoError(t, err)
	m, err := sc.Method()
	require.NoError(t, err)
	assert.Equal(t, "aca", m.Name())
	assert.Equal(t, *s, *sc.Settings())
	got, err := aca.Gradient(p, sc.Settings(), m)
	require.NoError(t, err)
	assert.InEpsilon(t, want.Loss, got.Loss, 1e-8)
	assert.InEpsilon(t, want.Theta[0], got.Theta[0], 1e-8)
	assert.InEpsilonSlice(t, want.Z0, got.Z0, 1e-8)
}

func TestProblemReturnsFreshSlices(t *testing.T) {
	sc, err := scenarios.Load("van_der_pol.toml")
	require.NoError(t, err)
	p1, err := sc.Problem()
	require.NoError(t, err)
	p1.Theta[0], p1.Z0[0], p1.Times[0] = 99, 99, 99
	p2, err := sc.Problem()
	require.NoError(t, err)
	assert.Equal(t, 1.5, p2.Theta[0])
	assert.Equal(t, 2.0, p2.Z0[0])
	assert.Equal(t, 0.5, p2.Times[0])
	s := sc.Settings()
	s.RTol = 1
	assert.Equal(t, 1e-7, sc.Settings().RTol)
}

func TestDefaultsAndOptionalForms(t *testing.T) {
	// Lotka–Volterra, parameters out of model order and as inline tables, dotted
	// keys, a partial observe, t0, and every optional table left out.
	src := `
system.kind = "lotka_volterra"
parameters = [
  { name = "gamma", init = 0.4 },
  { name = "alpha", value = 1.1, fixed = true },
  { name = "delta", value = 0.1, min = 0, max = inf },
  { name = "beta", value = 0.4, init = 0.5 },
]
initial_state = { z0 = [10, 5], t0 = 1 }
[data]
observe = ["predator"]
t = [1, 2, 3]
z = [[5], [6], [7]]
`
	sc, err := scenarios.Parse(filepath.Join(t.TempDir(), "lv.toml"), []byte(src))
	require.NoError(t, err)
	assert.Equal(t, "lv", sc.Name)
	assert.Equal(t, []string{"alpha", "beta", "delta", "gamma"}, sc.ParamNames)
	assert.Equal(t, []float64{1.1, 0.5, 0.1, 0.4}, sc.Init())
	_, ok := sc.TrueValues()
	assert.False(t, ok, "gamma has no true value")
	assert.True(t, sc.Params[0].Fixed)
	assert.True(t, math.IsInf(sc.Params[2].Max, 1))
	assert.True(t, math.IsInf(sc.Params[0].Min, -1))
	assert.Equal(t, 1.0, sc.T0)
	assert.Equal(t, []int{1}, sc.Observed)
	assert.Equal(t, 1.0, sc.TimeWeight)
	assert.Equal(t, aca.Settings{Method: integrate.Dopri5}, sc.Solver, "an absent [solver] means integrate's defaults")
	assert.Equal(t, "aca", sc.Gradient)
	p, err := sc.Problem()
	require.NoError(t, err)
	_, err = aca.Gradient(p, sc.Settings(), nil)
	require.NoError(t, err)
}

func TestLinearKind(t *testing.T) {
	src := `[system]
kind = "linear"
n = 2
[[parameters]]
name = "a11"
value = -1
[[parameters]]
name = "a12"
value = 0
[[parameters]]
name = "a21"
value = 0
[[parameters]]
name = "a22"
value = -2
[initial_state]
z0 = [1, 1]
[data]
t = [1]
z = [[0.36787944117144233, 0.1353352832366127]]
[solver]
rtol = 1e-10
atol = 1e-12
max_steps = 1e6
`
	sc, err := scenarios.Parse("lin.toml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, dynamics.Linear{N: 2}, sc.Model)
	assert.Equal(t, 1000000, sc.Solver.MaxSteps)
	p, err := sc.Problem()
	require.NoError(t, err)
	res, err := aca.Gradient(p, sc.Settings(), nil)
	require.NoError(t, err)
	assert.Less(t, res.Loss, 1e-18, "data are the exact solution")
}

func TestCSVData(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "obs.csv"),
		[]byte("# van der Pol at mu = 1\nv,extra,t,x\n-0.5345234499,7,0.5,1.8377192082\n-0.7802180746,7,1,1.5081442370\n"), 0o644))
	src := vdpBase(map[int]string{14: `file = "data/obs.csv"`, 15: "", 16: "", 17: "", 18: "", 19: ""})
	path := filepath.Join(dir, "s.toml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	sc, err := scenarios.Load(path)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.5, 1}, sc.Times)
	assert.Equal(t, []float64{1.8377192082, -0.5345234499, 1.5081442370, -0.7802180746}, sc.Values,
		"columns matched by name, in observe order")
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"sc/a.toml":  {Data: []byte(vdpBase(map[int]string{14: `file = "obs.csv"`, 15: "", 16: "", 17: "", 18: "", 19: ""}))},
		"sc/obs.csv": {Data: []byte("t,x,v\n1,2,3\n")},
	}
	sc, err := scenarios.LoadFS(fsys, "sc/a.toml")
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 3}, sc.Values)
	fsys["sc/obs.csv"] = &fstest.MapFile{Data: []byte("t,x\n1,2\n")}
	_, err = scenarios.LoadFS(fsys, "sc/a.toml")
	assert.EqualError(t, err, `sc/obs.csv:1: header: missing column "v"; want t and the observed states, matched by name (columns: t, x) (allowed: t, x, v)`)
}

func TestLoadMissingFile(t *testing.T) {
	_, err := scenarios.Load(filepath.Join(t.TempDir(), "nope.toml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// vdpBase is a small valid scenario; edits replace whole lines (1-based), so
// the line numbers below stay put.
func vdpBase(edits map[int]string) string {
	lines := strings.Split(`name = "t"
[system]
kind = "vanderpol"
[[parameters]]
name = "mu"
value = 1.0
init = 1.5
min = 0.0
max = 10.0
[initial_state]
z0 = [2.0, 0.0]
[data]
observe = ["x", "v"]
t = [0.5,
     1.0,
     1.5]
z = [[1.8, -0.5],
     [1.5, -0.8],
     [1.0, -1.1]]
[loss]
time_weight = 1.0
[solver]
method = "dopri5"
rtol = 1e-7
atol = 1e-7
[gradient]
method = "aca"`, "\n")
	for n, text := range edits {
		lines[n-1] = text
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestBaseIsValid(t *testing.T) {
	_, err := scenarios.Parse("base.toml", []byte(vdpBase(nil)))
	require.NoError(t, err)
}

// TestBadInput checks, for each class of mistake, the exact file, line and
// field at the start of the message and the gist of the problem.
func TestBadInput(t *testing.T) {
	const obsFile = `file = "obs.csv"`
	csvEdits := map[int]string{14: obsFile, 15: "", 16: "", 17: "", 18: "", 19: ""}
	for _, tc := range []struct {
		name  string
		edits map[int]string
		src   string // instead of edits
		csv   string // contents of obs.csv, if any
		want  string // exact prefix: FILE:LINE: FIELD:
		has   string // part of the rest
	}{
		{name: "syntax error", edits: map[int]string{24: "rtol = = 1e-7"},
			want: "bad.toml:24: solver.rtol: TOML syntax", has: "expected value"},
		{name: "syntax error unterminated string", edits: map[int]string{3: `kind = "vanderpol`},
			want: "bad.toml:3: system.kind: TOML syntax"},
		{name: "duplicate key", edits: map[int]string{25: "rtol = 1e-8"},
			want: "bad.toml:25: solver.rtol: TOML syntax", has: "already been defined"},
		{name: "unknown top-level key", edits: map[int]string{1: `nmae = "t"`},
			want: "bad.toml:1: nmae: unknown key", has: "(allowed: name, system, parameters, initial_state, data, loss, solver, gradient, fit, extrapolate, inputs, observables, experiments)"},
		{name: "unknown key in table", edits: map[int]string{25: "atoll = 1e-7"},
			want: "bad.toml:25: solver.atoll: unknown key", has: "(allowed: method, rtol, atol, step, max_steps, land)"},
		{name: "unknown key in parameters", edits: map[int]string{8: "minimum = 0.0"},
			want: "bad.toml:8: parameters[0].minimum: unknown key", has: "allowed: name, value, init, min, max, fixed"},
		{name: "unknown key for the kind", edits: map[int]string{2: "[system]\nn = 3"},
			want: "bad.toml:3: system.n: unknown key", has: "(allowed: kind)"},
		{name: "unknown table", edits: map[int]string{20: "[losss]"},
			want: "bad.toml:20: losss: unknown key"},
		{name: "wrong type number", edits: map[int]string{24: `rtol = "1e-7"`},
			want: "bad.toml:24: solver.rtol: wrong type: want a number, got a string"},
		{name: "wrong type array", edits: map[int]string{11: `z0 = "2, 0"`},
			want: "bad.toml:11: initial_state.z0: wrong type: want an array, got a string"},
		{name: "wrong type element", edits: map[int]string{11: `z0 = [2.0, true]`},
			want: "bad.toml:11: initial_state.z0[1]: wrong type: want a number, got a boolean"},
		{name: "wrong type bool", edits: map[int]string{9: "fixed = 1"},
			want: "bad.toml:9: parameters[0].fixed: wrong type: want true or false, got an integer"},
		{name: "wrong type table", edits: map[int]string{2: "system = 1", 3: ""},
			want: "bad.toml:2: system: wrong type: want a table, got an integer"},
		{name: "wrong type integer", edits: map[int]string{25: "max_steps = 1.5"},
			want: "bad.toml:25: solver.max_steps: 1.5 is not a whole number"},
		{name: "wrong length z0", edits: map[int]string{11: "z0 = [2.0]"},
			want: "bad.toml:11: initial_state.z0: wrong length: 1 values, want 2 (x, v)"},
		{name: "wrong length data row", edits: map[int]string{18: "     [1.5],"},
			want: "bad.toml:18: data.z[1]: wrong length: 1 values, want 2"},
		{name: "wrong number of rows", edits: map[int]string{19: "     ]"},
			want: "bad.toml:17: data.z: wrong length: 2 rows for 3 times in t"},
		{name: "unknown kind", edits: map[int]string{3: `kind = "vanderpool"`},
			want: `bad.toml:3: system.kind: unknown value "vanderpool"`, has: "(allowed: exponential, expression, linear, lotka_volterra, nbody, vanderpol)"},
		{name: "missing kind", edits: map[int]string{3: ""},
			want: "bad.toml:2: system.kind: missing key", has: "(allowed: exponential,"},
		{name: "unknown solver method", edits: map[int]string{23: `method = "rk5"`},
			want: `bad.toml:23: solver.method: unknown value "rk5"`, has: "(allowed: auto, dopri5, euler, heuneuler, kvaerno3, kvaerno4, kvaerno5, rk2, rk23, rk4, rk45, tsit5)"},
		{name: "unknown gradient method", edits: map[int]string{27: `method = "backprop"`},
			want: `bad.toml:27: gradient.method: unknown value "backprop"`, has: "(allowed: aca, adjoint, naive, forward)"},
		{name: "unknown parameter", edits: map[int]string{5: `name = "nu"`},
			want: `bad.toml:5: parameters[0].name: unknown parameter "nu"`, has: "(allowed: mu)"},
		{name: "unknown state name", edits: map[int]string{13: `observe = ["x", "y"]`},
			want: `bad.toml:13: data.observe[1]: unknown state name "y"`, has: "(allowed: x, v)"},
		{name: "state observed twice", edits: map[int]string{13: `observe = ["x", "x"]`},
			want: `bad.toml:13: data.observe[1]: state "x" observed twice`},
		{name: "times not increasing", edits: map[int]string{16: "     1.0]"},
			want: "bad.toml:16: data.t[2]: times must be strictly increasing: 1 after 1"},
		{name: "time before t0", edits: map[int]string{11: "z0 = [2.0, 0.0]\nt0 = 0.7"},
			want: "bad.toml:15: data.t[0]: time 0.5 is before the initial time t0 = 0.7"},
		{name: "NaN in data", edits: map[int]string{18: "     [nan, -0.8],"},
			want: "bad.toml:18: data.z[1][0]: NaN is not a finite number"},
		{name: "Inf in times", edits: map[int]string{15: "     +inf,"},
			want: "bad.toml:15: data.t[1]: +Inf is not a finite number"},
		{name: "Inf in z0", edits: map[int]string{11: "z0 = [-inf, 0.0]"},
			want: "bad.toml:11: initial_state.z0[0]: -Inf is not a finite number"},
		{name: "negative rtol", edits: map[int]string{24: "rtol = -1e-7"},
			want: "bad.toml:24: solver.rtol: -1e-07 is negative"},
		{name: "negative atol", edits: map[int]string{25: "atol = -1"},
			want: "bad.toml:25: solver.atol: -1 is negative"},
		{name: "negative max_steps", edits: map[int]string{25: "max_steps = -1"},
			want: "bad.toml:25: solver.max_steps: -1 is negative"},
		{name: "time weight not positive", edits: map[int]string{21: "time_weight = 0"},
			want: "bad.toml:21: loss.time_weight: 0 is not positive"},
		{name: "time weight overflows", edits: map[int]string{21: "time_weight = 1e300", 16: "     1000]"},
			want: "bad.toml:21: loss.time_weight: 1e+300^t overflows"},
		{name: "min > max", edits: map[int]string{8: "min = 20.0"},
			want: "bad.toml:8: parameters[0].min: min 20 is greater than max 10"},
		{name: "init outside bounds", edits: map[int]string{7: "init = 12"},
			want: "bad.toml:7: parameters[0].init: init 12 is outside [min, max] = [0, 10]"},
		{name: "value outside bounds without init", edits: map[int]string{6: "value = -1", 7: ""},
			want: "bad.toml:6: parameters[0].value: value -1 is outside [min, max] = [0, 10]"},
		{name: "parameter without value or init", edits: map[int]string{6: "", 7: ""},
			want: "bad.toml:4: parameters[0]: parameter \"mu\" needs value or init"},
		{name: "parameter given twice", edits: map[int]string{9: "max = 10.0\n[[parameters]]\nname = \"mu\""},
			want: "bad.toml:11: parameters[1].name: parameter \"mu\" given twice"},
		{name: "missing parameters", edits: map[int]string{3: `kind = "lotka_volterra"`, 5: `name = "beta"`, 13: `observe = ["prey", "predator"]`},
			want: "bad.toml:4: parameters: missing [[parameters]] for \"alpha\", \"delta\", \"gamma\"", has: "(allowed: alpha, beta, delta, gamma)"},
		{name: "no parameters at all", edits: map[int]string{4: "", 5: "", 6: "", 7: "", 8: "", 9: ""},
			want: "bad.toml:3: parameters: missing [[parameters]] for \"mu\""},
		{name: "missing table", edits: map[int]string{10: "", 11: ""},
			want: "bad.toml: initial_state: missing table [initial_state]"},
		{name: "missing z0", edits: map[int]string{11: ""},
			want: "bad.toml:10: initial_state.z0: missing key"},
		{name: "missing z", edits: map[int]string{17: "", 18: "", 19: ""},
			want: "bad.toml:12: data.z: missing key"},
		{name: "linear without n", edits: map[int]string{3: `kind = "linear"`},
			want: "bad.toml:2: system.n: missing: kind linear needs n"},
		{name: "linear n out of range", edits: map[int]string{3: "kind = \"linear\"\nn = 0"},
			want: "bad.toml:4: system.n: 0 is out of range; want 1 to 100"},
		{name: "file and inline", edits: map[int]string{13: obsFile},
			want: "bad.toml:13: data.file: give either t and z or file, not both"},
		{name: "CSV unreadable", edits: csvEdits,
			want: "bad.toml:14: data.file: cannot read \"obs.csv\""},
		{name: "CSV missing column", edits: csvEdits, csv: "t,x\n0.5,1\n",
			want: `obs.csv:1: header: missing column "v"`, has: "(allowed: t, x, v)"},
		{name: "CSV missing t", edits: csvEdits, csv: "time,x,v\n0.5,1,2\n",
			want: `obs.csv:1: header: missing column "t"`},
		{name: "CSV row with wrong number of fields", edits: csvEdits, csv: "t,x,v\n0.5,1,2\n1.0,2\n",
			want: "obs.csv:3: row: 2 fields, want 3 (t,x,v)"},
		{name: "CSV not a number", edits: csvEdits, csv: "t,x,v\n\n0.5,1,2\n1.0,2,abc\n",
			want: `obs.csv:4: column v: "abc" is not a number`},
		{name: "CSV NaN", edits: csvEdits, csv: "t,x,v\n0.5,NaN,2\n",
			want: `obs.csv:2: column x: "NaN" is not finite`},
		{name: "CSV times not increasing", edits: csvEdits, csv: "t,x,v\n0.5,1,2\n0.4,1,2\n",
			want: "obs.csv:3: column t: times must be strictly increasing: 0.4 after 0.5"},
		{name: "CSV empty", edits: csvEdits, csv: "",
			want: "obs.csv:1: header: empty file"},
		{name: "CSV no rows", edits: csvEdits, csv: "t,x,v\n",
			want: "obs.csv:1: header: no rows"},
		{name: "dotted key at top level",
			src:  "name = \"d\"\nsolver.rtol = -1\n" + strings.SplitN(vdpBase(map[int]string{22: "", 23: "", 24: "", 25: ""}), "\n", 2)[1],
			want: "bad.toml:2: solver.rtol: -1 is negative"},
		{name: "inline table",
			src:  "solver = { method = \"dopri5\",\n  rtol = 1e-7, atoll = 2 }\n" + vdpBase(map[int]string{22: "", 23: "", 24: "", 25: ""}),
			want: "bad.toml:2: solver.atoll: unknown key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := tc.src
			if src == "" {
				src = vdpBase(tc.edits)
			}
			path := filepath.Join(dir, "bad.toml")
			require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
			if tc.csv != "" || strings.Contains(tc.name, "CSV") && tc.name != "CSV unreadable" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "obs.csv"), []byte(tc.csv), 0o644))
			}
			_, err := scenarios.Load(path)
			require.Error(t, err)
			var se *scenarios.Error
			require.True(t, errors.As(err, &se), "%v is not a *scenarios.Error", err)
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			assert.True(t, strings.HasPrefix(msg, tc.want), "got  %s\nwant %s...", msg, tc.want)
			assert.Contains(t, msg, tc.has)
		})
	}
}

func TestLoadDirectoryIsAnError(t *testing.T) {
	_, err := scenarios.Load(t.TempDir())
	var se *scenarios.Error
	require.True(t, errors.As(err, &se))
	assert.Contains(t, err.Error(), "not a regular file")
}

// TestMisspeltKeyIsUnknownNotMissing: a typo in a required key or table is
// reported as the unknown key it is, not as the missing one it hides.
func TestMisspeltKeyIsUnknownNotMissing(t *testing.T) {
	for edits, want := range map[*map[int]string]string{
		{12: "[dat]"}:              "bad.toml:12: dat: unknown key",
		{14: "times = [0.5,"}:      "bad.toml:14: data.times: unknown key (allowed: observe, t, z, file, simulate)",
		{11: "z_0 = [2, 0]"}:       "bad.toml:11: initial_state.z_0: unknown key (allowed: t0, z0)",
		{3: "knd = \"vanderpol\""}: "bad.toml:3: system.knd: unknown key",
		{5: "nam = \"mu\""}:        "bad.toml:5: parameters[0].nam: unknown key",
	} {
		_, err := scenarios.Parse("bad.toml", []byte(vdpBase(*edits)))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), want), "got  %v\nwant %s", err, want)
	}
}
