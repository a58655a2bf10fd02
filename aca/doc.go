// Package aca computes gradients of a loss on the solution of an ODE with
// respect to its parameters θ and initial state z0, by four methods behind one
// interface, so that they can be compared on the same forward solve.
//
// All methods solve dz/dt = f(t, z, θ) forward with package integrate and
// evaluate L(z(t_1), …, z(t_K)) through the Loss contract: the loss sees only the
// states at the observation times and returns ∂L/∂z(t_k). Then:
//
//   - ACA, the Adaptive Checkpoint Adjoint (Zhuang et al., ICML 2020, Alg. 2):
//     keep the accepted steps (t_i, h_i, z_i); backward, recompute each step's
//     stages and apply the exact adjoint of that explicit Runge–Kutta step:
//     going s = S..1, K̄_s = h b_s λ' + h Σ_{j>s} a_js Ȳ_j, Ȳ_s = (∂f/∂z)ᵀK̄_s,
//     θ̄ += (∂f/∂θ)ᵀK̄_s, and λ = λ' + Σ_s Ȳ_s. The exact derivative of the
//     discrete solution with its steps held fixed; memory O(N_t·dim). An
//     implicit step (Kvaerno3/4/5, Auto's stiff steps) keeps its converged
//     stages and its adjoint goes through the stage equations by the
//     implicit function theorem: (I − h a_ss J(Y_s))ᵀ μ_s = K̄_s per stage,
//     with J at the converged stage, never through the Newton iterations.
//     With dense output (integrate.Settings.Land false, the default for
//     Dopri5, Tsit5 and rk23) an observation inside step i is
//     z(t_k) = z_i + h Σ_s b_s(θ_k) K_s, θ_k = (t_k − t_i)/h, and ACA
//     differentiates exactly that: ∂L/∂z(t_k) is added to λ_i and
//     h b_s(θ_k) ∂L/∂z(t_k) to K̄_s of that step before its stage sweep.
//     ACA.Checkpoints bounds the states held (binomial checkpointing,
//     Griewank & Walther 2000: the backward pass replays the recorded steps
//     exactly, so the gradient is the same to the last bit), and
//     ACA.StageBudget keeps the forward pass's stages so that the backward
//     pass need not evaluate them again.
//   - Adjoint (Chen et al., NeurIPS 2018): keep z(T) only and solve
//     [z, a, g]' = [f, −aᵀ∂f/∂z, −aᵀ∂f/∂θ] backward; memory O(dim), but the
//     backward z drifts from the forward one and the gradient with it; the
//     drift is measured at t_0, where z is known (Stats.ReconstructionError).
//     It lands on the observation times in both solves.
//   - Naive: reverse mode through the whole adaptive program, rejected attempts
//     and the step-size controller included; memory and depth O(N_t·m·stages).
//     The stage times move with the step sizes, so a non-autonomous model
//     supplies ∂f/∂t (dynamics.TimeDerivative); without it the model is
//     taken to be autonomous. Steps cut short by a breakpoint where f jumps
//     (dynamics.Breakpointer) are differentiated as they run, the fresh
//     evaluation of f on the breakpoint included, so the gradient stays exact
//     for held inputs.
//     Explicit methods only (ErrUnsupported for implicit ones and Auto).
//     It always lands on the observation times (the dense output is not
//     reversed), so its loss is that of a landing solve.
//   - Forward: sensitivities S = ∂z/∂(θ, z0) integrated alongside z with JVPs;
//     no backward pass, cost proportional to the number of parameters, and the
//     residual Jacobian for Gauss–Newton fits. With an implicit method S is
//     the tangent of the discrete solution along the accepted steps (equal
//     to ACA's gradient to rounding).
//
// The paper's Table 1 compares them; Stats reports the function evaluations of
// each pass, the steps and the bytes each method keeps for its backward pass,
// so the table can be measured rather than quoted. FiniteDifferences, central
// differences of the loss, is the reference a gradient check compares with.
package aca
