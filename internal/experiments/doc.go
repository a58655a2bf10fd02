// Package experiments is the layer of the paper's reproductions and
// comparisons (Zhuang et al., "Adaptive Checkpoint Adjoint Method for
// Gradient Estimation in Neural ODE", ICML 2020), above the libraries and
// below cmd/identify. Each experiment is its own package and returns a result
// value that the command prints, plots and writes:
//
//   - toy: Sec. 4.1, Fig. 6, the gradient error of every method on dz/dt = kz.
//   - reverse: Sec. 3.2, Fig. 4 (van der Pol) and Fig. 5 (a convolution ODE on
//     an image), the adjoint's reverse-time reconstruction error.
//   - images: Sec. 4.2, Tables 2–3 and Fig. 7b, a ResNet against its NODE.
//   - latent: Sec. 4.3, Table 4, the latent ODE on the MuJoCo hopper.
//   - threebody: Sec. 4.4, Table 5 and Fig. 8, the three-body problem, with
//     the identify-level problem builder and the paper's optimizer settings.
//
// No library package imports these; a test in this directory enforces it,
// with the other edges the layering depends on.
package experiments
