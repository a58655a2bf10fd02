package latent

import (
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDatasetRoundTrip(t *testing.T) {
	d := synthetic(4, 7, 3, 1)
	for i := range d.Values { // exactly representable in float32
		d.Values[i] = float64(float32(d.Values[i]))
	}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, d))
	got, err := Read(&buf)
	require.NoError(t, err)
	assert.Equal(t, d, got)
}

func TestShippedHopper(t *testing.T) {
	d, err := Load("../../testdata/hopper")
	require.NoError(t, err)
	assert.Equal(t, 500, d.Sequences)
	assert.Equal(t, 100, d.Steps)
	assert.Equal(t, 14, d.Dim) // 7 positions, 7 velocities
	assert.InDelta(t, 0.005, d.DT, 1e-12)
	// The generator draws root x, z in [0, 0.5]: the first state says so.
	for s := range d.Sequences {
		x0 := d.Sequence(s)[:2]
		assert.True(t, x0[0] >= 0 && x0[0] <= 0.5 && x0[1] >= 0 && x0[1] <= 0.5, "sequence %d starts at %v", s, x0)
	}
	n := d.Normalized()
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range n.Values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	assert.Equal(t, 0.0, lo)
	assert.Equal(t, 1.0, hi)
}

// gz returns the gzip of b.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestBadDatasets(t *testing.T) {
	good := synthetic(2, 3, 2, 1)
	var ok bytes.Buffer
	require.NoError(t, Write(&ok, good))
	raw, err := gzip.NewReader(bytes.NewReader(ok.Bytes()))
	require.NoError(t, err)
	var plain bytes.Buffer
	plain.ReadFrom(raw)
	nan := append([]byte(nil), plain.Bytes()...)
	copy(nan[28+4*5:], []byte{0, 0, 0xc0, 0x7f}) // float32 NaN at sequence 0, step 2, component 1
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("hello"), "not gzip"},
		{"wrong magic", gz([]byte("PHYSHOPX")), "header"},
		{"short header", gz([]byte("PHYSHOP1\x01\x00")), "short header"},
		{"truncated", gz(plain.Bytes()[:len(plain.Bytes())-3]), "ends early"},
		{"trailing", gz(append(append([]byte(nil), plain.Bytes()...), 0)), "trailing"},
		{"nan", gz(nan), "sequence 0, step 2, component 1 is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tc.data))
			require.ErrorIs(t, err, ErrData)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err = Load(filepath.Join(t.TempDir(), "missing"))
	require.ErrorIs(t, err, ErrData)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestSampleObserved(t *testing.T) {
	obs, err := SampleObserved(3, 100, 0.1, 5)
	require.NoError(t, err)
	for s := range 3 {
		n := 0
		for _, o := range obs[s*100 : (s+1)*100] {
			if o {
				n++
			}
		}
		assert.Equal(t, 10, n)
	}
	again, _ := SampleObserved(3, 100, 0.1, 5)
	assert.Equal(t, obs, again)
	for _, f := range []float64{0, -0.1, 1.01, math.NaN()} {
		_, err := SampleObserved(3, 100, f, 5)
		assert.ErrorIs(t, err, ErrConfig, "fraction %v", f)
	}
}

func TestBatchUnionOfTimes(t *testing.T) {
	d := synthetic(2, 5, 1, 1)
	obs := []bool{true, false, true, false, false, false, false, false, false, true}
	b := NewBatch(d, []int{0, 1}, obs)
	assert.Equal(t, []int{0, 2, 4}, b.Obs)
	assert.Equal(t, []float64{1, 0}, b.Mask[2*2:2*2+2]) // time 2: only sequence 0
}
