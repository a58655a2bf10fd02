package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGradStiffWithExplicitMethod: grad on the shipped Robertson scenario
// with [solver] method = "dopri5" fails fast (the stiffness detector fires
// after a few dozen steps, instead of 10⁷ steps of max_steps) with exit
// status 1 and a message that says stiff, where, and which method to use;
// the shipped file itself (kvaerno5) succeeds.
func TestGradStiffWithExplicitMethod(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "robertson.toml"))
	require.NoError(t, err)
	csv, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "testdata", "robertson.csv"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "testdata"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "testdata", "robertson.csv"), csv, 0o644))
	explicit := strings.Replace(string(src), `method = "kvaerno5"`, `method = "dopri5"`+"\nmax_steps = 10000000", 1)
	require.NotEqual(t, string(src), explicit)
	file := filepath.Join(dir, "robertson_dopri5.toml")
	require.NoError(t, os.WriteFile(file, []byte(explicit), 0o644))

	start := time.Now()
	code, _, errOut := runCLI("grad", file)
	elapsed := time.Since(start)
	assert.Equal(t, exitRuntime, code, errOut)
	for _, want := range []string{"the problem looks stiff at t=", "stiffness ratio", `[solver] method = "kvaerno5"`, `method = "auto"`} {
		assert.Contains(t, errOut, want)
	}
	assert.NotContains(t, errOut, "loosen the tolerances")
	assert.Less(t, elapsed, time.Second)
	t.Logf("%v: %s", elapsed, errOut)

	code, out, errOut := runCLI("grad", filepath.Join("..", "..", "scenarios", "robertson.toml"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "dL/dθ")
}
