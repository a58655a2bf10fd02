package latent

import (
	"testing"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/learned"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHotPathsDoNotAllocate pins the per-step cost of training: after a first
// batch has grown the workspaces, the latent field's Func, JVP and VJP, the
// encoder's forward and backward passes, the decoder's loss and a whole
// recurrent baseline step allocate nothing.
func TestHotPathsDoNotAllocate(t *testing.T) {
	b := smallBatch(t)
	m, err := NewLatentODE(ODEConfig{Dim: 2, Latent: 3, Hidden: 4, Units: 6})
	require.NoError(t, err)
	theta := learned.NewParams(m, 6)
	grad := make([]float64, len(theta))
	_, err = m.Loss(grad, theta, b, learned.NewRand(1)) // grows every workspace
	require.NoError(t, err)

	f := m.fieldFor(b.Size)
	ft := m.fieldTheta(theta)
	z, dst, u := make([]float64, f.Dim()), make([]float64, f.Dim()), make([]float64, f.Dim())
	for i := range z {
		z[i], u[i] = 0.1*float64(i), 1
	}
	dz, dft := make([]float64, f.Dim()), make([]float64, len(ft))
	for name, step := range map[string]func(){
		"field Func": func() { f.Func(dst, 0, z, ft) },
		"field JVP":  func() { f.JVP(dst, 0, z, ft, u, nil) },
		"field VJP":  func() { f.VJP(dz, dft, 0, z, ft, u) },
		"encoder": func() {
			h := m.encode(theta, b)
			m.encodeBack(grad, h, theta, b.Size)
		},
		"decoder loss": func() {
			m.w.dl.Eval(m.w.zgrad, make0(&m.w.states, len(b.Grid)*b.Size*m.cfg.Latent))
		},
	} {
		assert.Zero(t, testing.AllocsPerRun(20, step), name)
	}

	for _, name := range []string{"rnn", "gru"} {
		r, err := NewRecurrent(name, 2, 5)
		require.NoError(t, err)
		th := learned.NewParams(r, 5)
		g := make([]float64, len(th))
		_, err = r.Loss(g, th, b, nil)
		require.NoError(t, err)
		assert.Zero(t, testing.AllocsPerRun(20, func() { r.Loss(g, th, b, nil) }), name)
	}
}

// make0 grows *x to n values (allocating at most once) and returns it.
func make0(x *[]float64, n int) []float64 {
	*x = growF(*x, n)
	return *x
}

// benchBatch is a hopper-sized batch: 20 sequences of 100 points of 14
// components, 50% observed.
func benchBatch(b *testing.B) *Batch {
	d := synthetic(20, 100, 14, 2)
	obs, err := SampleObserved(20, 100, 0.5, 3)
	require.NoError(b, err)
	seqs := make([]int, 20)
	for i := range seqs {
		seqs[i] = i
	}
	return NewBatch(d, seqs, obs)
}

// BenchmarkLatentODELoss measures one training step of a hopper-sized latent
// ODE (14 components, 100 points, batch 20, 50% observed) per gradient method.
func BenchmarkLatentODELoss(b *testing.B) {
	batch := benchBatch(b)
	for _, name := range []string{"aca", "adjoint", "naive"} {
		b.Run(name, func(b *testing.B) {
			method, err := aca.ByName(name)
			require.NoError(b, err)
			m, err := NewLatentODE(ODEConfig{Dim: 14, Method: method})
			require.NoError(b, err)
			theta := learned.NewParams(m, 1)
			grad := make([]float64, len(theta))
			rng := learned.NewRand(2)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Loss(grad, theta, batch, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecurrentLoss measures one training step of the baselines on the
// same batch shape.
func BenchmarkRecurrentLoss(b *testing.B) {
	batch := benchBatch(b)
	for _, name := range []string{"rnn", "gru"} {
		b.Run(name, func(b *testing.B) {
			m, err := NewRecurrent(name, 14, 48)
			require.NoError(b, err)
			theta := learned.NewParams(m, 1)
			grad := make([]float64, len(theta))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Loss(grad, theta, batch, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWorkspacesCarryNoState checks that reusing the workspaces across batches
// of different sizes changes nothing: a model that has seen a larger batch
// returns the same loss and gradient as a fresh one.
func TestWorkspacesCarryNoState(t *testing.T) {
	small := smallBatch(t)
	d := synthetic(5, 12, 2, 8)
	obs, err := SampleObserved(5, 12, 0.6, 9)
	require.NoError(t, err)
	large := NewBatch(d, []int{0, 1, 2, 3, 4}, obs)
	models := func() []Model {
		lo, err := NewLatentODE(ODEConfig{Dim: 2, Latent: 3, Hidden: 4, Units: 6})
		require.NoError(t, err)
		rnn, err := NewRecurrent("rnn", 2, 5)
		require.NoError(t, err)
		gru, err := NewRecurrent("gru", 2, 5)
		require.NoError(t, err)
		return []Model{lo, rnn, gru}
	}
	fresh, used := models(), models()
	for k := range fresh {
		theta := learned.NewParams(fresh[k], 3)
		lossOf := func(m Model) (float64, []float64) {
			g := make([]float64, len(theta))
			l, err := m.Loss(g, theta, small, learned.NewRand(4))
			require.NoError(t, err)
			return l, g
		}
		_, err := used[k].Loss(make([]float64, len(theta)), theta, large, learned.NewRand(5))
		require.NoError(t, err)
		wantL, wantG := lossOf(fresh[k])
		gotL, gotG := lossOf(used[k])
		// Same arithmetic in the same order: equal to the last bit.
		assert.Equal(t, wantL, gotL, fresh[k].Name())
		assert.Equal(t, wantG, gotG, fresh[k].Name())
	}
}
