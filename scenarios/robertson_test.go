package scenarios_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/integrate"
	"github.com/physid/physid/scenarios"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// robertsonData is the data of robertson.toml: the scenario's own model at
// the parameters' values, solved with Kvaerno5 at rtol 1e-12 on the grid
// t = 10^(−5 + j/4), j = 0..40, plus N(0, 1e-3²) noise from PCG(1, 2).
func robertsonData(t *testing.T) []byte {
	sc, err := scenarios.Load("robertson.toml")
	require.NoError(t, err)
	truth, ok := sc.TrueValues()
	require.True(t, ok)
	times := make([]float64, 41)
	for j := range times {
		// the times as the file writes them, so the values are at those times
		times[j], err = strconv.ParseFloat(fmt.Sprintf("%.6g", math.Pow(10, -5+float64(j)/4)), 64)
		require.NoError(t, err)
	}
	rows, _, err := integrate.Solve(sc.Model, truth, 0, sc.Z0, times,
		&integrate.Settings{Method: integrate.Kvaerno5, RTol: 1e-12, ATol: 1e-16, MaxSteps: 1e7})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("# robertson.toml's observations; regenerate: go test ./scenarios -run TestRobertsonData -update\n")
	b.WriteString("t,y1,y2e4,y3\n")
	for k, tk := range times {
		fmt.Fprintf(&b, "%.6g", tk)
		for _, v := range rows[k] {
			fmt.Fprintf(&b, ",%.10g", v+1e-3*rng.NormFloat64())
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// TestRobertsonData: the shipped CSV is what its documented command writes.
func TestRobertsonData(t *testing.T) {
	path := filepath.Join("testdata", "robertson.csv")
	want := robertsonData(t)
	if *update {
		require.NoError(t, os.WriteFile(path, want, 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "regenerate with: go test ./scenarios -run TestRobertsonData -update")
}

// TestRobertsonFit fits the three rate constants of robertson.toml with the
// default optimizer (bound-constrained LM); each recovered constant must be
// within 3 standard errors of the truth (the noise is 1e-3 and the classic
// covariance is then right).
func TestRobertsonFit(t *testing.T) {
	sc, err := scenarios.Load("robertson.toml")
	require.NoError(t, err)
	opt, err := sc.Optimizer()
	require.NoError(t, err)
	res, err := identify.Fit(context.Background(), sc.FitProblem(), sc.Options(), opt)
	require.NoError(t, err)
	truth, _ := sc.TrueValues()
	t.Logf("status %s (%s) after %d epochs, %d NFE, %.2fs; loss %.4g", res.Status, res.Starts[res.Best].Message, res.Epochs, res.NFE, res.Seconds, res.Loss)
	assert.Equal(t, "converged", res.Status)
	require.Len(t, res.StdErr, len(truth))
	for i, want := range truth {
		got, se := res.Params[i], res.StdErr[i]
		t.Logf("%s: %.6g ± %.2g (truth %g, %.2f SE)", sc.Params[i].Name, got, se, want, (got-want)/se)
		assert.Less(t, math.Abs(got-want), 3*se, sc.Params[i].Name)
	}
}
