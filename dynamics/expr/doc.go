// Package expr builds a dynamics.Dynamics from right-hand sides written as text,
// the way scenario files state them:
//
//	m, err := expr.New(expr.Spec{
//		State:     []string{"x", "v"},
//		Params:    []string{"k", "c", "w"},
//		Constants: []expr.Constant{{Name: "F", Value: 0.3}},
//		Equations: []expr.Equation{
//			{Name: "x", Expr: "v"},
//			{Name: "v", Expr: "-k*x - c*v + F*sin(w*t)"},
//		},
//	})
//
// New parses each equation, differentiates it symbolically with respect to
// every state and parameter and to t, and compiles f, its Jacobian and ∂f/∂t
// into straight-line code (no ∂f/∂t program when no equation mentions t). The
// resulting *Model implements dynamics.Dynamics with exact analytic JVP and
// VJP, and also dynamics.Named, dynamics.StateChecker, dynamics.Cloner and
// dynamics.TimeDerivative.
//
// # Grammar
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/") unary }
//	unary   = ("-" | "+") unary | power
//	power   = primary [ "^" unary ]
//	primary = number | name | name "(" expr { "," expr } ")" | "(" expr ")"
//
// From loosest to tightest: + and − (left-associative), * and / (left-
// associative), unary signs, ^ (right-associative: a^b^c = a^(b^c)). A unary
// minus binds more loosely than ^, so -x^2 = -(x^2), while an exponent may
// carry its own sign: 2^-x. Numbers are decimal with an optional point and
// exponent: 3, 2., .5, 1e-3, 6.02E+23. Names start with a letter (any Unicode
// letter) or _ and go on with letters, digits and _. A name is a state, a
// parameter, a constant, or t, the time, which every equation may use.
// Constants are substituted when the model is built. Spaces are ignored.
// Implicit multiplication (2x) and ** are errors with a hint.
//
// # Functions
//
//	sin cos tan exp log sqrt abs tanh sinh cosh   one argument
//	pow(a, b) = a^b   min(a, b)   max(a, b)       two arguments
//
// log is the natural logarithm. The derivative of abs at 0 is taken as 0; that of
// min and max follows the argument they return (the first on ties).
//
// # Errors
//
// A mistake in an expression is a *SyntaxError with the equation's name, the
// expression, a 1-based column (in characters) and a message; its Error shows
// the expression with a caret under the column. An unknown name suggests the
// nearest declared one by edit distance and lists the allowed names; an unknown
// function likewise. Mistakes in the Spec itself (a missing or extra equation,
// a name declared twice, a bad name or constant) are *SpecError values wrapping
// sentinel errors for errors.Is.
//
// Run-time domain errors — log of a non-positive value, sqrt of a negative one,
// division by zero, a negative base to a non-integer power, a non-finite
// component of f — cannot be returned by Func, so the model records them
// without allocating: which equation, what, at which t, and whether only a
// derivative failed. Solvers call CheckState after each accepted step; if an
// evaluation since the previous check recorded an error, CheckState evaluates f
// at the accepted point and returns a *DomainError if f fails there too (a
// failure at a trial step that the solver rejected is no error). Err returns
// the latest error recorded, to explain a solve that failed before CheckState
// could speak.
//
// # Differentiation
//
// Expressions become nodes of one graph per model. Nodes are hash-consed: equal
// subtrees are one node, so f and all its partials share their common
// subexpressions (the exp(u) of d exp(u) = exp(u)·du, the quotient in
// d(a/b) = (da − (a/b)·db)/b, tanh in 1 − tanh², the 1 − x² of van der Pol
// both in f and in its partials). Constructors simplify as they build: constant
// folding (when the result is finite), x+0, x·1, x·0, 0/x, x/1, x^1, x^0, x−x,
// −(−x), integer powers turned into products, signs pulled out of products and
// quotients, c₁·(c₂·x) = (c₁c₂)·x. Only the partials that are not identically
// zero are kept. Equation and Partial print the results; derivatives of abs,
// min and max print with the internal forms sign(x) and if(a <= b, c, d).
//
// # Compiled form
//
// Each model holds three programs: f, the nonzero partials (the Jacobian), and
// the partials with respect to z only. A program is a flat slice of
// register-machine instructions over one preallocated workspace: inputs t, z
// and θ, the constants, then one slot per instruction. Products that feed
// only one sum are fused into it (a·b + c, a·b − c·d, a·b·c − d, a·b·c ±
// d·e·f); the fused forms round exactly as the separate operations would. A
// Jacobian entry that is a negation or a product used nowhere else costs no
// instruction: the loop that multiplies the entries by the direction (JVP) or
// the cotangent (VJP) applies the sign and the product, with the same rounding.
// Evaluation touches no map, makes no interface or closure call per
// instruction, and allocates nothing.
//
// Models whose workspace fits 256 slots (nearly every hand-written system)
// run in the small form: one-byte slot indices into a *[256]float64, which
// need no bounds check, 8-byte instructions, and the interpreter loop written
// out inside Func, JVP and VJP, since a call to a shared one would cost about
// as much as evaluating a small system. Function calls (sin, exp, …) and
// domain checks leave the loop for an out-of-line step. Larger models run in
// the wide form: 32-bit indices masked by the power-of-two workspace size.
// Both forms give the same bits.
//
// A Model is therefore not safe for concurrent use: give each goroutine its own
// Clone, which shares the programs and owns a workspace.
//
// Speed, as BenchmarkExprVanDerPol, BenchmarkExprLotkaVolterra and
// BenchmarkExprLorenz report it ("x-handwritten": the median ratio to the
// hand-written model over interleaved rounds): an evaluation costs a fixed
// 4–5 ns (the call, the length checks, loading t, z and θ, reading the
// outputs) plus about 1.5 ns per instruction, against 1–3 ns for the whole
// hand-written dynamics.VanDerPol. On a shared, loaded 2-core machine Func
// measured 2.9–3.4× the hand-written van der Pol and VJP 3.3×, Lotka–Volterra
// 3.0–3.1× and 2.8–2.9×, Lorenz 3.8× and 2.8× (JVP 3.2–4.5×); the engine
// before the small form measured 3.9× and 3.7× on van der Pol in the same
// runs. The ratios move by ±10% with the machine's load.
package expr
