package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/scenarios"
)

// loadWithin runs Load in a goroutine and fails the test if it takes longer
// than d: the regressions here were hangs, so a hang must fail, not stall the
// suite.
func loadWithin(t *testing.T, d time.Duration, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := scenarios.Load(path)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("Load(%s) still running after %v", path, d)
		return nil
	}
}

// TestSpecialFilesAreRefused: a named pipe as the scenario or as data.file
// used to block forever in open(2). Stat-before-open makes it an error that
// names the file and what it is; 5 s is far above the microseconds the check
// takes and far below a hang.
func TestSpecialFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.toml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	err := loadWithin(t, 5*time.Second, fifo)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pipe.toml")
	assert.Contains(t, err.Error(), "named pipe")

	csvFifo := filepath.Join(dir, "obs.csv")
	require.NoError(t, syscall.Mkfifo(csvFifo, 0o644))
	src := vdpBase(map[int]string{14: `file = "obs.csv"`, 15: "", 16: "", 17: "", 18: "", 19: ""})
	path := filepath.Join(dir, "data.toml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	err = loadWithin(t, 5*time.Second, path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "obs.csv")
	assert.Contains(t, err.Error(), "named pipe")

	err = loadWithin(t, 5*time.Second, dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "directory")
}

// TestNestingAndSizeLimits: deeply nested inline tables or arrays are refused
// before the TOML parser sees them (16,000 levels took it minutes and
// gigabytes), with the line where the limit is crossed; strings and comments
// full of brackets do not count.
func TestNestingAndSizeLimits(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"inline tables", "name = \"x\"\n" + "a = " + strings.Repeat("{b = ", 16000) + "1" + strings.Repeat("}", 16000) + "\n",
			"bad.toml:2: arrays and inline tables nested more than 64 deep"},
		{"arrays over lines", "name = \"x\"\n" + "a = " + strings.Repeat("[\n", 100) + "1" + strings.Repeat("]", 100) + "\n",
			"bad.toml:66: arrays and inline tables nested more than 64 deep"},
		{"too large", "name = \"x\"\n#" + strings.Repeat("x", 17<<20) + "\n",
			"more than the 16 MiB a scenario may have"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.toml")
			require.NoError(t, os.WriteFile(path, []byte(tc.src), 0o644))
			err := loadWithin(t, 5*time.Second, path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// Brackets inside strings and comments are text, not nesting: this file
	// loads (up to the usual checks) although it has 200 of each.
	brackets := strings.Repeat("[{", 100)
	src := strings.Replace(vdpBase(nil), `name = "t"`, `name = "t`+brackets+`" # `+brackets+"\n"+`# '''`+brackets, 1)
	path := filepath.Join(t.TempDir(), "ok.toml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	assert.NoError(t, loadWithin(t, 5*time.Second, path))
}

// TestLoadTimeRanges: values the solver could not use are refused at load
// time with the field and the allowed range, instead of failing later inside
// a solve with "times[2] = +Inf" or a NaN step size.
func TestLoadTimeRanges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edits map[int]string
		want  string
	}{
		{"rtol below float64", map[int]string{24: "rtol = 1e-300", 25: "atol = 1e-300"},
			"bad.toml:24: solver.rtol: 1e-300 is outside what an adaptive solve in float64 can meet (allowed: 0 for the default 1e-6, or 1e-14 ≤ rtol ≤ 1)"},
		{"rtol above 1", map[int]string{24: "rtol = 2"}, "bad.toml:24: solver.rtol: 2 is outside"},
		{"t0 overflows spans", map[int]string{11: "z0 = [2.0, 0.0]\nt0 = -1e308"},
			"bad.toml:12: initial_state.t0: -1e+308 is outside ±1e+300"},
		{"observation time overflows", map[int]string{16: "     1e308]"},
			"bad.toml:16: data.t[2]: time 1e+308 is outside ±1e+300"},
		{"simulated noise overflows", map[int]string{13: "observe = [\"x\", \"v\"]\nsimulate = { t1 = 2.0, points = 50, noise = 1e308 }",
			14: "", 15: "", 16: "", 17: "", 18: "", 19: ""},
			"data.simulate.noise: 1e+308 makes observation"},
		{"simulation rtol", map[int]string{13: "observe = [\"x\", \"v\"]\nsimulate = { t1 = 2.0, rtol = 1e-20 }",
			14: "", 15: "", 16: "", 17: "", 18: "", 19: ""},
			"data.simulate.rtol: 1e-20 is outside what an adaptive solve in float64 can meet (allowed: 0 for the default 1e-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.toml")
			require.NoError(t, os.WriteFile(path, []byte(vdpBase(tc.edits)), 0o644))
			err := loadWithin(t, 10*time.Second, path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
