package latent

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTinyLatentODEBeatsMean trains a tiny latent ODE on the synthetic stand-in
// (damped oscillations with random amplitude, frequency and phase; 50% of the
// points observed) and checks that its test interpolation error is well below
// that of the mean predictor.
func TestTinyLatentODEBeatsMean(t *testing.T) {
	d := synthetic(80, 30, 2, 3)
	res, fit, err := Train(d, TrainConfig{Observed: 0.5, Epochs: 150, BatchSize: 16, Latent: 4, Hidden: 12, Units: 16, Seed: 1}, nil)
	require.NoError(t, err)
	t.Logf("test MSE %.4g, mean predictor %.4g, %.2f s per epoch", res.TestMSE, res.MeanMSE, res.EpochSeconds)
	assert.Less(t, res.TestMSE, 0.3*res.MeanMSE)

	// Reconstruct undoes the centring, which leaves the MSE unchanged.
	b, pred, err := fit.Reconstruct(fit.Test)
	require.NoError(t, err)
	assert.InDelta(t, res.TestMSE, b.MSE(pred), 1e-12)
	assert.Len(t, fit.Test, 16)
}
