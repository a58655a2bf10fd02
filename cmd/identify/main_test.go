package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/experiments/reverse"
)

var update = flag.Bool("update", false, "rewrite the golden PNG in testdata")

// call runs the command in-process.
func call(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

var shipped = []struct {
	file   string
	params []string
	dim    int
}{
	{"../../scenarios/van_der_pol.toml", []string{"mu"}, 2},
	{"../../scenarios/toy_exponential.toml", []string{"k"}, 1},
}

// jsonKeys asserts that out is exactly one JSON object and returns its keys,
// sorted.
func jsonKeys(t *testing.T, out string) []string {
	t.Helper()
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(&obj))
	assert.False(t, dec.More(), "exactly one JSON object")
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestGradJSON(t *testing.T) {
	want := []string{"bytes", "gradient", "initial_state_gradient", "loss", "method", "nfe_backward",
		"nfe_forward", "seconds", "steps_accepted", "steps_rejected"}
	for _, sc := range shipped {
		for _, method := range []string{"aca", "adjoint", "naive", "forward"} {
			t.Run(filepath.Base(sc.file)+"/"+method, func(t *testing.T) {
				// Flags after the positional argument, in both spellings.
				code, out, errOut := call("grad", sc.file, "--json", "-method="+method)
				require.Equal(t, 0, code, errOut)
				keys := want
				if method == "adjoint" { // only the adjoint measures its reconstruction
					keys = append([]string(nil), want[:7]...)
					keys = append(append(keys, "reconstruction_error"), want[7:]...)
				}
				assert.Equal(t, keys, jsonKeys(t, out))

				var g gradJSON
				require.NoError(t, json.Unmarshal([]byte(out), &g))
				assert.Equal(t, method, g.Method)
				var names []string
				for k := range g.Gradient {
					names = append(names, k)
				}
				assert.Equal(t, sc.params, names)
				assert.Len(t, g.InitialStateGradient, sc.dim)
				assert.Positive(t, g.Loss)
				assert.Positive(t, g.NFEForward)
				assert.Positive(t, g.StepsAccepted)
				assert.Positive(t, g.Bytes)
			})
		}
	}
}

// TestGradToyValues: the toy's dL/dk and dL/dz0 are both 2e² at T = 1.
func TestGradToyValues(t *testing.T) {
	code, out, errOut := call("grad", "--json", shipped[1].file)
	require.Equal(t, 0, code, errOut)
	var g gradJSON
	require.NoError(t, json.Unmarshal([]byte(out), &g))
	assert.InEpsilon(t, 14.7781121978613, g.Gradient["k"], 1e-5)
	assert.InEpsilon(t, 14.7781121978613, g.InitialStateGradient[0], 1e-5)
}

func TestGradTable(t *testing.T) {
	code, out, errOut := call("grad", shipped[0].file)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	for _, s := range []string{"van der Pol", "gradient by aca", "loss  1.8569", "mu", "dL/dz0", "function evaluations"} {
		assert.Contains(t, out, s)
	}
}

func TestGradFixedParameterStillReported(t *testing.T) {
	src, err := os.ReadFile(shipped[0].file)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fixed.toml")
	require.NoError(t, os.WriteFile(path, bytes.Replace(src, []byte("max = 10.0"), []byte("max = 10.0\nfixed = true"), 1), 0o644))
	code, out, errOut := call("grad", path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "(fixed)")
	code, out, _ = call("grad", path, "--json")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `"mu":`)
}

func TestBadScenarioExitsWith2(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(shipped[0].file)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"unknown kind", `kind = "vanderpol"`, `kind = "duffing"`, `bad.toml:8: system.kind: unknown value "duffing" (allowed: exponential, expression, linear, lotka_volterra, nbody, vanderpol)`},
		{"unknown key", "rtol = 1e-7", "rtoll = 1e-7", "bad.toml:52: solver.rtoll: unknown key (allowed: method, rtol, atol, step, max_steps, land)"},
		{"wrong type", "z0 = [2.0, 0.0]", `z0 = "2, 0"`, "bad.toml:18: initial_state.z0: wrong type: want an array, got a string"},
		{"syntax", `method = "aca"`, `method = aca`, "bad.toml:57: gradient.method: TOML syntax"},
		{"unknown state", `observe = ["x", "v"]`, `observe = ["x", "y"]`, `bad.toml:21: data.observe[1]: unknown state name "y" (allowed: x, v)`},
		{"init outside bounds", "init = 1.5", "init = 11", "bad.toml:13: parameters[0].init: init 11 is outside [min, max] = [0, 10]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, string(good), tc.from)
			path := filepath.Join(dir, "bad.toml")
			require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(good), tc.from, tc.to, 1)), 0o644))
			code, out, errOut := call("grad", path)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.True(t, strings.HasPrefix(errOut, filepath.Join(dir, tc.want)), "got %s", errOut)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line")
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "Usage:"},
		{[]string{"fitt"}, `unknown command "fitt"`},
		{[]string{"fit"}, "fit needs exactly one SCENARIO"},
		{[]string{"fit", shipped[0].file, "--optimizer", "sgd"}, `unknown optimizer "sgd" (allowed: adam, lbfgs, lm)`},
		{[]string{"extrapolate", shipped[0].file}, "extrapolate needs --from"},
		{[]string{"grad"}, "grad needs exactly one SCENARIO"},
		{[]string{"grad", "a.toml", "b.toml"}, "got 2 arguments"},
		{[]string{"grad", shipped[0].file, "--method", "newton"}, `unknown method "newton" (allowed: aca, adjoint, naive, forward)`},
		{[]string{"grad", shipped[0].file, "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"grad", shipped[0].file, "--method"}, "flag needs an argument"},
		{[]string{"grad", "no/such/file.toml"}, "no such file"},
		{[]string{"reproduce"}, "reproduce needs one experiment"},
		{[]string{"reproduce", "fig9"}, `unknown experiment "fig9" (allowed: toy, reverse, three-body, latent-ode, images)`},
		{[]string{"help", "fitt"}, `unknown command "fitt"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := call(tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"help", "grad"}, {"grad", "-h"}, {"help", "reproduce"}, {"help", "fit"}, {"fit", "-h"}} {
		code, out, errOut := call(args...)
		assert.Equal(t, 0, code, args)
		assert.Empty(t, errOut)
		assert.Contains(t, out, "identify", args)
	}
	_, out, _ := call("help", "grad")
	assert.Contains(t, out, "-method")
	assert.Contains(t, out, "-json")
}

func TestSolverFailureExitsWith1(t *testing.T) {
	src, err := os.ReadFile(shipped[0].file)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "short.toml")
	require.NoError(t, os.WriteFile(path, bytes.Replace(src, []byte("max_steps = 1000000"), []byte("max_steps = 5"), 1), 0o644))
	code, out, errOut := call("grad", path)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "maximum number of steps")
}

// TestPanicExitsWith3: a nil stdout makes printing panic; run recovers and
// reports an internal error.
func TestPanicExitsWith3(t *testing.T) {
	var errOut bytes.Buffer
	code := run([]string{"grad", shipped[0].file}, nil, &errOut)
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut.String(), "internal error")
}

func TestParseInterleaved(t *testing.T) {
	fset := flag.NewFlagSet("x", flag.ContinueOnError)
	s := fset.String("s", "", "")
	b := fset.Bool("b", false, "")
	pos, err := parseInterleaved(fset, []string{"a", "--s", "v", "b", "-b", "--", "-c"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "-c"}, pos)
	assert.Equal(t, "v", *s)
	assert.True(t, *b)
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

func TestReproduceToy(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := call("reproduce", "--out", dir, "toy")
	require.Equal(t, 0, code, errOut)
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 10 {
			continue
		}
		if _, err := strconv.ParseFloat(f[0], 64); err != nil {
			continue // the header
		}
		rows++
		aca, err := strconv.ParseFloat(f[2], 64)
		require.NoError(t, err)
		assert.LessOrEqual(t, aca, 1e-4, line)
	}
	assert.Equal(t, 6, rows, out)

	img := readPNG(t, filepath.Join(dir, "toy.png"))
	assert.Greater(t, img.Bounds().Dx(), 300)
	var doc toyJSON
	b, err := os.ReadFile(filepath.Join(dir, "toy.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Len(t, doc.Rows, 6)
	assert.Len(t, doc.Rows[0].Methods, 4)

	assertGolden(t, filepath.Join(dir, "toy.png"), filepath.Join("testdata", "toy.png"))
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestReproduceReverse(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := call("reproduce", "reverse", "--out="+dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "max |z_back(t) - z_fwd(t)|")
	readPNG(t, filepath.Join(dir, "reverse.png"))
	var doc reverseJSON
	b, err := os.ReadFile(filepath.Join(dir, "reverse.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Greater(t, doc.MaxError, 0.1, "the drift is visible")
	assert.Len(t, doc.Times, reverse.Points+1)
	assert.Len(t, doc.Sweep, 3)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary files left")
}

// TestReproduceReverseConv: paper Fig. 5. The forward solve is accurate, the
// backward one from z(T) does not get the image back, at any tolerance: the
// flow damps fine detail and the backward solve amplifies rounding and
// truncation errors in exactly those modes.
func TestReproduceReverseConv(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := call("reproduce", "reverse", "--conv", "--out", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Paper Fig. 5")
	readPNG(t, filepath.Join(dir, "reverse_conv.png"))
	var doc reverseConvJSON
	b, err := os.ReadFile(filepath.Join(dir, "reverse_conv.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Len(t, doc.Sweep, 3)
	for _, r := range doc.Sweep {
		assert.Empty(t, r.Failure)
		assert.Greater(t, r.RelError, 0.1, "rtol %g: the reconstruction is far from the input", r.RTol)
	}
	assert.Len(t, doc.Kernel, 9)
}
