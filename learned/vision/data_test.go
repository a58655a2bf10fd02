package vision

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	px := make([]byte, 3*4*5)
	for i := range px {
		px[i] = byte(i * 4)
	}
	require.NoError(t, WriteIDX(filepath.Join(dir, "train-images-idx3-ubyte.gz"), []int{3, 4, 5}, px))
	require.NoError(t, WriteIDX(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), []int{3}, []byte{0, 9, 4}))
	require.NoError(t, WriteIDX(filepath.Join(dir, "t10k-images-idx3-ubyte"), []int{1, 4, 5}, px[:20]))
	require.NoError(t, WriteIDX(filepath.Join(dir, "t10k-labels-idx1-ubyte"), []int{1}, []byte{2}))
	s, err := LoadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, Shape{1, 4, 5}, s.Train.Shape)
	assert.Equal(t, []uint8{0, 9, 4}, s.Train.Labels)
	assert.InDelta(t, 4.0/255, s.Train.Pixels[1], 1e-15)
	assert.Equal(t, 1, s.Test.Len())

	// A label out of range and a count mismatch are reported.
	require.NoError(t, WriteIDX(filepath.Join(dir, "t10k-labels-idx1-ubyte"), []int{1}, []byte{10}))
	_, err = LoadDir(dir)
	assert.True(t, errors.Is(err, ErrData))
	assert.ErrorContains(t, err, "label 10")
	require.NoError(t, WriteIDX(filepath.Join(dir, "t10k-labels-idx1-ubyte"), []int{2}, []byte{1, 1}))
	_, err = LoadDir(dir)
	assert.ErrorContains(t, err, "does not match")
	// A truncated file.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte"), []byte{0, 0, 8, 3, 0, 0, 0, 1}, 0o644))
	_, err = LoadDir(dir)
	assert.True(t, errors.Is(err, ErrData))
}

func cifarRecord(fine bool, coarse, label byte, fill byte) []byte {
	var r []byte
	if fine {
		r = append(r, coarse)
	}
	r = append(r, label)
	for range 3 * 32 * 32 {
		r = append(r, fill)
	}
	return r
}

func TestCIFARRoundTrip(t *testing.T) {
	dir := t.TempDir()
	// CIFAR-10: data_batch_1..5.bin and test_batch.bin, 1 label byte + 3072 pixels.
	for i, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		b := append(cifarRecord(false, 0, byte(i), 255), cifarRecord(false, 0, 9, 0)...)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	s, err := LoadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, Shape{3, 32, 32}, s.Train.Shape)
	assert.Equal(t, 10, s.Train.Len())
	assert.Equal(t, []uint8{5, 9}, s.Test.Labels)
	assert.Equal(t, 1.0, s.Test.Pixels[0])
	// A wrong record size.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test_batch.bin"), make([]byte, 3072), 0o644))
	_, err = LoadDir(dir)
	assert.ErrorContains(t, err, "whole number")

	// CIFAR-100: coarse + fine label.
	dir100 := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir100, "train.bin"), cifarRecord(true, 19, 99, 1), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir100, "test.bin"), cifarRecord(true, 3, 42, 1), 0o644))
	s, err = LoadDir(dir100)
	require.NoError(t, err)
	assert.Equal(t, 100, s.Train.Classes)
	assert.Equal(t, []uint8{42}, s.Test.Labels)
	require.NoError(t, os.WriteFile(filepath.Join(dir100, "test.bin"), cifarRecord(true, 20, 42, 1), 0o644))
	_, err = LoadDir(dir100)
	assert.ErrorContains(t, err, "coarse label 20")
}

func TestShippedSubset(t *testing.T) {
	s, err := Subset()
	require.NoError(t, err)
	assert.Equal(t, 6000, s.Train.Len())
	assert.Equal(t, 1000, s.Test.Len())
	assert.Equal(t, Shape{1, 28, 28}, s.Train.Shape)
	count := make([]int, 10)
	for _, l := range s.Test.Labels {
		count[l]++
	}
	assert.Equal(t, []int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100}, count)
}
