// Package identify fits the unknown parameters θ of an ODE model to observed
// trajectories and measures how well the fit extrapolates.
//
// The objective is weighted least squares over observation times,
//
//	L(θ) = (1/K) Σ_k w_k Σ_c (z_c(t_k; θ) − y_kc)²,
//
// with gradients from package aca (Problem.Method; ACA by default). The
// optimizer is a value passed to Fit, each with its own settings:
//
//   - Adam: Adam (Kingma & Ba 2015), one full-batch gradient per epoch, with an
//     exponential learning-rate decay: the paper's three-body training.
//   - LBFGS: limited-memory BFGS from gonum/optimize.
//   - LM: Levenberg–Marquardt on the weighted residuals, with the Jacobian from
//     forward sensitivities (aca.Forward, Result.Sensitivities).
//
// Options holds what every optimizer shares (epochs, tolerances, starts).
// Bounds are enforced by smooth transforms (scaled sigmoid, softplus), never by
// clipping. Standard errors come from the Gauss–Newton (sandwich) covariance at
// the optimum. Multi-start runs seeded starts on parallel goroutines; each start
// seeds its own generator from (seed, start index), so results do not depend on
// scheduling. A context ends a fit after the current epoch with the best
// parameters so far, and a fit can resume from the state it saved.
package identify
