// Package reverse reproduces the reverse-time reconstruction experiments of
// Zhuang et al., "Adaptive Checkpoint Adjoint Method for Gradient Estimation
// in Neural ODE" (ICML 2020), Sec. 3.2: the adjoint method of Chen et al.
// (2018) recovers z(t) by solving backward from z(T), and that backward
// solve drifts from the forward one.
//
//   - Reconstruct solves any system forward, then backward from its end
//     state, and measures the drift.
//   - VanDerPol is Fig. 4: van der Pol at mu = 1 from (2, 0) over T = 20,
//     whose limit cycle repels backward in time.
//   - Conv is Fig. 5: dz/dt = K ⋆ z on a Fashion-MNIST image with a random
//     dissipative 3×3 kernel, whose damped modes grow backward.
//
// Each returns a result value; cmd/identify (`identify reproduce reverse
// [--conv]`) prints it, plots it and writes it as JSON. ACA keeps the forward
// states and never solves backward, so its reconstruction error is 0.
package reverse
