package main

import (
	"fmt"

	"github.com/physid/physid/aca"
)

// reconstructionThreshold is the adjoint reconstruction error (aca.Stats.
// ReconstructionError, in tolerance units) above which grad and fit warn that
// the adjoint gradient is unreliable.
//
// Derivation. The error norm is 1 when z̃(t0) misses z0 by one step's error
// target. A healthy round trip still accumulates the local errors of the
// forward and of the backward solve, each a global error of typically 10–100
// such units, so values up to a few hundred are ordinary; beyond 1000 the
// reversed flow has amplified the errors (paper Sec. 3.2, Fig. 4): the
// backward pass integrates the adjoint along another trajectory, and the
// gradient has lost about three digits more than the tolerances promise.
//
// Calibration (dopri5, the shipped scenarios' tolerances): healthy are
// toy_exponential 0.0072, sir_epidemic 0.18, damped_driven_oscillator 2.3,
// lotka_volterra 3.3, three_body 30, pendulum 43 and three_body_csv 164 (its
// adjoint dL/dm agrees with ACA to 0.1%); broken are lorenz 1.8e7 and
// van_der_pol 1.2e8 (adjoint dL/dμ = 40.91, the true value 7.4326). 100, the
// first guess, would flag three_body_csv; 1000 sits in the gap, and a
// reconstruction error that exceeds it by orders of magnitude is the rule for
// an unstable reversed flow, not the exception.
const reconstructionThreshold = 1000

// adjointWarning returns the warning to print (without a trailing newline)
// when stats come from the adjoint method and its reconstruction error exceeds
// reconstructionThreshold, and "" otherwise. A fit with the adjoint prints it
// once, for the largest reconstruction error it met.
func adjointWarning(stats aca.Stats) string {
	if !stats.HasReconstruction || !(stats.ReconstructionError > reconstructionThreshold) {
		return ""
	}
	return fmt.Sprintf("identify: warning: the adjoint gradient is unreliable: its backward solve reconstructs z(t0) %.3g tolerance units from z0 (threshold %g), so the backward trajectory drifted (paper Fig. 4); use --method aca, exact for the forward solve",
		stats.ReconstructionError, float64(reconstructionThreshold))
}
