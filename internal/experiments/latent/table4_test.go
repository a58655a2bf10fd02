package latent_test

import (
	"math"
	"testing"

	explatent "github.com/physid/physid/internal/experiments/latent"
	"github.com/physid/physid/learned/latent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waves is a small data set of damped sine waves of varying frequency and
// phase: enough to train every row of the table for one epoch.
func waves(seqs, steps, dim int) *latent.Dataset {
	d := &latent.Dataset{Sequences: seqs, Steps: steps, Dim: dim, DT: 0.01, Values: make([]float64, seqs*steps*dim)}
	for i := range d.Values {
		s, k := i/(steps*dim), (i/dim)%steps
		t := float64(k) / float64(steps-1)
		d.Values[i] = math.Exp(-t) * math.Sin((2+float64(s%5))*t+float64(s)+float64(i%dim))
	}
	return d
}

func TestCompareFillsTable(t *testing.T) {
	d := waves(12, 10, 2)
	base := latent.TrainConfig{Epochs: 1, BatchSize: 6, Latent: 2, Hidden: 4, Units: 4}
	cmp, err := explatent.Compare(d, explatent.CompareConfig{Base: base, Observed: []float64{0.3, 0.5}, Seeds: 2}, nil)
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
