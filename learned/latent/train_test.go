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

func TestCompareFillsTable(t *testing.T) {
	d := synthetic(12, 10, 2, 4)
	base := TrainConfig{Epochs: 1, BatchSize: 6, Latent: 2, Hidden: 4, Units: 4}
	cmp, err := Compare(d, CompareConfig{Base: base, Observed: []float64{0.3, 0.5}, Seeds: 2}, nil)
	require.NoError(t, err)
	require.Len(t, cmp.Rows, 5)
	assert.Len(t, cmp.Runs, 5*2*2)
	for _, r := range cmp.Rows {
		require.Len(t, r.Cells, 2)
		assert.Nil(t, r.Cells[0].Paper, r.Name)    // the paper has no 30% column
		assert.NotNil(t, r.Cells[1].Paper, r.Name) // it has a 50% one
		assert.Greater(t, r.Cells[0].Mean, 0.0)
		assert.GreaterOrEqual(t, r.Cells[0].Std, 0.0)
	}
	assert.InDelta(t, 0.0026, *cmp.Rows[4].Cells[1].Paper, 1e-12) // aca at 50%: 0.26e-2
}
