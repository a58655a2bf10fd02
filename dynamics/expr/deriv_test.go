package expr_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneExpr is the model x' = src, y' = x over states x, y, parameter a, constant
// F = 0.3 and time t.
func oneExpr(t testing.TB, src string) *expr.Model {
	return mustNew(t, expr.Spec{
		State:     []string{"x", "y"},
		Params:    []string{"a"},
		Constants: []expr.Constant{{Name: "F", Value: 0.3}},
		Equations: eqs("x", src, "y", "x"),
	})
}

// TestExpressions evaluates many expressions (every operator and function) at
// random points in x, y ∈ [0.3, 1.5], a ∈ [0.5, 1.5], t ∈ [0, 1], where every
// one is defined and away from the kinks of abs, min and max. f must match the
// same formula written in Go up to rounding (simplification may fold constants
// differently: 1e-13 relative), and the symbolic derivatives must match central
// differences (the checker's 1e-8 class of error; 1e-6 leaves room).
func TestExpressions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		src  string
		want func(x, y, a, t float64) float64
	}{
		{"x + y", func(x, y, a, t float64) float64 { return x + y }},
		{"x - y - a", func(x, y, a, t float64) float64 { return x - y - a }},
		{"x*y*a", func(x, y, a, t float64) float64 { return x * y * a }},
		{"x/y/a", func(x, y, a, t float64) float64 { return x / y / a }},
		{"(x + y)/(x - 2*y)", func(x, y, a, t float64) float64 { return (x + y) / (x - 2*y) }},
		{"-x^2 + 3*x^3 - x^-2", func(x, y, a, t float64) float64 { return -x*x + 3*x*x*x - 1/(x*x) }},
		{"x^y", func(x, y, a, t float64) float64 { return math.Pow(x, y) }},
		{"x^2.5 + 2^x + x^y^a", func(x, y, a, t float64) float64 {
			return math.Pow(x, 2.5) + math.Pow(2, x) + math.Pow(x, math.Pow(y, a))
		}},
		{"pow(x*y, a) + pow(y, 7)", func(x, y, a, t float64) float64 { return math.Pow(x*y, a) + math.Pow(y, 7) }},
		{"sin(x*y) + cos(a*x)", func(x, y, a, t float64) float64 { return math.Sin(x*y) + math.Cos(a*x) }},
		{"tan(x) - tan(y)^2", func(x, y, a, t float64) float64 { return math.Tan(x) - math.Pow(math.Tan(y), 2) }},
		{"exp(-a*x)*exp(y)", func(x, y, a, t float64) float64 { return math.Exp(-a*x) * math.Exp(y) }},
		{"log(x) + log(1 + y^2)/a", func(x, y, a, t float64) float64 { return math.Log(x) + math.Log(1+y*y)/a }},
		{"sqrt(x) + sqrt(x*y + a)", func(x, y, a, t float64) float64 { return math.Sqrt(x) + math.Sqrt(x*y+a) }},
		{"abs(x - 0.9)*abs(y)", func(x, y, a, t float64) float64 { return math.Abs(x-0.9) * math.Abs(y) }},
		{"tanh(a*x) + sinh(y) - cosh(x/a)", func(x, y, a, t float64) float64 {
			return math.Tanh(a*x) + math.Sinh(y) - math.Cosh(x/a)
		}},
		{"min(x, y) + max(a*x, y)", func(x, y, a, t float64) float64 { return math.Min(x, y) + math.Max(a*x, y) }},
		{"F*sin(a*t) - x", func(x, y, a, t float64) float64 { return 0.3*math.Sin(a*t) - x }},
		{"1/(1 + exp(-(x - y)/a))", func(x, y, a, t float64) float64 { return 1 / (1 + math.Exp(-(x-y)/a)) }},
		{"exp(sin(x))*log(y + a)/sqrt(x)", func(x, y, a, t float64) float64 {
			return math.Exp(math.Sin(x)) * math.Log(y+a) / math.Sqrt(x)
		}},
		{"a*x/(y + x) - 2*(x - y)^2", func(x, y, a, t float64) float64 { return a*x/(y+x) - 2*(x-y)*(x-y) }},
		{"+x - -y", func(x, y, a, t float64) float64 { return x + y }},
		{"t", func(x, y, a, t float64) float64 { return t }},
		{"exp(-a*t)*x + t^2*y", func(x, y, a, t float64) float64 { return math.Exp(-a*t)*x + t*t*y }},
		{"sqrt(t + x)/(1 + t) - tan(t)*log(1 + t)", func(x, y, a, t float64) float64 {
			return math.Sqrt(t+x)/(1+t) - math.Tan(t)*math.Log(1+t)
		}},
		{"x^t + cosh(a*t)*tanh(t*y)", func(x, y, a, t float64) float64 {
			return math.Pow(x, t) + math.Cosh(a*t)*math.Tanh(t*y)
		}},
		{"2.5e-1", func(x, y, a, t float64) float64 { return 0.25 }},
	} {
		t.Run(tc.src, func(t *testing.T) {
			m := oneExpr(t, tc.src)
			f := make([]float64, 2)
			for range 20 {
				x, y := 0.3+1.2*rng.Float64(), 0.3+1.2*rng.Float64()
				a, tt := 0.5+rng.Float64(), rng.Float64()
				z, th := []float64{x, y}, []float64{a}
				m.Func(f, tt, z, th)
				want := tc.want(x, y, a, tt)
				assert.InDelta(t, want, f[0], 1e-13*math.Max(1, math.Abs(want)))
				worst, err := dynamics.CheckDerivatives(m, tt, z, th)
				require.NoError(t, err)
				assert.Less(t, worst, 1e-6)
				// ∂f/∂t, zero where t does not appear: the same class of error.
				worst, err = dynamics.CheckTimeDerivative(m, tt, z, th)
				require.NoError(t, err)
				assert.Less(t, worst, 1e-6)
			}
			require.NoError(t, m.Err())
		})
	}
}

// TestSimplify lists what the simplifier makes of small inputs.
func TestSimplify(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"x*1", "x"}, {"1*x", "x"}, {"x*0", "0"}, {"x+0", "x"}, {"0+x", "x"},
		{"x-0", "x"}, {"0-x", "-x"}, {"0/x", "0"}, {"x/1", "x"}, {"x/-1", "-x"},
		{"x^1", "x"}, {"x^0", "1"}, {"-(-x)", "x"}, {"--x", "x"}, {"x-x", "0"},
		{"x+x", "2*x"}, {"x*x", "x^2"}, {"2*3*x", "6*x"}, {"2*(3*x)", "6*x"},
		{"x*2", "2*x"}, {"(1+2)*x", "3*x"}, {"F*x", "0.3*x"}, {"sin(0) + exp(0)", "1"},
		{"-(x-y)", "y - x"}, {"x + -y", "x - y"}, {"x - -y", "x + y"}, {"x + -2", "x - 2"},
		{"(-x)*y", "-(x*y)"}, {"x/(-y)", "-(x/y)"}, {"abs(-x)", "abs(x)"},
		{"x^-1", "1/x"}, {"pow(x, 3)", "x^3"}, {"2^10", "1024"}, {"min(x, x)", "x"},
		{"x*y - y*x", "0"}, // products are ordered, so equal ones are one node
		{"(6*x)/3", "2*x"},
		{"-x^2", "-x^2"}, {"(-2)^y", "(-2)^y"}, {"x^y^2", "x^y^2"}, {"(x^y)^2", "(x^y)^2"},
		{"x - (y - a)", "x - (y - a)"}, {"x/(y/a)", "x/(y/a)"},
		// Non-finite constants are not folded, so evaluation reports them.
		{"log(-1)", "log(-1)"}, {"1/0", "1/0"}, {"1e300*1e300", "1e+300^2"},
	} {
		assert.Equal(t, tc.want, oneExpr(t, tc.src).Equation(0), tc.src)
	}
}

// TestPartials lists symbolic derivatives: shared pieces (exp, tanh, sqrt, the
// quotient) are reused, zero terms vanish.
func TestPartials(t *testing.T) {
	for _, tc := range []struct{ src, wrt, want string }{
		{"x^3", "x", "3*x^2"},
		{"x*x", "x", "2*x"},
		{"exp(a*x)", "x", "a*exp(x*a)"},
		{"exp(a*x)", "a", "x*exp(x*a)"},
		{"log(x)", "x", "1/x"},
		{"sqrt(x)", "x", "1/(2*sqrt(x))"},
		{"x/y", "y", "-(x/y/y)"},
		{"tanh(x)", "x", "1 - tanh(x)^2"},
		{"tan(x)", "x", "tan(x)^2 + 1"},
		{"cos(x)", "x", "-sin(x)"},
		{"abs(x)", "x", "sign(x)"},
		{"min(x, y)", "y", "if(x <= y, 0, 1)"},
		{"x^y", "y", "x^y*log(x)"},
		{"2^x", "x", "0.6931471805599453*2^x"},
		{"exp(-x^2/2)", "x", "-(x*exp(-(x^2/2)))"},
		{"x + y", "a", "0"},
		{"F*sin(a*t)", "a", "0.3*(t*cos(t*a))"},
		{"F*sin(a*t)", "t", "0.3*(a*cos(t*a))"},
		{"x*t^2 + exp(-t)", "t", "x*(2*t) - exp(-t)"},
		{"x + y", "t", "0"},
	} {
		got, err := oneExpr(t, tc.src).Partial("x", tc.wrt)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "∂(%s)/∂%s", tc.src, tc.wrt)
	}
	m := oneExpr(t, "x")
	_, err := m.Partial("z", "x")
	assert.ErrorContains(t, err, `unknown state "z"`)
	_, err = m.Partial("x", "aa")
	assert.ErrorContains(t, err, `unknown state or parameter "aa" (did you mean "a"?)`)
}

// TestRoundTrip: Equation prints an expression that parses back to the same
// value, bit for bit (commutative operands may come back in another order,
// which is exact).
func TestRoundTrip(t *testing.T) {
	z, th := []float64{0.7, 1.3}, []float64{0.9}
	for _, src := range []string{
		"x - (y - a)", "x/(y/a)", "(x^y)^2", "x^-y^2", "(-2)^a*x", "-x^2*y",
		"a*x*y + 2", "-(x*y)/-a", "exp(-(x - y)^2/a)", "x^3 - 2*x^-3", "min(x, -y) - max(-a, x^2)",
	} {
		m := oneExpr(t, src)
		back := oneExpr(t, m.Equation(0))
		f, g := make([]float64, 2), make([]float64, 2)
		m.Func(f, 0.5, z, th)
		back.Func(g, 0.5, z, th)
		assert.Equal(t, math.Float64bits(f[0]), math.Float64bits(g[0]), "%s → %s", src, m.Equation(0))
	}
}
