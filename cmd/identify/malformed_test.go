package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCLI runs the command in-process and returns its exit status and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// wants returns the fragments a malformed file's first line expects in the
// error message: "# want: FRAGMENT | FRAGMENT …", where \n and \t stand for a
// newline and a tab (a syntax error's expression and caret lines).
func wants(t *testing.T, path string) []string {
	t.Helper()
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(src), "\n")
	w, ok := strings.CutPrefix(first, "# want: ")
	if !ok {
		return nil
	}
	w = strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(w)
	return strings.Split(w, " | ")
}

// TestMalformedScenarios feeds every file in testdata/malformed to grad. Each
// must fail as a bad input — exit status 2, nothing on stdout, no internal
// error — with a message holding the fragments its "# want: " line gives: the
// file, the line, the field and the gist. The lines in the fragments count
// the comment itself, which is line 1.
func TestMalformedScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "malformed", "*.toml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 15)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".toml"), func(t *testing.T) {
			want := wants(t, file)
			require.NotEmpty(t, want, "%s needs a first line \"# want: FRAGMENT\"", file)
			code, out, errOut := runCLI("grad", file)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Empty(t, out)
			assert.NotContains(t, errOut, "internal error")
			for _, w := range want {
				assert.Contains(t, errOut, w)
			}
		})
	}
}

// TestShippedScenariosGrad runs grad on every shipped scenario.
func TestShippedScenariosGrad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.toml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 9)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".toml"), func(t *testing.T) {
			code, out, errOut := runCLI("grad", file)
			require.Equal(t, exitOK, code, errOut)
			assert.Contains(t, out, "loss")
			assert.Contains(t, out, "dL/dθ")
		})
	}
}

// TestDomainErrorNamesEquationAndTime: a right-hand side that leaves its
// domain at run time is a failed computation (exit status 1) whose message
// names the equation, the problem and the time, whether f fails at the
// initial state or the solution runs into the edge of the domain later.
func TestDomainErrorNamesEquationAndTime(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"log_negative.toml", []string{`aca gradient: expr: equation "v": log of non-positive value at t=0`}},
		{"sqrt_edge.toml", []string{"step size underflow at t=0.6137",
			`the steps tried leave the model's domain: expr: equation "x": sqrt of negative value at t=0.6137`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			code, out, errOut := runCLI("grad", filepath.Join("testdata", "domain", tc.file))
			assert.Equal(t, exitRuntime, code, errOut)
			assert.Empty(t, out)
			for _, w := range tc.want {
				assert.Contains(t, errOut, w)
			}
			assert.NotContains(t, errOut, "NaN")
		})
	}
}
