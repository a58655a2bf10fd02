package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/physid/physid/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expressionScenarios returns the shipped scenarios of kind expression.
func expressionScenarios(t *testing.T) []*scenarios.Scenario {
	t.Helper()
	files, err := filepath.Glob("*.toml")
	require.NoError(t, err)
	var out []*scenarios.Scenario
	for _, f := range files {
		sc, err := scenarios.Load(f)
		require.NoError(t, err, f)
		if sc.Kind == "expression" {
			out = append(out, sc)
		}
	}
	require.GreaterOrEqual(t, len(out), 6, "the six shipped expression scenarios")
	return out
}

// TestExpressionScenariosMatchBuiltins: the expression versions of van der Pol
// and Lotka–Volterra give the built-in models' loss and ACA gradient at the
// same θ. The compiled expressions round differently from the hand-written
// code in the last bit (another order of the same operations), and the solver
// carries that through unchanged step sizes, so the two agree to a few ulps
// accumulated over the solve: 1e-12 relative.
func TestExpressionScenariosMatchBuiltins(t *testing.T) {
	for _, tc := range []struct {
		file    string
		builtin dynamics.Dynamics
	}{
		{"van_der_pol_expression.toml", dynamics.VanDerPol{}},
		{"lotka_volterra.toml", dynamics.LotkaVolterra{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			sc, err := scenarios.Load(tc.file)
			require.NoError(t, err)
			require.Equal(t, "expression", sc.Kind)
			_, isExpr := sc.Model.(*expr.Model)
			require.True(t, isExpr)
			names := tc.builtin.(dynamics.Named)
			require.Equal(t, names.StateNames(), sc.StateNames)
			require.Equal(t, names.ParamNames(), sc.ParamNames)

			pe, err := sc.Problem()
			require.NoError(t, err)
			pb, err := sc.Problem()
			require.NoError(t, err)
			pb.Model = tc.builtin
			ge, err := aca.Gradient(pe, sc.Settings(), &aca.ACA{})
			require.NoError(t, err)
			gb, err := aca.Gradient(pb, sc.Settings(), &aca.ACA{})
			require.NoError(t, err)

			assert.Equal(t, gb.Stats.Accepted, ge.Stats.Accepted, "the same steps")
			assert.InEpsilon(t, gb.Loss, ge.Loss, 1e-12)
			for i := range gb.Theta {
				assert.InEpsilon(t, gb.Theta[i], ge.Theta[i], 1e-12, sc.ParamNames[i])
			}
			for i := range gb.Z0 {
				assert.InEpsilon(t, gb.Z0[i], ge.Z0[i], 1e-12, sc.StateNames[i])
			}
		})
	}
	// The twin of van_der_pol.toml holds the same data, so the two files agree.
	builtin, err := scenarios.Load("van_der_pol.toml")
	require.NoError(t, err)
	twin, err := scenarios.Load("van_der_pol_expression.toml")
	require.NoError(t, err)
	assert.Equal(t, builtin.Values, twin.Values)
	assert.Equal(t, builtin.Times, twin.Times)
}

// TestExpressionScenariosDerivatives runs the derivative checker on every
// shipped expression scenario at its initial state and init θ (and at t = 1,
// which the forced oscillator's sin(w·t) needs to be tested at all). Central
// differences are good to ~1e-8 on these smooth functions; see
// dynamics.CheckDerivatives.
func TestExpressionScenariosDerivatives(t *testing.T) {
	for _, sc := range expressionScenarios(t) {
		for _, tt := range []float64{sc.T0, sc.T0 + 1} {
			worst, err := dynamics.CheckDerivatives(sc.Model, tt, sc.Z0, sc.Init())
			require.NoError(t, err, sc.File)
			assert.Less(t, worst, 1e-6, "%s at t=%g", sc.File, tt)
		}
	}
}

// TestExpressionParameterOrder: θ is the [[parameters]] tables in file order,
// whatever order the equations use them in, and a parameter no equation uses
// is allowed (its gradient is 0).
func TestExpressionParameterOrder(t *testing.T) {
	src := `
[system]
kind = "expression"
state = ["x"]
constants = { c = 2 }
[system.equations]
x = "-b*x + a*c"
[[parameters]]
name = "b"
value = 1
[[parameters]]
name = "unused"
value = 3
[[parameters]]
name = "a"
value = 0.5
[initial_state]
z0 = [1]
[data]
t = [1]
z = [[0]]
`
	sc, err := scenarios.Parse("order.toml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "unused", "a"}, sc.ParamNames)
	assert.Equal(t, []float64{1, 3, 0.5}, sc.Init())
	f := make([]float64, 1)
	sc.Model.Func(f, 0, []float64{1}, sc.Init())
	assert.Equal(t, []float64{-1 + 0.5*2}, f)
	p, err := sc.Problem()
	require.NoError(t, err)
	res, err := aca.Gradient(p, sc.Settings(), nil)
	require.NoError(t, err)
	assert.Zero(t, res.Theta[1])
}

// TestExpressionErrors checks the file, line and field of each mistake an
// expression scenario can make, and the gist of the message.
func TestExpressionErrors(t *testing.T) {
	base, err := os.ReadFile("damped_driven_oscillator.toml")
	require.NoError(t, err)
	const eq = `v = "-k*x - c*v + F*sin(w*t)"`
	for _, tc := range []struct {
		name, from, to string
		want           string // exact prefix
		has            []string
	}{
		{"unknown name", eq, `v = "-k*x - c*v + F*sin(w*tt)"`,
			"osc.toml:17: system.equations.v: col 22: unknown name \"tt\"",
			[]string{`(did you mean "t"?)`, "parameters k, c, w", "\n\t-k*x - c*v + F*sin(w*tt)\n\t                     ^"}},
		{"syntax", eq, `v = "-k*x - c*v + F*sin(w*t"`,
			"osc.toml:17: system.equations.v: col 23: expected",
			[]string{"\n\t-k*x - c*v + F*sin(w*t\n\t                      ^"}},
		{"implicit product", eq, `v = "-k*x - 2c*v"`,
			"osc.toml:17: system.equations.v: col 9: ", []string{"missing operator"}},
		{"unknown function", eq, `v = "-k*x + F*sine(w*t)"`,
			"osc.toml:17: system.equations.v: col 10: unknown function \"sine\"", []string{`(did you mean "sin"?)`}},
		{"missing equation", eq, "",
			"osc.toml:15: system.equations: no equation for state \"v\"", nil},
		{"equation for no state", eq, eq + "\ny = \"x\"",
			"osc.toml:18: system.equations.y: equation for unknown state \"y\"", []string{"(states: x, v)"}},
		{"equation for a parameter", eq, eq + "\nk = \"x\"",
			"osc.toml:18: system.equations.k: equation for \"k\", which is a parameter, not a state", nil},
		{"equation not a string", eq, "v = 3",
			"osc.toml:17: system.equations.v: wrong type: want a string, got an integer", nil},
		{"no equations table", "[system.equations]\n" + `x = "v"` + "\n" + eq, "",
			"osc.toml:8: system.equations: missing table [system.equations]", nil},
		{"constant not a number", "F = 0.3", `F = "a"`,
			"osc.toml:13: system.constants.F: wrong type: want a number, got a string", nil},
		{"constant NaN", "F = 0.3", "F = nan",
			"osc.toml:13: system.constants.F: NaN is not a finite number", nil},
		{"constant named like a parameter", "F = 0.3", "k = 0.3",
			"osc.toml:13: system.constants.k: constant \"k\" is already declared as a parameter", nil},
		{"constant named like a function", "F = 0.3", "sin = 0.3",
			"osc.toml:13: system.constants.sin: constant name \"sin\" is a function name", nil},
		{"state twice", `state = ["x", "v"]`, `state = ["x", "v", "x"]`,
			"osc.toml:10: system.state[2]: state \"x\" is already declared as a state", nil},
		{"state t", `state = ["x", "v"]`, `state = ["x", "t"]`,
			"osc.toml:10: system.state[1]: state name \"t\" is reserved for time", nil},
		{"no states", `state = ["x", "v"]`, `state = []`,
			"osc.toml:10: system.state: empty", nil},
		{"missing state", `state = ["x", "v"]`, "",
			"osc.toml:8: system.state: missing key", nil},
		{"parameter named like a state", `name = "w"`, `name = "x"`,
			"osc.toml:32: parameters[2].name: parameter \"x\" is already declared as a state", nil},
		{"parameter twice", `name = "w"`, `name = "k"`,
			"osc.toml:32: parameters[2].name: parameter \"k\" given twice", nil},
		{"parameter not an identifier", `name = "w"`, `name = "2w"`,
			"osc.toml:32: parameters[2].name: parameter name \"2w\" is not an identifier", nil},
		{"parameter without name", `name = "w"`, `fixed = false`,
			"osc.toml:31: parameters[2].name: missing key", nil},
		{"unknown key", "[system.equations]", "[system.equationz]",
			"osc.toml:15: system.equationz: unknown key", []string{"(allowed: kind, state, inputs, constants, equations)"}},
		{"z0 for the states", "z0 = [1.0, 0.0]", "z0 = [1.0]",
			"osc.toml:38: initial_state.z0: wrong length: 1 values, want 2 (x, v)", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(base), tc.from)
			src := strings.Replace(string(base), tc.from, tc.to, 1)
			_, err := scenarios.Parse("osc.toml", []byte(src))
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got  %s\nwant %s", err, tc.want)
			for _, h := range tc.has {
				assert.Contains(t, err.Error(), h)
			}
		})
	}
}

// TestExpressionDomainErrorAtLoad: [data.simulate] of a system that leaves its
// domain fails at [data.simulate], naming the equation and the time: x' =
// −√x − 1 from x = 1 reaches x = 0 at t = 2 − 2 ln 2 = 0.6137, past which every
// trial step takes the square root of a negative number.
func TestExpressionDomainErrorAtLoad(t *testing.T) {
	src := `
[system]
kind = "expression"
state = ["x"]
[system.equations]
x = "-sqrt(x)*k - 1"
[[parameters]]
name = "k"
value = 1
[initial_state]
z0 = [1]
[data.simulate]
t1 = 5
`
	_, err := scenarios.Parse("dom.toml", []byte(src))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dom.toml:12: data.simulate: simulating the observations at the true values failed")
	assert.Contains(t, err.Error(), `the steps tried leave the model's domain: expr: equation "x": sqrt of negative value at t=0.6137`)
}
