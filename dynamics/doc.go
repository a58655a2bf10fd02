// Package dynamics defines the Dynamics interface every physid model implements,
// a few small built-in systems, and a derivative checker.
//
// A model is dz/dt = f(t, z, θ). Besides f it supplies two analytic derivatives:
// the Jacobian-vector product (JVP), ∂f/∂z·v_z + ∂f/∂θ·v_θ, used by forward
// sensitivities, and the vector-Jacobian product (VJP), uᵀ∂f/∂z and uᵀ∂f/∂θ, used by
// every reverse-mode gradient method (ACA, adjoint, naive). Derivatives are derived by
// hand or symbolically, never by finite differences; CheckDerivatives compares them
// with central finite differences so that a user can prove a model of their own.
//
// A non-autonomous model (f depends on t explicitly) also implements
// TimeDerivative, ∂f/∂t, which reverse mode through an adaptive solver needs
// because the stage times depend on the parameters through the step sizes;
// CheckTimeDerivative proves it, and proves ∂f/∂t = 0 for a model without it.
// The built-ins, nbody and the learned fields are autonomous.
//
// Built-ins (state and parameter names in brackets):
//
//	Exponential    dz/dt = k·z                                   [z] [k]
//	VanDerPol      x' = v, v' = μ(1−x²)v − x                     [x v] [mu]
//	LotkaVolterra  prey' = α·prey − β·prey·pred,
//	               pred' = δ·prey·pred − γ·pred                  [prey predator] [alpha beta delta gamma]
//	Linear         dz/dt = A·z, A (n×n, row-major) is θ          [z1..zn] [a11 a12 .. ann]
//
// Inputs: a Signal is a sampled input u(t) (zero-order Hold or linear
// interpolation) to read inside Func, allocation-free; a model whose f jumps
// at known times (the samples of a held input) reports them through the
// optional Breakpointer interface, and solvers stop there instead of stepping
// across the jump. Signal.Check, called from a StateChecker, turns an input
// needed outside its samples into an error naming the input and the time.
//
// The package imports no other physid package.
package dynamics
