package expr_test

import (
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/dynamics/expr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecErrors(t *testing.T) {
	base := func() expr.Spec {
		return expr.Spec{
			State:     []string{"x", "v"},
			Params:    []string{"k", "mu"},
			Constants: []expr.Constant{{Name: "F", Value: 0.3}},
			Equations: eqs("x", "v", "v", "-k*x + F"),
		}
	}
	for _, tc := range []struct {
		name   string
		edit   func(*expr.Spec)
		sent   error
		role   string
		bad    string
		errMsg string
	}{
		{"no states", func(s *expr.Spec) { s.State, s.Equations = nil, nil },
			expr.ErrNoStates, "state", "", "no states"},
		{"empty name", func(s *expr.Spec) { s.Params = []string{"k", ""} },
			expr.ErrBadName, "parameter", "", "empty parameter name"},
		{"not an identifier", func(s *expr.Spec) { s.State[1] = "2v" },
			expr.ErrBadName, "state", "2v", `state name "2v" is not an identifier`},
		{"function name", func(s *expr.Spec) { s.Constants[0].Name = "exp" },
			expr.ErrBadName, "constant", "exp", `constant name "exp" is a function name`},
		{"t reserved", func(s *expr.Spec) { s.Params[0] = "t" },
			expr.ErrDuplicateName, "parameter", "t", `parameter name "t" is reserved for time`},
		{"state twice", func(s *expr.Spec) { s.State = []string{"x", "x"} },
			expr.ErrDuplicateName, "state", "x", `state "x" is already declared as a state`},
		{"parameter is a state", func(s *expr.Spec) { s.Params[1] = "v" },
			expr.ErrDuplicateName, "parameter", "v", `parameter "v" is already declared as a state`},
		{"constant is a parameter", func(s *expr.Spec) { s.Constants[0].Name = "mu" },
			expr.ErrDuplicateName, "constant", "mu", `constant "mu" is already declared as a parameter`},
		{"bad constant", func(s *expr.Spec) { s.Constants[0].Value = math.Inf(1) },
			expr.ErrBadConstant, "constant", "F", `constant "F" is +Inf`},
		{"unknown equation", func(s *expr.Spec) { s.Equations[1].Name = "vv" },
			expr.ErrUnknownEquation, "equation", "vv", `equation for unknown state "vv" (did you mean "v"?) (states: x, v)`},
		{"equation for a parameter", func(s *expr.Spec) { s.Equations = append(s.Equations, expr.Equation{Name: "k", Expr: "0"}) },
			expr.ErrUnknownEquation, "equation", "k", `equation for "k", which is a parameter, not a state (states: x, v)`},
		{"two equations", func(s *expr.Spec) { s.Equations = append(s.Equations, expr.Equation{Name: "x", Expr: "0"}) },
			expr.ErrDuplicateName, "equation", "x", `two equations for state "x"`},
		{"missing equation", func(s *expr.Spec) { s.Equations = s.Equations[:1] },
			expr.ErrMissingEquation, "state", "v", `no equation for state "v"; every state needs one`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := base()
			tc.edit(&spec)
			_, err := expr.New(spec)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sent)
			var se *expr.SpecError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.role, se.Role)
			assert.Equal(t, tc.bad, se.Name)
			assert.Contains(t, err.Error(), tc.errMsg)
		})
	}
}

// TestEquationSyntaxError: a parse error names its equation and column, so a
// caller can point at the file and line of that equation.
func TestEquationSyntaxError(t *testing.T) {
	_, err := expr.New(expr.Spec{
		State:     []string{"x", "v"},
		Params:    []string{"k", "mu"},
		Equations: eqs("x", "v", "v", "-k*x + mu2*v"),
	})
	var se *expr.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "v", se.Equation)
	assert.Equal(t, 8, se.Col)
	assert.Equal(t, "expr: equation \"v\": col 8: unknown name \"mu2\" (did you mean \"mu\"?) "+
		"(allowed: states x, v; parameters k, mu; time t)\n\t-k*x + mu2*v\n\t       ^", err.Error())
}

func TestDomainErrors(t *testing.T) {
	for _, tc := range []struct {
		src   string
		x     float64
		msg   string
		deriv bool // the failure is only in a derivative, so JVP finds it
	}{
		{"log(x)", -1, "log of non-positive value", false},
		{"log(x)", 0, "log of non-positive value", false},
		{"sqrt(x - 1)", 0.5, "sqrt of negative value", false},
		{"1/x", 0, "division by zero", false},
		{"x^0.5", -2, "negative base raised to a non-integer power", false},
		{"pow(x, -0.5)", 0, "zero raised to a negative power", false},
		{"x^-3", 0, "zero raised to a negative power", false},
		{"exp(x)", 1000, "non-finite value", false},
		{"sqrt(x)", 0, "division by zero", true}, // f = 0 is fine, its slope is not
	} {
		t.Run(tc.src, func(t *testing.T) {
			m := mustNew(t, expr.Spec{State: []string{"y", "x"}, Equations: eqs("x", "1", "y", tc.src)})
			z, f := []float64{0, tc.x}, make([]float64, 2)
			m.Func(f, 1.25, z, nil)
			if tc.deriv {
				require.NoError(t, m.CheckState(1.25, z, nil))
				m.JVP(f, 1.25, z, nil, []float64{0, 1}, nil)
			} else {
				assert.True(t, math.IsNaN(f[0]) || math.IsInf(f[0], 0))
				err := m.CheckState(1.25, z, nil)
				assert.EqualError(t, err, `expr: equation "y": `+tc.msg+" at t=1.25")
			}
			err := m.Err()
			assert.ErrorIs(t, err, expr.ErrDomain)
			var de *expr.DomainError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, expr.DomainError{Equation: "y", Index: 0, T: 1.25, Problem: tc.msg, Derivative: tc.deriv}, *de)
			m.Reset()
			assert.NoError(t, m.Err())
		})
	}
}

// TestDomainErrorFromRejectedTrial: an error at a trial point the solver
// rejected is not reported at the accepted point, where f is fine; Err still
// tells what happened, for when a solve fails anyway.
func TestDomainErrorFromRejectedTrial(t *testing.T) {
	m := mustNew(t, expr.Spec{State: []string{"x"}, Equations: eqs("x", "-sqrt(x)")})
	f := make([]float64, 1)
	m.Func(f, 0.5, []float64{-0.01}, nil) // an overshooting stage
	assert.NoError(t, m.CheckState(0.4, []float64{0.02}, nil))
	assert.NoError(t, m.CheckState(0.4, []float64{0.02}, nil))
	assert.EqualError(t, m.Err(), `expr: equation "x": sqrt of negative value at t=0.5`)
}

// TestDomainErrorRecords: at one time the first problem is kept (the log of
// −1, not the NaN it makes); across times Err reports the latest, and
// CheckState what happens at the point it is given.
func TestDomainErrorRecords(t *testing.T) {
	m := mustNew(t, expr.Spec{
		State:     []string{"a", "b", "c"},
		Equations: eqs("a", "1", "b", "log(a)", "c", "1/b"),
	})
	f := make([]float64, 3)
	m.Func(f, 2, []float64{-1, 0, 0}, nil) // log(−1) in "b", then 1/0 in "c"
	assert.EqualError(t, m.Err(), `expr: equation "b": log of non-positive value at t=2`)
	m.Func(f, 3, []float64{1, 0, 0}, nil) // 1/0 in "c" only
	assert.EqualError(t, m.Err(), `expr: equation "c": division by zero at t=3`)
	assert.EqualError(t, m.CheckState(3, []float64{1, 0, 0}, nil), `expr: equation "c": division by zero at t=3`)
	m.Func(f, 4, []float64{1, 1, 0}, nil) // fine: the record stays
	assert.Error(t, m.Err())
	m.Reset()
	assert.NoError(t, m.Err())
	assert.NoError(t, m.CheckState(4, []float64{1, 0, 0}, nil), "nothing pending: no evaluation")
}

// TestClone: clones share no mutable state, so goroutines can each run one
// (the race detector checks this under go test -race).
func TestClone(t *testing.T) {
	m := mustNew(t, everySpec)
	var _ dynamics.Cloner = m
	c := dynamics.Clone(m).(*expr.Model)
	f := make([]float64, 2)
	c.Func(f, 0, []float64{math.NaN(), 0}, []float64{1, 1})
	assert.Error(t, c.Err())
	assert.NoError(t, m.Err(), "the clone's domain error is its own")

	want := make([][]float64, 8)
	for k := range want {
		want[k] = make([]float64, 2)
		m.Func(want[k], float64(k), []float64{0.1 * float64(k), 0.5}, []float64{0.3, 0.7})
	}
	var wg sync.WaitGroup
	got := make([][]float64, 8)
	for k := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mk := dynamics.Clone(m)
			got[k] = make([]float64, 2)
			for range 1000 {
				mk.Func(got[k], float64(k), []float64{0.1 * float64(k), 0.5}, []float64{0.3, 0.7})
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, want, got)
}

func TestLengthMismatchPanics(t *testing.T) {
	m := mustNew(t, vanDerPolSpec)
	assert.PanicsWithValue(t, "expr: Func: slice lengths do not match the model (dim 2, 1 params); "+
		"got len(dst)=2 len(z)=3 len(theta)=1 (or a direction/cotangent of the wrong length)", func() {
		m.Func(make([]float64, 2), 0, make([]float64, 3), make([]float64, 1))
	})
	assert.Panics(t, func() { m.JVP(make([]float64, 2), 0, make([]float64, 2), make([]float64, 1), make([]float64, 1), nil) })
	assert.Panics(t, func() {
		m.VJP(make([]float64, 2), make([]float64, 2), 0, make([]float64, 2), make([]float64, 1), make([]float64, 2))
	})
}

// TestStateCheckerInterface: the model is what solvers look for.
func TestStateCheckerInterface(t *testing.T) {
	var d dynamics.Dynamics = mustNew(t, vanDerPolSpec)
	_, ok := d.(dynamics.StateChecker)
	assert.True(t, ok)
	_, ok = d.(dynamics.Named)
	assert.True(t, ok)
	assert.True(t, errors.Is(&expr.DomainError{}, expr.ErrDomain))
}
