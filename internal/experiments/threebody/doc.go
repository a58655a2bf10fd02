// Package threebody reproduces the three-body experiment of Zhuang et al.,
// "Adaptive Checkpoint Adjoint Method for Gradient Estimation in Neural ODE"
// (ICML 2020), Sec. 4.4, Table 5 and Fig. 8: the masses of three bodies are
// fitted from their observed positions on [0, 1], and the physics model is
// compared with learned models on the extrapolation to [0, 2].
//
// PaperProblem builds the identification problem from nbody.PaperThreeBody
// and nbody.PaperThreeBodyTimes (the one source of the masses, initial state,
// K1, K2 and time window, which scenarios/three_body.toml matches), with the
// paper's weights (TimeWeight), solver (PaperSolver) and optimizer
// (PaperAdam). PaperTable5 holds the paper's numbers for display beside ours.
// cmd/identify (`identify compare`, `identify reproduce three-body`) prints
// the Comparison, plots it and writes it as JSON.
//
// # The comparison
//
// CompareThreeBody answers "would a learned model have done as well as the
// physics?" with the paper's Sec. 4.4 (Table 5, Fig. 8). Every model sees the
// same information — the initial state z0 and the observed positions on the
// training window [t0, T] (the paper: 1000 equally spaced times on [0, 1]) —
// and predicts the positions at Points equally spaced times on [t0, 2T − t0]
// (the paper: 2000 on [0, 2]). The test MSE is the mean over those times and
// the observed coordinates of the squared error against the truth, simulated
// at the true parameters with rtol = atol = 1e-12. Each row is Runs runs with
// seeds 1 … Runs, reported as mean ± population standard deviation of the
// finite test MSEs; a run whose loss or prediction is not finite is reported
// as diverged (and counted), never dropped silently.
//
//   - ode: the physics model with the parameters unknown (the masses), fitted
//     by identify.Fit with the paper's Adam (lr 0.1, betas (0.5, 0.5), ×0.95
//     per epoch, 100 epochs, start jittered ±10% by the seed) through aca,
//     adjoint or naive gradients, then simulated over the test window.
//   - node: r̈ = FC(Aug(r)) (Eq. 34), a second-order learned.NeuralField
//     (learned.NewThreeBodyNODE) over the Eq. 33 features
//     (learned.NBodyFeatures) with velocities in the state, started
//     from the known z0. FC is one affine layer, as in the paper: on these
//     features it can express Newton's law exactly (weight −K1·m_j on
//     Δ_ij/|Δ_ij|³), while hidden tanh layers trained worse. It is trained
//     on the physics fit's own loss (weighted least squares of the positions
//     with weights 0.01^t) through aca, adjoint or naive gradients with Adam
//     (NODEConfig): the first layer in standardised feature coordinates (a
//     fixed preconditioner folded back after every step), and a guard that
//     goes back to the best parameters with half the learning rate when the
//     loss jumps or a solve fails. As for the lstms, the last 20% of the
//     observation times are held out of the loss (their weights 0.01^t are
//     small anyway), and the parameters with the lowest error there, checked
//     every epoch, are kept (early stopping).
//   - lstm and lstm-aug: an LSTM (hidden 64) with a linear read-out on a grid
//     of every Stride-th observation (default 5, so Δt = 0.005 for the
//     paper's data: increments large enough to learn, a rollout short
//     enough not to drift; chosen, like the other defaults, by the held-out
//     MSE). Its input is the 9 observed coordinates (lstm) or their Eq. 33
//     features (lstm-aug), each standardised by its mean and standard
//     deviation over the training part; its output is the increment to the
//     next grid point, divided by the increments' standard deviation per
//     coordinate, so r̂_{k+1} = r_k + σ·y_k. Training is teacher forcing:
//     each epoch is one Adam step (lr 3e-3 decaying to 3e-5, gradient norm
//     clipped at 1) on a batch of 16 windows of 40 steps, taken at random
//     from all Stride phases of the grid (phase q holds observations q,
//     q+Stride, …), with Gaussian noise (0.01) on the standardised inputs and
//     the first 5 steps of each window left out of the loss while the state
//     forms. The last 20% of the observed window is held out: every 25
//     epochs the model reads the phase-0 observations before it from a zero
//     state and rolls out autoregressively over it, and the parameters with
//     the lowest held-out MSE are kept (early stopping). At test time the
//     model reads every observed phase-0 point from a zero state — its
//     predictions on the observed window are therefore one step ahead of an
//     observation — then feeds back its own predictions past the window; the
//     grid values are interpolated linearly to the test times (error
//     ~Δt²·|r̈|/8, below 1e-4 here).
//
// Because the lstms are one step behind the data on the observed window,
// their test MSE there is nearly zero while ode and node must simulate it
// from z0; RunResult.FutureMSE, the error after the window alone, compares
// the extrapolations proper. Comparison.PersistenceMSE is the score of
// standing still at the last observation: on a chaotic orbit a learned model
// that moves wrongly does worse than that, and it is the scale against which
// the learned rows should be read.
//
// On the paper's data the three gradient methods differentiate nearly the
// same computation: the solver lands on each of the 1000 observation times,
// so almost every step is set by the next observation (Δt = 1/999, shorter
// than the tolerance 1e-7 asks for) and almost none is rejected. The naive
// method's derivative through the step-size controller then vanishes, and it
// computes ACA's derivative of the same discrete solution up to rounding
// (and the rare rejected step); the adjoint's backward solve takes the same
// short steps and drifts by little. Rows of one model therefore differ mainly
// by how training amplifies small differences on a chaotic orbit, not by the
// quality of the gradients; the larger gaps of the paper's Table 5 presumably
// come from a solver that steps past the observation times and interpolates.
//
// Runs execute on Workers goroutines, one run per goroutine with its own
// model, clones and gradient-method values, and a run's numbers depend only
// on its seed (weights, windows and noise come from PCG streams seeded by it),
// so results are identical for any number of workers.
package threebody
