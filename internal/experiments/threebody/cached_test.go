package threebody_test

import (
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCachedGradientsBitIdentical: every gradient method gives the same
// floats on the paper's three-body problem with a Cached as with a Gravity,
// and a Clone starts from an empty cache of its own.
func TestCachedGradientsBitIdentical(t *testing.T) {
	g, _, z0 := nbody.PaperThreeBody()
	times := []float64{0.1, 0.2, 0.3}
	vals := make([]float64, g.Dim()*len(times))
	for i := range vals {
		vals[i] = 0.1 * float64(i%4)
	}
	loss, err := aca.NewLeastSquares(g.Dim(), nil, vals, nil)
	require.NoError(t, err)
	theta := []float64{1, 1.05, 0.95}
	s := &aca.Settings{RTol: 1e-7, ATol: 1e-7}
	cached := g.Cached()
	for _, m := range aca.Methods() {
		m = aca.NeedZ0(m)
		p := &aca.Problem{Model: g, Theta: theta, Z0: z0, Times: times, Loss: loss}
		want, err := aca.Fresh(m).Gradient(p, s)
		require.NoError(t, err)
		for _, model := range []dynamics.Dynamics{cached, dynamics.Clone(cached)} {
			p.Model = model
			got, err := aca.Fresh(m).Gradient(p, s)
			require.NoError(t, err)
			assert.Equal(t, want.Loss, got.Loss, m.Name())
			assert.Equal(t, want.Theta, got.Theta, m.Name())
			assert.Equal(t, want.Z0, got.Z0, m.Name())
			assert.Equal(t, want.Stats, got.Stats, m.Name())
		}
	}
	_, ok := dynamics.Clone(cached).(*nbody.Cached)
	assert.True(t, ok)
	assert.NotSame(t, cached, dynamics.Clone(cached))
}
