package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	explatent "github.com/physid/physid/internal/experiments/latent"
	"github.com/physid/physid/learned/latent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callLatent runs the latent command in-process (it is not yet in commands()).
func callLatent(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = report(latentCommand().run(args, &out, &errOut), &errOut)
	return code, out.String(), errOut.String()
}

// tinyHopper writes a synthetic stand-in dataset (not the hopper) of 12
// sequences to dir and returns dir.
func tinyHopper(t *testing.T, dir string, corrupt bool) string {
	d := &latent.Dataset{Sequences: 12, Steps: 20, Dim: 2, DT: 0.01, Values: make([]float64, 12*20*2)}
	for i := range d.Values {
		d.Values[i] = math.Sin(0.1*float64(i)) + 0.01*float64(i%7)
	}
	f, err := os.Create(filepath.Join(dir, latent.HopperFile))
	require.NoError(t, err)
	require.NoError(t, latent.Write(f, d))
	require.NoError(t, f.Close())
	if corrupt { // rewrite with a NaN in place of sequence 3, step 4, component 1
		b, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		zr, err := gzip.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		var plain bytes.Buffer
		plain.ReadFrom(zr)
		raw := plain.Bytes()
		copy(raw[28+4*((3*20+4)*2+1):], []byte{0, 0, 0xc0, 0x7f})
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(raw)
		zw.Close()
		require.NoError(t, os.WriteFile(f.Name(), out.Bytes(), 0o644))
	}
	return dir
}

func TestLatentTrainJSON(t *testing.T) {
	data := tinyHopper(t, t.TempDir(), false)
	out := t.TempDir()
	for _, model := range []string{"rnn", "gru", "latent-ode"} {
		code, stdout, stderr := callLatent("train", "--model", model, "--data", data, "--observed", "0.5", "--epochs", "2", "--out", out, "--json")
		require.Equal(t, 0, code, stderr)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(stdout), &got))
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		assert.Equal(t, []string{"epochs", "method", "model", "observed", "parameters", "seconds", "test_mse"}, keys)
		assert.Equal(t, model, got["model"])
		assert.Greater(t, got["test_mse"].(float64), 0.0)
		assert.FileExists(t, filepath.Join(out, "result.json"))
	}
}

func TestLatentBadInputExitsWith2(t *testing.T) {
	good := tinyHopper(t, t.TempDir(), false)
	nan := tinyHopper(t, t.TempDir(), true)
	malformed := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(malformed, latent.HopperFile), []byte("not a dataset"), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "subcommand train"},
		{"missing data", []string{"train", "--data", filepath.Join(good, "nowhere")}, "no such file"},
		{"malformed data", []string{"train", "--data", malformed}, "not gzip"},
		{"nan in a sequence", []string{"train", "--data", nan}, "sequence 3, step 4, component 1 is NaN"},
		{"observed zero", []string{"train", "--data", good, "--observed", "0"}, "(0, 1]"},
		{"observed above one", []string{"train", "--data", good, "--observed", "1.5"}, "(0, 1]"},
		{"observed NaN", []string{"train", "--data", good, "--observed", "NaN"}, "(0, 1]"},
		{"unknown model", []string{"train", "--data", good, "--model", "lstm"}, "allowed: rnn, gru, latent-ode"},
		{"unknown method", []string{"train", "--data", good, "--method", "euler"}, "unknown gradient method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := callLatent(tc.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func TestLatentCompareTable(t *testing.T) {
	data := tinyHopper(t, t.TempDir(), false)
	out := t.TempDir()
	code, stdout, stderr := callLatent("compare", "--data", data, "--epochs", "1", "--seeds", "2", "--fractions", "0.3,0.5", "--out", out)
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"Test MSE (×1e-2)", "30% observed", "50% observed", "rnn", "gru",
		"latent-ode/adjoint", "latent-ode/naive", "latent-ode/aca", "[0.26]", "[-]", "mean predictor",
		"s/epoch relative to aca: adjoint"} {
		assert.Contains(t, stdout, want)
	}
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	var cmp explatent.Comparison
	require.NoError(t, json.Unmarshal(b, &cmp))
	assert.Len(t, cmp.Rows, 5)
	assert.Len(t, cmp.Runs, 20)
	for _, r := range cmp.Rows { // seconds per epoch per gradient method
		assert.Greater(t, r.EpochSeconds, 0.0, r.Name)
	}
	assert.FileExists(t, filepath.Join(out, "reconstructions.png"))

	for _, bad := range [][]string{{"--fractions", "0.1,0"}, {"--fractions", "x"}, {"--seeds", "0"}} {
		code, _, _ := callLatent(append([]string{"compare", "--data", data}, bad...)...)
		assert.Equal(t, 2, code, "%v", bad)
	}
}
