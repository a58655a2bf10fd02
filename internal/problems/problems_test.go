package problems

import (
	"testing"

	"github.com/physid/physid/dynamics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDerivatives(t *testing.T) {
	for _, tc := range []struct {
		name  string
		m     dynamics.Dynamics
		z, th []float64
	}{
		{"expsin", ExpSin{}, []float64{1.3}, []float64{0.7}},
		{"arenstorf", Arenstorf{}, []float64{0.5, 0.3, -0.2, 0.4}, []float64{ArenstorfMu}},
		{"arenstorf-near-moon", Arenstorf{}, []float64{0.9, -0.1, 1, 0.2}, []float64{0.05}},
		{"driven-oscillator", DrivenOscillator{F: 0.3}, []float64{0.8, -0.4}, []float64{1.2, 0.1, 1.25}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := dynamics.CheckDerivatives(tc.m, 0.4, tc.z, tc.th)
			require.NoError(t, err)
			assert.Less(t, worst, 1e-6) // central differences with h=1e-6: ~1e-9 on these scales
			// ∂f/∂t, zero for the autonomous Arenstorf (no DfDt); same FD accuracy.
			worst, err = dynamics.CheckTimeDerivative(tc.m, 0.4, tc.z, tc.th)
			require.NoError(t, err)
			assert.Less(t, worst, 1e-6)
		})
	}
}
