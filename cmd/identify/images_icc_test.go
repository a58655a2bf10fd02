package main

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iccTinyIDX writes a small learnable IDX data set (10 classes of 12×12
// images, a bright bar whose position is the class, plus noise) to a
// temporary directory and returns it.
func iccTinyIDX(t *testing.T, train, test int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	write := func(prefix string, n int) {
		img := binary.BigEndian.AppendUint32(nil, 0x803)
		img = binary.BigEndian.AppendUint32(img, uint32(n))
		img = binary.BigEndian.AppendUint32(img, 12)
		img = binary.BigEndian.AppendUint32(img, 12)
		lab := binary.BigEndian.AppendUint32(nil, 0x801)
		lab = binary.BigEndian.AppendUint32(lab, uint32(n))
		for i := range n {
			c := i % 10
			lab = append(lab, byte(c))
			for r := range 12 {
				for col := range 12 {
					v := rng.IntN(60)
					if r == c+1 && col > 1 && col < 10 {
						v += 180
					}
					img = append(img, byte(v))
				}
			}
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"), img, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"), lab, 0o644))
	}
	write("train", train)
	write("t10k", test)
	return dir
}

// TestImagesICC trains two tiny models of each kind and checks the Table 3
// output: ICCs in [−1, 1] with their intervals around them, the run errors.
func TestImagesICC(t *testing.T) {
	data := iccTinyIDX(t, 200, 60)
	out := t.TempDir()
	code, stdout, stderr := call("images", "icc", "--data", data, "--runs", "2", "--epochs", "2",
		"--width", "4", "--blocks", "1", "--out", out, "--json")
	require.Equal(t, 0, code, stderr)
	var doc iccJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	require.Len(t, doc.Models, 2)
	assert.Equal(t, "resnet", doc.Models[0].Model)
	assert.Equal(t, "node", doc.Models[1].Model)
	for _, m := range doc.Models {
		require.NotNil(t, m.Whole.ICC1, m.Model)
		assert.GreaterOrEqual(t, *m.Whole.ICC1, -1.0)
		assert.LessOrEqual(t, *m.Whole.ICC1, 1.0)
		assert.LessOrEqual(t, *m.Whole.ICC1Lower, *m.Whole.ICC1)
		assert.GreaterOrEqual(t, *m.Whole.ICC1Upper, *m.Whole.ICC1)
		// With k = 2 raters, ICC(1,k) = 2·ICC1/(1 + ICC1) (Spearman–Brown).
		assert.InDelta(t, 2**m.Whole.ICC1/(1+*m.Whole.ICC1), *m.Whole.ICC1k, 1e-12)
		assert.Len(t, m.TestErrors, 2)
		assert.Equal(t, []uint64{1, 2}, m.Seeds)
	}
	_, err := os.Stat(filepath.Join(out, "icc.json"))
	require.NoError(t, err)
}

func TestImagesICCBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--runs", "1"}, "--runs: 1 outside 2..100"},
		{[]string{"--runs", "101"}, "outside 2..100"},
		{[]string{"--epochs", "0"}, "--epochs: 0 outside 1..1000"},
		{[]string{"--data", "/nonexistent/dir"}, "/nonexistent/dir"},
	} {
		code, _, stderr := call(append([]string{"images", "icc", "--out", t.TempDir()}, tc.args...)...)
		assert.Equal(t, 2, code, stderr)
		assert.Contains(t, stderr, tc.want)
	}
}
