// Package scenarios reads scenario files: one TOML file describes an ODE
// system, its parameters, an initial state, observations and how to solve and
// differentiate, and Load turns it into what the numeric packages take — an
// aca.Problem at the parameters' init values, the solver settings and the
// gradient method. The package has no numerics of its own.
//
// # Schema
//
// Keys are case-sensitive; a key not listed here is an error. README.md in
// this directory is the same reference with an example.
//
//	name = "van der Pol"   # optional; default: the file name without .toml
//
//	[system]               # required
//	kind = "vanderpol"     # required: exponential | vanderpol | lotka_volterra | linear |
//	                       # nbody | expression
//	n = 3                  # kind linear only, required: the state dimension (1..100)
//
// The kinds and their names (states; parameters):
//
//	exponential     dz/dt = k·z                          z; k
//	vanderpol       x' = v, v' = mu·(1−x²)·v − x          x, v; mu
//	lotka_volterra  prey' = alpha·prey − beta·prey·predator,
//	                predator' = delta·prey·predator − gamma·predator
//	                                                     prey, predator; alpha, beta, delta, gamma
//	linear          dz/dt = A·z, A row-major             z1..zn; a11, a12, …, ann
//	                                                     (a1_1, …, for n ≥ 10)
//
// Kind expression takes the right-hand side from the file (see Expression
// systems below); kind nbody is N-body gravity with keys of its own (nbody.go).
//
//	[[parameters]]         # one table per parameter of the kind, in any order
//	name = "mu"            # required: a parameter name of the kind
//	value = 1.0            # optional: the true value, reported beside fits
//	init = 1.5             # optional: where gradients are taken and fits start; default: value
//	min = 0.0              # optional bounds; default −inf and +inf (inf is allowed)
//	max = 10.0
//	fixed = false          # optional: fits hold the parameter at init; default false.
//	                       # Gradients are still reported for fixed parameters.
//
// Every parameter of the kind needs a table (there is no default value), and
// each table needs value or init. min ≤ max, and init (or value, when init is
// absent) must lie in [min, max].
//
//	[initial_state]        # required
//	z0 = [2.0, 0.0]        # required: one number per state, in state order
//	t0 = 0.0               # optional: the initial time; default 0
//
//	[data]                 # required
//	observe = ["x", "v"]   # optional: observed state names, each at most once; default: all states
//	t = [0.5, 1.0]         # observation times: strictly increasing, first ≥ t0
//	z = [[1.2, -0.3], [0.4, -1.1]]   # one row per time, one value per observed state
//	file = "obs.csv"       # instead of t and z: a CSV file
//
// The CSV file's path is relative to the scenario file. Its first line is a
// header of column names; it needs a column t and one per observed state,
// matched by name in any order (other columns are ignored). Each further line
// is one observation time; blank lines and lines starting with # are skipped.
// All numbers, inline or in the CSV, must be finite.
//
//	[loss]                 # optional
//	time_weight = 1.0      # an observation at time t weighs time_weight^t; > 0; default 1
//
// The loss is L = (1/K) Σ_k w(t_k) Σ_{c observed} (z_c(t_k) − y_kc)² with
// w(t) = time_weight^t (aca.LeastSquares, aca.TimeWeights); the paper uses 0.01.
//
//	[solver]               # optional
//	method = "dopri5"      # euler | rk2 | rk4 | heuneuler | rk23 | rk45 | dopri5 | tsit5; default dopri5
//	rtol = 1e-7            # ≥ 0; 0 or absent means 1e-6 (adaptive methods only)
//	atol = 1e-7            # ≥ 0; 0 or absent means 1e-9 (adaptive methods only)
//	step = 0.0             # ≥ 0; the step of a fixed method (0: 1/100 of the span) or
//	                       # the initial step of an adaptive one (0: automatic)
//	max_steps = 1000000    # ≥ 0; bound on attempted steps; 0 or absent means 100000
//	land = false           # true: every step ends on each observation time; false (default):
//	                       # dopri5, tsit5 and rk23 interpolate them with their dense output
//
//	[gradient]             # optional
//	method = "aca"         # aca | adjoint | naive | forward; default aca
//
// # Expression systems
//
// Kind expression states the system as text, compiled by dynamics/expr into a
// model with exact symbolic JVP and VJP:
//
//	[system]
//	kind = "expression"
//	state = ["x", "v"]                 # required: the state names, the order of z
//	[system.constants]                 # optional: name = finite number
//	F = 0.3
//	[system.equations]                 # required: one per state, dx/dt = "expression"
//	x = "v"
//	v = "-k*x - c*v + F*sin(w*t)"
//	[[parameters]]                     # θ: the names of these tables, in file order
//	name = "k"
//	value = 1.0                        # ... and one table each for c and w
//
// Every name an equation uses is a state, a parameter (a [[parameters]] table
// declares it; for this kind the file, not the model, defines the parameters),
// a constant, or t, the time. Names are identifiers (letters, digits and _,
// not starting with a digit), distinct across roles, and neither t nor a
// function name.
//
// Grammar, loosest to tightest: + and − (left-associative), * and / (left-
// associative), unary + and −, ^ (right-associative; -x^2 = -(x^2), 2^-x is
// allowed); parentheses; numbers such as 3, 2., .5, 1e-3; function calls.
// Functions: sin cos tan exp log sqrt abs tanh sinh cosh (one argument; log
// is natural), pow(a, b), min(a, b), max(a, b). 2x and x**2 are errors.
//
// Errors in an equation name the file, the line of the equation's key and
// the column inside the expression, then show the expression with a caret:
//
//	osc.toml:17: system.equations.v: col 22: unknown name "tt" (did you mean "t"?) (allowed: ...)
//		-k*x - c*v + F*sin(w*tt)
//		                     ^
//
// An unknown name or function suggests the nearest declared one. A state
// without an equation is reported at [system.equations], an equation for a
// name that is not a state at its key, a bad or duplicate name at its
// declaration (system.state[i], system.constants.NAME, parameters[i].name).
// At run time, a domain error (log or sqrt of a negative value, division by
// zero, a negative base to a non-integer power, a non-finite f) stops the
// solve with an error naming the equation and the time.
//
// # Errors
//
// Every mistake is an *Error formatted
//
//	FILE:LINE: FIELD: problem (allowed: ...)
//
// FIELD is the dotted path of the key with 0-based indices (solver.rtol,
// parameters[1].init, data.z[3][0]); the allowed part appears where there is a
// short list (names, methods, keys of the table). Mistakes in a CSV file name
// that file, its line and the column (or header or row). The line is left out
// only when nothing in the file marks the place, e.g. for a missing table.
// Lines of semantic errors come from a scan of the source for the key within
// its table (BurntSushi/toml reports lines for syntax errors only); the scan
// understands tables, arrays of tables, dotted keys, inline tables and
// multi-line arrays and strings.
//
// # Extending
//
// A new system kind is one entry in the kinds table: a function that reads the
// kind's own keys of [system] and returns the model (or, for a kind whose
// parameters the file declares, as expression's, one that also gets the
// [[parameters]] names), and optionally one that reads [initial_state]. New top-level tables are read in (*decoder).scenario
// with the same strict table readers, which report unknown keys by themselves.
package scenarios
