// Package identify fits the unknown parameters θ of an ODE model to observed
// trajectories and measures how well the fit extrapolates.
//
// The objective is weighted least squares over observation times,
//
//	L(θ) = (1/K) Σ_k w_k Σ_c (z_c(t_k; θ) − y_kc)²,
//
// with gradients from package aca (Problem.Method; ACA by default).
//
// With Problem.Experiments the problem is a likelihood over several runs:
// each Experiment has its own model (its inputs), initial time, initial
// state z0(θ) (InitialState: an unknown initial state is a parameter),
// data and observables y = h(t, z, θ) (Observation) with a noise model
// (Observable: gaussian or lognormal, σ known or a parameter). The
// objective is the negative log-likelihood
//
//	NLL(θ) = Σ_e Σ_k Σ_j ½ r_ekj² + log σ_j,  r = (y − h)/σ or (log y − log h)/σ,
//
// summed over the experiments in order after solving them in parallel (the
// result does not depend on GOMAXPROCS). Its gradient is each experiment's
// dL/dθ plus dL/dz0·∂z0/∂θ plus the direct ∂L/∂θ through h and σ. Parameters
// listed in an experiment's Local belong to it; a Holdout experiment is left
// out of the fit and afterwards only its local parameters are fitted, and
// Result.Experiments measures every experiment (RMSE, NRMSE, fit percent).
// LM sees residuals ρ = r/√2 and one row √(n·log(σ/c)) per estimated σ, so
// that Σρ² is the NLL up to a constant; its covariance is the inverse Fisher
// information (2JᵀJ)⁻¹ unless Problem.UnknownScale.
//
// The
// optimizer is a value passed to Fit, each with its own settings:
//
//   - LM (the default): projected Levenberg–Marquardt on the weighted residuals
//     with box constraints in the parameters' own coordinates (Kanzow,
//     Yamashita & Fukushima 2004), the Jacobian from forward sensitivities
//     (aca.Forward), after a continuation over growing leading windows of the
//     observations.
//   - LBFGS: limited-memory BFGS from gonum/optimize.
//   - Adam: Adam (Kingma & Ba 2015), one full-batch gradient per epoch, with an
//     exponential learning-rate decay: the paper's three-body training.
//
// Options holds what every optimizer shares (epochs, tolerances, starts).
// Adam and L-BFGS see bounds through smooth transforms (scaled sigmoid,
// softplus), which approach a bound but never reach it; LM reaches it.
//
// Every start is judged by one first-order optimality test in θ, whichever
// optimizer ran: with r the weighted residuals and J their Jacobian, the
// largest |(Jᵀr)_j|/(‖J_j‖‖r‖) over the parameters not held at a bound (a
// parameter at a bound whose gradient pushes outward is held) must be below
// Options.GradTol (1e-6): the projected gradient, scaled so that it does not
// depend on the units of parameters or data (MINPACK's gtol). Only then is the
// status "converged"; otherwise it says why the optimizer stopped (max_epochs,
// loss_tol, stalled).
//
// Uncertainty: EstimateCovariance gives the classic s²(JᵀWJ)⁻¹ or the
// sandwich (White 1980) covariance from an SVD of the column-scaled Jacobian,
// with a stated reason where a standard error cannot be given (fixed, at a
// bound, not identifiable: the parameters of the null space of JᵀJ named).
// Multi-start: start 0 is the init, the others a Latin hypercube inside the
// bounds (StartPoints), run on parallel goroutines; results do not depend on
// scheduling. A context ends a fit after the current epoch with the best
// parameters so far, and an Adam fit can resume from the state it saved.
package identify
