package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFitTanksExperiments: a fit with an estimation and a held-out
// validation experiment writes result.json's experiments (local parameters
// with standard errors, per-observable rmse, nrmse, fit_percent, points),
// a table marking the validation run, one plot and CSV per experiment; and
// simulate/extrapolate --experiment write the observables and the inputs.
func TestFitTanksExperiments(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := call("fit", "../../scenarios/tanks.toml", "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "validation     validation   level")
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	var res resultJSON
	require.NoError(t, json.Unmarshal(b, &res))
	require.Len(t, res.Experiments, 2)
	est, val := res.Experiments[0], res.Experiments[1]
	assert.Equal(t, "estimation", est.Name)
	assert.True(t, est.Fit)
	assert.False(t, val.Fit)
	for _, e := range res.Experiments {
		for _, n := range []string{"h1_0", "h2_0"} {
			require.Contains(t, e.LocalParameters, n)
			assert.NotNil(t, e.LocalParameters[n].StdErr, "%s %s", e.Name, n)
		}
		o := e.Observables["level"]
		assert.Equal(t, 1024, o.Points)
		assert.Greater(t, o.FitPercent, 95.0)
		assert.Greater(t, o.RMSE, 0.0)
		assert.InDelta(t, o.RMSE/o.NRMSE, 10-2.2, 6, "nrmse = rmse/(max y − min y)")
	}
	assert.NotContains(t, res.Parameters, "h1_0", "local parameters are per experiment")
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &raw))
	var exps []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw["experiments"], &exps))
	for _, key := range []string{"name", "fit", "local_parameters", "observables"} {
		assert.Contains(t, exps[0], key)
	}
	for _, f := range []string{"fit_estimation.png", "fit_validation.png", "fit_estimation.csv", "loss.png"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	assertGolden(t, filepath.Join(dir, "fit_validation.png"), filepath.Join("testdata", "fit_validation.png"))

	sim := filepath.Join(dir, "sim.csv")
	code, _, stderr = call("simulate", "../../scenarios/tanks.toml", "--experiment", "validation", "--out", sim)
	require.Equal(t, exitOK, code, stderr)
	head, err := os.ReadFile(sim)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(head), "t,h1,h2,level,pump\n"))
	code, _, stderr = call("extrapolate", "../../scenarios/tanks.toml", "--from", filepath.Join(dir, "result.json"), "--experiment", "estimation")
	require.Equal(t, exitOK, code, stderr)
	assert.FileExists(t, filepath.Join(dir, "extrapolation_estimation.csv"))
	code, _, stderr = call("simulate", "../../scenarios/tanks.toml", "--experiment", "nope")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `unknown experiment "nope" (allowed: estimation, validation)`)
}

// assertGolden compares a PNG with its golden copy in testdata (rewritten
// with -update): gonum/plot renders with embedded fonts, so the image is
// reproducible; 1% of the pixels may differ for rasteriser changes.
func assertGolden(t *testing.T, path, golden string) {
	t.Helper()
	if *update {
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, src, 0o644))
	}
	img, want := readPNG(t, path), readPNG(t, golden)
	require.Equal(t, want.Bounds(), img.Bounds())
	diff := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			if absDiff(r1, r2)+absDiff(g1, g2)+absDiff(b1, b2) > 3*0x2000 {
				diff++
			}
		}
	}
	assert.Less(t, float64(diff), 0.01*float64(img.Bounds().Dx()*img.Bounds().Dy()), "pixels differing from %s", golden)
}
