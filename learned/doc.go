// Package learned is physid's small neural-network core: layers with
// hand-derived backward passes on gonum, Adam, model files, and NeuralField,
// a network that is a dynamics.Dynamics (the NODE of the paper's Sec. 4.4,
// Eq. 34, r̈ = FC(Aug)). It is the learned side of the comparison between
// physics models and learned models, which internal/experiments/threebody runs.
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
package learned
