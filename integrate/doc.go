// Package integrate solves dz/dt = f(t, z, θ) with Runge–Kutta methods kept as
// data, a step-size controller kept as a value, and a record of every attempted
// step for callers that need one (a Recorder). It knows nothing of what its
// callers do with the solution.
//
// # Methods
//
// Each Tableau is a Butcher tableau: stages Y_s = z + h Σ_{j<s} A[s][j] K_j
// (j ≤ s for an implicit tableau),
// K_s = f(t + C[s] h, Y_s), new state z + h Σ B[s] K_s and, for an adaptive
// pair, local error estimate h Σ BErr[s] K_s with BErr = B − B̂. One generic
// stepper reads every table; FSAL is computed from the numbers.
//
//   - Euler: explicit Euler, order 1 (Euler, Institutiones calculi integralis, 1768).
//   - RK2: the explicit midpoint rule, order 2 (Runge, Math. Ann. 46, 1895).
//   - RK4: the classical fourth-order method (Kutta, Z. Math. Phys. 46, 1901).
//   - HeunEuler: Heun's method (Heun, Z. Math. Phys. 45, 1900) with the Euler
//     step as embedded estimate, a 2(1) pair.
//   - BogackiShampine: the 3(2) FSAL pair of Bogacki & Shampine, Appl. Math.
//     Lett. 2 (1989) 321–325 (MATLAB's ode23).
//   - Fehlberg: the 4(5) pair of Fehlberg, NASA TR R-315 (1969), propagating
//     the fifth-order solution.
//   - Dopri5: the 5(4) FSAL pair of Dormand & Prince, J. Comput. Appl. Math. 6
//     (1980) 19–26 (MATLAB's ode45), the default.
//   - Tsit5: the 5(4) FSAL pair of Tsitouras, Comput. Math. Appl. 62 (2011)
//     770–775, with a smaller principal error than Dopri5 at the same cost.
//
// Hairer, Nørsett & Wanner, Solving Ordinary Differential Equations I (2nd ed.,
// 1993), Sec. II.1–II.5, tabulate all of them.
//
// # Implicit methods for stiff problems
//
// ImplicitTableaux holds Kværnø's L-stable, stiffly accurate ESDIRK pairs
// (BIT 44 (2004) 489–502): Kvaerno3 (3(2), 4 stages), Kvaerno4 (4(3), 5) and
// Kvaerno5 (5(4), 7), as tableaux of the same type whose implicit rows carry
// the diagonal γ. One implicit stepper reads them: each implicit stage
// Y_s = z + h Σ_{j<s} A[s][j]K_j + hγ f(t + C[s]h, Y_s) is solved by simplified
// Newton with the iteration matrix I − hγJ, J = ∂f/∂z at the step's start, from
// the tableau's predictor. The LU factorization (dense, gonum) is kept across
// stages and steps while Newton converges; it is redone when h moves by more
// than 20%, and J is recomputed when a step converged slowly (a contraction
// rate above 0.1) or Newton failed. A stage has converged when the estimated
// distance to its solution is below κ = min(0.03, √rtol) in error-norm units
// (RADAU5's choice; Settings.NewtonTol); a failure with a fresh J rejects the
// attempt (Stats.NewtonFailures) and the controller shrinks the step. J comes
// from the model's dynamics.Jacobian when it has one (expression models do,
// symbolically), else from Dim() JVPs. Hairer & Wanner, Solving ODEs II (2nd
// ed., 1996), Sec. IV.6–IV.8, describe the scheme.
//
// # Stiffness detection and Auto
//
// Adaptive explicit methods watch the product h·ρ(J) of the step and the
// spectral radius along the solution. Dopri5 estimates it for free from its
// two last stages, both at t + h (Hairer's test, HNW I Sec. II.10, II Sec.
// IV.2); the other pairs, which have no two stages at one time, pay one
// evaluation of f every 100 accepted steps, at the embedded solution
// (Stats.StiffnessNFE, not in NFE). When h·ρ sits at the edge of the method's
// real stability interval (computed from the tableau) for 15 accepted steps
// with fewer than 6 others in between, the step size is held by stability
// rather than accuracy and the solve ends with ErrStiff, naming the time, the
// estimated stiffness ratio and the implicit method to use. Auto (method
// "auto") is Dopri5 that switches to Kvaerno5 instead, and back once the
// implicit steps have stayed inside Dopri5's stability interval (h·‖J‖∞) for
// 15 steps, like LSODA; a MethodRecorder hears of each switch.
//
// # Error norm and initial step
//
// The error norm of an attempt is the RMS over components of
// e_i / (atol + rtol·max(|z_i|, |z'_i|)) (ErrorNorm). Unless Settings.Step gives
// it, the first step of an adaptive solve follows Hairer, Nørsett & Wanner I,
// Sec. II.4: with d0 = ‖z0‖, d1 = ‖f(t0, z0)‖ in that norm, h0 = 0.01·d0/d1
// (1e-6 when either is below 1e-5), one explicit Euler step of h0 to estimate
// d2 = ‖f(t0+h0, z0+h0 f0) − f0‖/h0, h1 = (0.01/max(d1, d2))^(1/(p+1)) for the
// method's order p (h1 = max(1e-6, 1e-3·h0) when max(d1, d2) ≤ 1e-15), and
// h = min(100·h0, h1, |t_end − t0|). A constant step is Settings.Step or 1/100
// of the span. With Settings.NormComponents = N > 0 both norms run over the
// first N components only, so that quadratures appended to a system (the
// adjoint method's parameter adjoint) ride along without choosing the steps.
//
// # Step-size control
//
// A Controller decides whether an attempt is kept and which step comes next;
// Settings.Controller holds one. PI (the default for adaptive methods) is the
// PI controller of Gustafsson, ACM TOMS 17 (1991) 533–554, in the form of
// Hairer & Wanner, Solving Ordinary Differential Equations II (2nd ed., 1996),
// Sec. IV.2: an accepted step (err ≤ 1) scales h by
// Safety·err^(−Alpha/k)·errPrev^(Beta/k), a rejected one by Safety·err^(−1/k),
// with k = q+1 for the lower order q of the pair and clamps documented on PI.
// Constant keeps every attempt and h with it: it is the controller of the
// fixed-step methods, and steps an adaptive tableau with a fixed h on request.
// Controllers hold no state; the solver passes the controller's memory (the
// error norm of the last accepted step, whether the last attempt was rejected)
// in each Attempt.
//
// # Dense output
//
// A tableau may carry a continuous extension (Tableau.Dense): polynomial
// weights b_s(θ) with z(t+θh) ≈ z + h Σ_s b_s(θ) K_s from the stages the step
// already has, b_s(1) = B[s]. Dopri5 has Shampine's fourth-order one
// (Shampine, Math. Comp. 46 (1986) 135–150; the DOPRI5 code of Hairer,
// Nørsett & Wanner I, Sec. II.6), Tsit5 its own fourth-order one (Tsitouras
// 2011), and BogackiShampine the cubic Hermite interpolant of z and f at both
// ends (ode23's), order 3; the last two of these use that an FSAL step has
// f at its end among its stages. Tests check their order conditions and
// measure their order at mid-step. Euler, RK2, RK4, HeunEuler and Fehlberg
// have none, nor do the implicit Kværnø methods: a generic cubic Hermite
// would serve them (they are stiffly accurate, so FSAL), but their ACA
// backward step would need the stage adjoints through it, and stiff
// solutions are usually observed sparsely; they land.
//
// # Output times
//
// With a dense output (and Settings.Land false, the default) the output
// times do not choose the steps: the solver lands only on the last output
// time, on breakpoints and on the outputs a Stopper (or, for all of them, a
// Jumper) marks, and writes each output inside an accepted step from the
// continuous extension (Attempt.First, Attempt.Inside say which). With 1000
// outputs on the paper's three-body problem that takes the steps error
// control wants instead of one per output. The interpolant is one order
// below a fifth-order method, so where outputs are sparse and the tolerance
// loose, Settings.Land (every output a step end) is the more accurate
// choice; where they are dense, the extra steps of landing cost more than
// they gain.
//
// Otherwise steps land on each output time: when the next output time (with
// dense output, the next stop) is within 1.01 times the proposed step, the
// step is shortened (or stretched by at most 1%) to end exactly there, and
// the state there is written out. After such a step is accepted the solver
// resumes with the step proposed before the shortening, without asking the
// controller, so that closely spaced outputs do not drag h down. A step that
// no longer changes t is ErrStepUnderflow.
//
// # Breakpoints
//
// A model that implements dynamics.Breakpointer (a measured input held
// between samples, a dose) names the times where f jumps. The solver stops at
// each breakpoint inside the span: a step that would reach it ends 8 rounding
// units of the breakpoint before it (so that no stage, t + c·h, lands on the
// far side of the jump), the next starts exactly on it with a fresh
// evaluation of f (FSAL is not carried across), and it resumes with the step
// proposed before the shortening. No step straddles a jump, so an adaptive
// method needs no rejections there and a low-order method keeps its order.
// The skipped interval moves z by about |f|·8ε, far below any tolerance. A
// BreakpointRecorder hears of each step cut short this way. ACA replays the
// accepted steps as they were taken, so its gradient stays the exact
// derivative of the discrete solution, and the naive method differentiates
// the cut steps as they run (h = b − 8ε − t, a function of t like the
// landing rule; the fresh f at b as the next step's first stage; the resumed
// proposed step), so its gradient stays the exact derivative of the adaptive
// program; the adjoint's backward system has no breakpoints, so it is only
// approximately right for models with jumps.
package integrate
