// Package learned is physid's small neural-network core: layers with
// hand-derived backward passes on gonum, Adam, model files, and NeuralField,
// a network that is a dynamics.Dynamics (the NODE of the paper's Sec. 4.4,
// Eq. 34, r̈ = FC(Aug)). It is the learned side of the comparison between
// physics models and learned models.
//
// # Parameters
//
// Every model's parameters live in one flat []float64 θ, and every gradient in
// one []float64 of the same length; layers hold only offsets into it. A Layout
// hands out the ranges in construction order, so the layout is fixed by the
// architecture:
//
//	Dense   W (Out×In, row-major), b (Out)
//	MLP     its Dense layers in order
//	LSTM    Wx (4H×In), Wh (4H×H), b (4H); gate rows i, f, g, o
//	GRU     Wx (3H×In), bx (3H), Wh (3H×H), bh (3H); gate rows r, z, n
//	Sequence  the cell, then its Dense read-out
//	NeuralField  its MLP
//
// One vector is what optimizers, global-norm clipping, model files and the
// dynamics.Dynamics θ all want. NewParams(m, seed) draws θ from NewRand(seed)
// (PCG from math/rand/v2): weights from GlorotUniform, or HeUniform before
// ReLU and softplus; biases zero, except the LSTM forget gate's, which is 1.
// The same seed gives bit-identical θ.
//
// # Forward and backward passes
//
// Inputs are row-major batches (batch×In); sequences are time-major
// (steps×batch×In). Forward records on a Tape what the backward pass needs —
// inputs, pre-activations, gate values, hidden and cell states — in buffers
// that grow once and are reused, so training allocates nothing after the first
// step. Backward adds the gradient of dy·y into dx and dθ (a nil destination is
// skipped), the same convention as dynamics.Dynamics.VJP. Products go through
// gonum's BLAS: Gemv and Ger for a batch of one, Gemm otherwise.
//
// The backward passes, for a loss L with dy = ∂L/∂y:
//
//	Dense  y = W·x + b:      dx += Wᵀdy,  dW += dy·xᵀ,  db += dy (summed over the batch)
//	activation y = σ(x):     dx = dy ⊙ σ'(x): tanh 1−y², sigmoid y(1−y), relu [x>0],
//	                         softplus sigmoid(x)
//	MLP a_k = σ_k(W_k a_{k−1} + b_k):  g = dy; for k = L…1: g ← g⊙σ_k'(p_k),
//	                         dW_k += g·a_{k−1}ᵀ, db_k += g, g ← W_kᵀg
//	MSE (1/n)Σ(p−t)²:       dp = (2/n)(p − t)
//
// Recurrent cells use backpropagation through time: the sequence is run forward
// once, then walked backward carrying ∂L/∂h (and ∂L/∂c for the LSTM) from step
// t+1 to step t, adding dy_t at each step. For the LSTM, with c' = f⊙c + i⊙g and
// h' = o⊙tanh c',
//
//	dc ← dc + dh⊙o⊙(1 − tanh²c'),  do = dh⊙tanh c',  di = dc⊙g,  dg = dc⊙i,  df = dc⊙c,
//	the gate pre-activations get these times σ' or tanh', and dc ← dc⊙f for step t−1;
//
// for the GRU, with n = tanh(gx_n + r⊙gh_n) and h' = (1−z)⊙n + z⊙h,
//
//	dn = dh⊙(1−z),  dz = dh⊙(h − n),  dr = dn⊙(1−n²)⊙gh_n,  dh ← dh⊙z + (through Wh).
//
// Each type's Backward comment has the full recurrence. MLP.JVP is the
// forward-mode product, t_k = σ_k'(p_k) ⊙ (W_k t_{k−1} + V_k a_{k−1} + v_b),
// which NeuralField needs for forward sensitivities.
//
// Every backward pass is checked against central finite differences to 1e-6
// (the tests measure 1e-10 to 1e-8).
//
// # Neural fields
//
// NeuralField is f(z) = MLP(φ(z)) or, with Order 2, the second-order field
// dq/dt = s·p, dp/dt = MLP(φ(q)) for z = (q, p). φ is a Features value — Dim,
// Map and its JVP and VJP — so physical knowledge (the paper's augmented input,
// Eq. 33: r_i, r_i − r_j and (r_i − r_j)/|r_i − r_j|^k) plugs in without this
// package knowing it. The field's JVP chains φ's JVP into MLP.JVP; its VJP runs
// the MLP backward from the acceleration part of u and hands ∂/∂φ to φ's VJP.
// Func, JVP and VJP allocate nothing; Clone gives each goroutine a workspace.
//
// # Optimisation
//
// Adam (Kingma & Ba 2015) with optional decoupled weight decay (Loshchilov &
// Hutter 2019) and a Schedule (ExponentialDecay, or any function);
// ClipGlobalNorm bounds the norm of the whole gradient (Pascanu et al. 2013).
//
// # Model files
//
// Save writes a versioned JSON File: {"format": "physid-learned", "version": 1,
// "model": Spec, "num_params": n, "theta": [...]}, with θ in the layout above
// and float64s written so that they read back exactly. Load rebuilds the model
// from the Spec; feature maps other than the identity are written by their Kind
// and JSON encoding (SavableFeatures) and rebuilt by a FeatureDecoder;
// DecodeFeatures rebuilds this package's NBodyFeatures ("nbody-aug").
//
// # The three-body comparison
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
//   - node: r̈ = FC(Aug(r)) (Eq. 34), a second-order NeuralField over the
//     Eq. 33 features (NBodyFeatures) with velocities in the state, started
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
package learned
