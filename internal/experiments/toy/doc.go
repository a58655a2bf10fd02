// Package toy reproduces the toy experiment of Zhuang et al., "Adaptive
// Checkpoint Adjoint Method for Gradient Estimation in Neural ODE" (ICML
// 2020), Sec. 4.1, Eq. 27–29 and Fig. 6: dz/dt = k·z, L = z(T)², whose exact
// gradient dL/dz0 = 2·z0·e^{2kT} is compared with the gradient of every
// method of package aca (ACA, adjoint, naive, forward sensitivity) for
// horizons T = 1 … 10. Compare returns one Row per horizon; cmd/identify
// (`identify reproduce toy`) prints it, plots it and writes it as JSON.
package toy
