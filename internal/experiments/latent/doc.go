// Package latent reproduces Table 4 of Zhuang et al., "Adaptive Checkpoint
// Adjoint Method for Gradient Estimation in Neural ODE" (ICML 2020), Sec.
// 4.3: interpolation of the MuJoCo hopper's irregularly observed sequences by
// the latent ODE of Rubanova et al. (2019), trained with the adjoint, naive
// and ACA gradients, against RNN and GRU baselines, with 10%, 20% and 50% of
// the time points observed. The models, the data and the protocol live in
// learned/latent; Compare trains every row at every fraction and seed and
// returns the filled table (a Comparison) beside the paper's numbers
// (PaperTable4). cmd/identify (`identify latent compare`, `identify
// reproduce latent-ode`) prints it, plots reconstructions and writes it as
// JSON.
package latent
