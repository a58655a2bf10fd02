package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/experiments/images"
	"github.com/physid/physid/learned/vision"
)

// writeIDXSet writes a small Fashion-MNIST-like directory: n training and n
// test images of h×w pixels with labels lab (cycled).
func writeIDXSet(t *testing.T, dir string, n, h, w int, lab []byte) {
	t.Helper()
	px := make([]byte, n*h*w)
	for i := range px {
		px[i] = byte(i * 7)
	}
	labels := make([]byte, n)
	for i := range labels {
		labels[i] = lab[i%len(lab)]
	}
	for _, p := range []string{"train", "t10k"} {
		require.NoError(t, vision.WriteIDX(filepath.Join(dir, p+"-images-idx3-ubyte"), []int{n, h, w}, px))
		require.NoError(t, vision.WriteIDX(filepath.Join(dir, p+"-labels-idx1-ubyte"), []int{n}, labels))
	}
}

func TestImagesBadInput(t *testing.T) {
	good := t.TempDir()
	writeIDXSet(t, good, 4, 8, 8, []byte{0, 1})
	labelOut := t.TempDir()
	writeIDXSet(t, labelOut, 4, 8, 8, []byte{0, 10})
	tooSmall := t.TempDir()
	writeIDXSet(t, tooSmall, 4, 4, 5, []byte{0, 1})
	mismatch := t.TempDir()
	writeIDXSet(t, mismatch, 4, 8, 8, []byte{0, 1})
	require.NoError(t, vision.WriteIDX(filepath.Join(mismatch, "t10k-images-idx3-ubyte"), []int{4, 9, 8}, make([]byte, 4*9*8)))
	flat := t.TempDir()
	writeIDXSet(t, flat, 4, 8, 8, []byte{0, 1})
	require.NoError(t, vision.WriteIDX(filepath.Join(flat, "train-images-idx3-ubyte"), []int{4, 64}, make([]byte, 4*64)))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown model", []string{"images", "train", "--model", "vgg", "--data", good}, "unknown model"},
		{"unknown method", []string{"images", "train", "--model", "node", "--method", "forward", "--data", good}, "unknown method"},
		{"epochs 0", []string{"images", "train", "--epochs", "0", "--data", good}, "--epochs"},
		{"epochs too many", []string{"images", "train", "--epochs", "1001", "--data", good}, "--epochs"},
		{"width 0", []string{"images", "train", "--width", "0", "--data", good}, "--width"},
		{"precision", []string{"images", "train", "--precision", "float16", "--data", good}, "--precision"},
		{"test step 0", []string{"images", "train", "--test-step", "0", "--data", good}, "--test-step"},
		{"test step NaN", []string{"images", "train", "--test-step", "NaN", "--data", good}, "--test-step"},
		{"width too wide", []string{"images", "train", "--width", "257", "--data", good}, "--width"},
		{"blocks", []string{"images", "train", "--blocks", "9", "--data", good}, "--blocks"},
		{"unknown solver", []string{"images", "train", "--model", "node", "--solver", "rk99", "--data", good}, "--solver"},
		{"missing dir", []string{"images", "train", "--data", filepath.Join(good, "nope")}, "no IDX"},
		{"label out of range", []string{"images", "train", "--data", labelOut}, "label 10"},
		{"images too small", []string{"images", "train", "--data", tooSmall}, "too small"},
		{"train and test shapes differ", []string{"images", "train", "--data", mismatch}, "test images"},
		{"images not 3-D", []string{"images", "train", "--data", flat}, "dimensions"},
		{"data and dataset", []string{"images", "train", "--data", good, "--dataset", "fashion-mnist"}, "exclude"},
		{"unknown dataset", []string{"images", "train", "--dataset", "imagenet"}, "unknown data set"},
		{"unknown subcommand", []string{"images", "fit"}, "unknown subcommand"},
		{"no subcommand", []string{"images"}, "subcommand"},
		{"compare methods", []string{"images", "compare", "--methods", "aca,forward", "--data", good}, "--methods"},
		{"compare epochs", []string{"images", "compare", "--epochs", "0", "--data", good}, "--epochs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := call(tc.args...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

func TestImagesTrainJSON(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 16, 8, 8, []byte{0, 1, 2})
	out := t.TempDir()
	for _, model := range []string{"resnet", "node"} {
		t.Run(model, func(t *testing.T) {
			code, stdout, errOut := call("images", "train", "--model", model, "--data", dir, "--epochs", "1", "--width", "4",
				"--json", "--out", out)
			require.Equal(t, exitOK, code, errOut)
			assert.Equal(t, []string{"epochs", "method", "model", "parameters", "peak_bytes", "seconds", "solver", "test_error"},
				jsonKeys(t, stdout))
			var r imagesJSON
			require.NoError(t, json.Unmarshal([]byte(stdout), &r))
			assert.Equal(t, model, r.Model)
			assert.Equal(t, 1, r.Epochs)
			assert.Positive(t, r.Parameters)
			assert.Positive(t, r.PeakBytes)
			assert.GreaterOrEqual(t, r.TestError, 0.0)
			assert.LessOrEqual(t, r.TestError, 1.0)
			if model == "node" {
				assert.Equal(t, "aca", r.Method)
				assert.Equal(t, "heuneuler", r.Solver)
			}
			_, err := os.Stat(filepath.Join(out, "result.json"))
			assert.NoError(t, err)
		})
	}
}

func TestImagesCompareTiny(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 16, 8, 8, []byte{0, 1, 2})
	out := t.TempDir()
	code, stdout, errOut := call("images", "compare", "--data", dir, "--epochs", "1", "--width", "4", "--out", out)
	require.Equal(t, exitOK, code, errOut)
	for _, s := range []string{"resnet", "aca", "adjoint", "naive", "rk45", "block 1 dropped"} {
		assert.Contains(t, stdout, s)
	}
	b, err := os.ReadFile(filepath.Join(out, "compare.json"))
	require.NoError(t, err)
	var c compareImagesJSON
	require.NoError(t, json.Unmarshal(b, &c))
	// The ResNet, its 2 dropped-block variants, and 3 methods × 6 test solvers.
	assert.Len(t, c.Rows, 1+2+3*len(images.TestSolvers))
	assert.Len(t, c.Curves, 4)
	// Fixed-step test solvers take the --test-step default; adaptive ones
	// report none.
	for _, r := range c.Rows {
		switch r.TestSolver {
		case "euler", "rk2", "rk4":
			assert.Equal(t, imagesTestStep, r.TestStep, r.TestSolver)
		default:
			assert.Zero(t, r.TestStep, r.TestSolver)
		}
	}
	fi, err := os.Stat(filepath.Join(out, "compare.png"))
	require.NoError(t, err)
	assert.Positive(t, fi.Size())
}
