package dynamics

// Dynamics is an ODE right-hand side dz/dt = f(t, z, θ) with analytic derivatives.
//
// Every method writes into (or adds to) caller-owned slices and must not allocate:
// solvers and gradient methods call them millions of times. Slice lengths are
// Dim() for states and NumParams() for parameters; mismatches are programmer errors.
type Dynamics interface {
	// Dim is the length of the state z.
	Dim() int
	// NumParams is the length of the parameter vector θ.
	NumParams() int
	// Func writes f(t, z, θ) into dst.
	Func(dst []float64, t float64, z, theta []float64)
	// JVP writes ∂f/∂z·vz + ∂f/∂θ·vtheta into dst (forward sensitivities).
	// A nil vtheta means zero.
	JVP(dst []float64, t float64, z, theta, vz, vtheta []float64)
	// VJP adds uᵀ∂f/∂z into dz and uᵀ∂f/∂θ into dtheta (reverse mode).
	// It adds; it does not overwrite. A nil dtheta skips the parameter part.
	VJP(dz, dtheta []float64, t float64, z, theta, u []float64)
}

// Named is an optional interface for models whose states and parameters have names.
// Scenario files, tables and CSV headers use these names.
type Named interface {
	// StateNames returns Dim() names, one per state component.
	StateNames() []string
	// ParamNames returns NumParams() names, one per parameter.
	ParamNames() []string
}

// StateChecker is an optional interface for models with a domain: solvers call
// CheckState after every accepted step and stop with its error. N-body gravity uses
// it to report a close encounter (naming the bodies and the time) before the
// right-hand side overflows; expression models use it to report a domain error.
type StateChecker interface {
	// CheckState returns a non-nil error when z at time t is outside the model's domain.
	CheckState(t float64, z, theta []float64) error
}

// ErrReporter is an optional interface for models that record why an
// evaluation of f or of a derivative left their domain (an expression's sqrt
// at 0, whose slope is infinite, say). Gradient methods ask it when a gradient
// comes out non-finite, so the error names the equation and the time instead
// of leaving a NaN.
type ErrReporter interface {
	// Err returns the latest recorded domain error, or nil.
	Err() error
}

// Cloner is an optional interface for models that keep a workspace and so are
// not safe for concurrent use: code that runs a model on several goroutines
// (parallel restarts, parallel training runs) calls Clone once per goroutine.
// Stateless models need not implement it.
type Cloner interface {
	// Clone returns an independent copy that shares no mutable state.
	Clone() Dynamics
}

// Clone returns m.Clone() when m implements Cloner, else m itself.
func Clone(m Dynamics) Dynamics {
	if c, ok := m.(Cloner); ok {
		return c.Clone()
	}
	return m
}

// TimeDerivative is an optional interface for non-autonomous models, whose f
// depends on t explicitly (a forcing term cos(ω·t), say). Reverse mode through
// an adaptive solver (aca.Naive) needs it: there the time of every stage,
// t + c_s·h, depends on the parameters through the step sizes, so the gradient
// carries a term (∂f/∂t)·dt/dθ at each stage.
//
// A model that does not implement it is taken to be autonomous (∂f/∂t = 0),
// which is exact for every built-in of this package, for nbody and for the
// learned fields; expression models (dynamics/expr) implement it.
type TimeDerivative interface {
	// DfDt writes ∂f/∂t at (t, z, θ) into dst, with z and θ held fixed. Like
	// Func it must not allocate.
	DfDt(dst []float64, t float64, z, theta []float64)
}
