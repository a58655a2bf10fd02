// Package latent models irregularly sampled time series: the latent ODE of
// Rubanova et al. (2019) trained through package aca, and the recurrent
// baselines it is compared with in the ACA paper's Sec. 4.3 (Table 4), on the
// MuJoCo hopper dataset shipped in testdata/hopper.
//
// # Data
//
// A Dataset holds regularly sampled sequences (the hopper: 14 components, 7
// joint positions then 7 velocities, 100 points 5 ms apart). Read, Write and
// Load use the generator's format: gzip of "PHYSHOP1", uint32 sequences,
// steps and dim, float64 dt (little-endian), then float32 values
// sequence-major; see testdata/hopper/README.md. Train normalises each
// component to [0, 1] (Rubanova et al.), rescales time to [0, 1], keeps a
// random fraction of each sequence's points as observations (SampleObserved)
// and measures the interpolation MSE at every point of held-out sequences.
//
// A Batch gathers sequences on the common grid with a mask of observed
// values; its Obs are the union of the sequences' observation times, the
// times the models step through in training, as in the original code.
//
// # Models
//
// Recurrent is the RNN baseline with the time gap as input (an Elman cell,
// rnn, or a GRU, gru — the paper's RNN-GRU). LatentODE encodes the
// observations with an ODE-RNN run backwards in time, samples z0 from a
// Gaussian with the reparameterisation trick (KL term against N(0, I)),
// solves dz/dt = MLP(z) (a Field, a dynamics.Dynamics with analytic JVP and
// VJP) with aca — ACA, adjoint or naive — and decodes linearly. Every part
// has an explicit backward pass, checked against finite differences in the
// tests:
//
//	Elman   h' = tanh(p), p = Wx·x + Wh·h + b:  g = dh'⊙(1−h'²), dx += Wxᵀg, dh += Whᵀg
//	GRU     as learned.GRU, one step at a time (dn, dz, dr through the gates)
//	Euler   h' = h + Δ·f(h):  dh ← dh + Δ·J_fᵀdh,  dθ += Δ·(∂f/∂θ)ᵀdh
//	masked update  h' = o⊙GRU(u, h) + (1−o)⊙h for rows observed (o = 1) or not
//	q(z0)   z0 = μ + σ⊙ε, σ = softplus(s):  dμ = dz0 + β/B·μ,
//	        ds = (dz0⊙ε + β/B·(σ − 1/σ))⊙sigmoid(s)
//	solve   dL/dz0 and dL/dθ_f from aca.Gradient with the decoder and the
//	        masked MSE as the aca.Loss
//
// References: Y. Rubanova, R. T. Q. Chen, D. Duvenaud, "Latent ODEs for
// irregularly-sampled time series", NeurIPS 2019; the ACA paper, Sec. 4.3.
package latent
