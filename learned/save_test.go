package learned_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/physid/physid/learned"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSaveLoadRoundTrip: every model kind reads back with the same
// architecture, a bit-identical θ and the same outputs.
func TestSaveLoadRoundTrip(t *testing.T) {
	pairs, err := learned.NewNeuralField(learned.FieldConfig{StateDim: 12, Order: 2,
		Features: pairFeatures{Bodies: 3}, Hidden: []int{7}, Activation: learned.Softplus, VelocityScale: 3})
	require.NoError(t, err)
	plain, err := learned.NewNeuralField(learned.FieldConfig{StateDim: 3, Hidden: []int{4, 4}})
	require.NoError(t, err)
	for name, m := range map[string]learned.Model{
		"mlp":         learned.NewMLP(nil, []int{3, 5, 2}, learned.ReLU, learned.Sigmoid),
		"lstm":        learned.NewSequence(nil, learned.CellLSTM, 2, 4, 1),
		"gru":         learned.NewSequence(nil, learned.CellGRU, 2, 4, 1),
		"field":       plain,
		"field-pairs": pairs,
	} {
		t.Run(name, func(t *testing.T) {
			theta := learned.NewParams(m, 17)
			theta[0] = 1.0 / 3 // a value with no short decimal
			var buf bytes.Buffer
			require.NoError(t, learned.Save(&buf, m, theta))
			got, gotTheta, err := learned.Load(bytes.NewReader(buf.Bytes()), decodeTestFeatures)
			require.NoError(t, err)
			assert.Equal(t, theta, gotTheta)
			want, _ := m.Spec()
			spec, err := got.Spec()
			require.NoError(t, err)
			assert.Equal(t, want, spec)
			assert.Equal(t, outputs(m, theta), outputs(got, gotTheta))
		})
	}
}

// outputs evaluates a model at a fixed input.
func outputs(m learned.Model, theta []float64) []float64 {
	switch m := m.(type) {
	case *learned.NeuralField:
		dst := make([]float64, m.Dim())
		m.Func(dst, 0, threeBodyState(m.Dim()), theta)
		return dst
	case learned.Net:
		in, batch := 0, 1 // three MLP rows, or one sequence of three steps
		switch m := m.(type) {
		case *learned.MLP:
			in, batch = m.Sizes()[0], 3
		case *learned.Sequence:
			in, _ = m.Cell().Sizes()
		}
		y := make([]float64, 64)
		m.Forward(new(learned.Tape), y, filled(3*in, 0.3), theta, batch)
		return y
	}
	panic("unknown model")
}

func TestSaveFormat(t *testing.T) {
	m := learned.NewMLP(nil, []int{1, 1}, "", learned.Identity)
	var buf bytes.Buffer
	require.NoError(t, learned.Save(&buf, m, []float64{2, 0.5}))
	var f learned.File
	require.NoError(t, json.Unmarshal(buf.Bytes(), &f))
	assert.Equal(t, learned.File{Format: "physid-learned", Version: 1, NumParams: 2, Theta: []float64{2, 0.5},
		Model: learned.Spec{Kind: "mlp", MLP: &learned.MLPSpec{Sizes: []int{1, 1}, Output: learned.Identity}}}, f)
}

func TestLoadErrors(t *testing.T) {
	good := `{"format":"physid-learned","version":1,"model":{"kind":"mlp","mlp":{"sizes":[1,1],"hidden":"tanh","output":"identity"}},"num_params":2,"theta":[1,2]}`
	_, _, err := learned.Load(strings.NewReader(good), nil)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		doc  string
		want error
	}{
		"not json":       {"{", learned.ErrFormat},
		"format":         {strings.Replace(good, "physid-learned", "torch", 1), learned.ErrFormat},
		"future version": {strings.Replace(good, `"version":1`, `"version":2`, 1), learned.ErrFormat},
		"unknown field":  {strings.Replace(good, `"theta"`, `"weights":[],"theta"`, 1), learned.ErrFormat},
		"theta length":   {strings.Replace(good, `[1,2]`, `[1,2,3]`, 1), learned.ErrFormat},
		"kind":           {strings.Replace(good, `"kind":"mlp"`, `"kind":"cnn"`, 1), learned.ErrConfig},
		"activation":     {strings.Replace(good, `"tanh"`, `"gelu"`, 1), learned.ErrConfig},
		"sizes":          {strings.Replace(good, `[1,1]`, `[1]`, 1), learned.ErrConfig},
		"features": {`{"format":"physid-learned","version":1,"model":{"kind":"field","field":{"state_dim":2,"order":1,` +
			`"hidden":[],"activation":"tanh","velocity_scale":1,"features":{"kind":"nbody","dim":3}}},"num_params":6,"theta":[1,2,3,4,5,6]}`,
			learned.ErrConfig},
	} {
		_, _, err := learned.Load(strings.NewReader(tc.doc), nil)
		assert.ErrorIs(t, err, tc.want, name)
	}
}

func TestSaveErrors(t *testing.T) {
	m := learned.NewMLP(nil, []int{1, 1}, learned.Tanh, learned.Identity)
	assert.Error(t, learned.Save(new(bytes.Buffer), m, []float64{1}), "wrong length")
	var l learned.Layout
	l.Take(1)
	inner := learned.NewMLP(&l, []int{1, 1}, learned.Tanh, learned.Identity)
	assert.Error(t, learned.Save(new(bytes.Buffer), inner, []float64{1, 2}), "not at offset 0")
	f, err := learned.NewNeuralField(learned.FieldConfig{StateDim: 1, Features: struct{ learned.Features }{learned.IdentityMap{N: 1}}})
	require.NoError(t, err)
	assert.Error(t, learned.Save(new(bytes.Buffer), f, learned.NewParams(f, 1)), "features without a Kind")
}
