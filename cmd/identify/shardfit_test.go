package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	lvScenario  = "../../scenarios/lotka_volterra.toml"
	sirScenario = "../../scenarios/sir_epidemic.toml"
)

// runShards runs args with --shard I/N for every I, shard I writing into
// outs[I mod len(outs)].
func runShards(t *testing.T, n int, outs []string, args ...string) {
	t.Helper()
	for i := range n {
		code, stdout, stderr := callIdentify(t, append(args, "--out", outs[i%len(outs)], "--shard", fmt.Sprintf("%d/%d", i, n))...)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, fmt.Sprintf("shard-%d-of-%d.json", i, n))
	}
}

// sameFiles checks that every file of want is in got with the same bytes,
// result.json's timing fields aside.
func sameFiles(t *testing.T, want, got string, files ...string) {
	t.Helper()
	for _, f := range files {
		a, err := os.ReadFile(filepath.Join(want, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(got, f))
		require.NoError(t, err, f)
		if strings.HasSuffix(f, ".json") { // result.json, compare.json: timing fields aside
			assert.Equal(t, withoutTiming(a), withoutTiming(b), f)
			continue
		}
		assert.True(t, string(a) == string(b), "%s differs", f)
	}
}

// TestFitShardsMergeByteForByte: a 16-start fit in 4 shards (written to two
// folders) merges to the single-machine fit: result.json byte for byte but
// for "seconds", and the same history, trajectory and plots.
func TestFitShardsMergeByteForByte(t *testing.T) {
	dir := t.TempDir()
	whole, a, b, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "merged")
	args := []string{"fit", lvScenario, "--starts", "16", "--epochs", "3", "--seed", "11"}
	code, _, stderr := callIdentify(t, append(args, "--out", whole)...)
	require.Equal(t, exitOK, code, stderr)
	runShards(t, 4, []string{a, b}, args...)
	code, stdout, stderr := callIdentify(t, "merge", a, b, "--out", merged)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "wrote "+filepath.Join(merged, "result.json"))
	sameFiles(t, whole, merged, fitFiles...)
	res, err := os.ReadFile(filepath.Join(merged, "result.json"))
	require.NoError(t, err)
	assert.Equal(t, 16, strings.Count(string(res), `"init": [`), "every start is in the merge")
}

// TestProfileShardsMergeByteForByte: a profile's four sides in 3 shards
// merge to the single-machine profile.json and plots, byte for byte.
func TestProfileShardsMergeByteForByte(t *testing.T) {
	dir := t.TempDir()
	whole, sh, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "sh"), filepath.Join(dir, "merged")
	args := []string{"profile", sirScenario, "--points", "5", "--epochs", "30"}
	code, _, stderr := callIdentify(t, append(args, "--out", whole)...)
	require.Equal(t, exitOK, code, stderr)
	runShards(t, 3, []string{sh}, args...)
	code, _, stderr = callIdentify(t, "merge", sh, "--out", merged)
	require.Equal(t, exitOK, code, stderr)
	entries, err := os.ReadDir(whole)
	require.NoError(t, err)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	require.Contains(t, files, "profile.json")
	require.Len(t, files, 3, "profile.json and two plots")
	sameFiles(t, whole, merged, files...)
}

func TestFitProfileShardBadInput(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	t.Setenv("JOB_COMPLETION_INDEX", "")
	for _, cmd := range [][]string{{"fit", lvScenario, "--starts", "4"}, {"profile", sirScenario}} {
		for value, want := range map[string]string{
			"3/2": `identify: --shard "3/2": shard index 3 is not below the shard count 2 (shards are numbered 0..1)`,
			"a/b": `identify: --shard "a/b": shard index "a" is not a whole number ≥ 0 (want I/N, 0 ≤ I < N)`,
		} {
			code, _, stderr := callIdentify(t, append(cmd, "--out", filepath.Join(dir, "x"), "--shard", value)...)
			assert.Equal(t, exitUsage, code, "%s %s", cmd[0], value)
			assert.Equal(t, want+"\n", stderr, "%s %s", cmd[0], value)
		}
	}
	t.Run("resume", func(t *testing.T) {
		code, _, stderr := callIdentify(t, "fit", lvScenario, "--out", filepath.Join(dir, "r"), "--shard", "0/2", "--resume", dir)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "--shard 0/2: a shard cannot --resume")
	})
	t.Run("starts", func(t *testing.T) {
		code, _, stderr := callIdentify(t, "fit", lvScenario, "--out", filepath.Join(dir, "r"), "--starts", "0")
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "--starts: 0 is out of range; want 1 to 10000")
	})
	t.Run("different scenarios", func(t *testing.T) {
		b, err := os.ReadFile(lvScenario)
		require.NoError(t, err)
		other := filepath.Join(dir, "lv2.toml")
		require.NoError(t, os.WriteFile(other, []byte(strings.Replace(string(b), "init = 1.0", "init = 0.9", 1)), 0o644))
		out := filepath.Join(dir, "d")
		for i, s := range []string{lvScenario, other} {
			code, _, stderr := callIdentify(t, "fit", s, "--starts", "2", "--epochs", "1", "--out", out, "--shard", fmt.Sprintf("%d/2", i))
			require.Equal(t, exitOK, code, stderr)
		}
		code, _, stderr := callIdentify(t, "merge", out)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, filepath.Join(out, "shard-1-of-2.json")+": scenario "+other+" has SHA-256 ")
		assert.Contains(t, stderr, "(different scenario)")
	})
	t.Run("scenario changed since", func(t *testing.T) {
		b, err := os.ReadFile(sirScenario)
		require.NoError(t, err)
		s := filepath.Join(dir, "sir.toml")
		require.NoError(t, os.WriteFile(s, b, 0o644))
		out := filepath.Join(dir, "c")
		code, _, stderr := callIdentify(t, "profile", s, "--points", "2", "--epochs", "5", "--out", out, "--shard", "0/1")
		require.Equal(t, exitOK, code, stderr)
		require.NoError(t, os.WriteFile(s, append(b, '\n'), 0o644))
		code, _, stderr = callIdentify(t, "merge", out)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "merge: "+s+" has changed since the shards ran it")
	})
	t.Run("slurm without sbatch", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		for _, cmd := range []string{"fit", "profile"} {
			out := filepath.Join(dir, "s-"+cmd)
			code, _, stderr := callIdentify(t, "slurm", cmd, lvScenario, "--out", out, "--tasks", "2", "--identify", testBinary(t), "--submit")
			assert.Equal(t, exitUsage, code, cmd)
			assert.Contains(t, stderr, "identify: sbatch not found on PATH", cmd)
			assert.NoFileExists(t, filepath.Join(out, "slurm", "array.sbatch"))
		}
	})
}

// TestCompareShardsMergeByteForByte: the 4 runs of a comparison (lstm and
// ode, 2 seeds each) in 3 shards merge to the single-machine compare.json
// (timing fields aside) and compare.png.
func TestCompareShardsMergeByteForByte(t *testing.T) {
	dir := t.TempDir()
	whole, sh, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "sh"), filepath.Join(dir, "merged")
	args := []string{"compare", lvScenario, "--runs", "2", "--budget", "reduced", "--models", "lstm,ode", "--methods", "aca"}
	code, _, stderr := callIdentify(t, append(args, "--out", whole)...)
	require.Equal(t, exitOK, code, stderr)
	runShards(t, 3, []string{sh}, args...)
	code, _, stderr = callIdentify(t, "merge", sh, "--out", merged)
	require.Equal(t, exitOK, code, stderr)
	sameFiles(t, whole, merged, "compare.json", "compare.png")
}

// TestICCShardsMergeByteForByte: images icc's 4 runs (2 per architecture)
// in 3 shards merge to the single-machine icc.json, timing fields aside.
func TestICCShardsMergeByteForByte(t *testing.T) {
	data := iccTinyIDX(t, 100, 30)
	dir := t.TempDir()
	whole, sh, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "sh"), filepath.Join(dir, "merged")
	args := []string{"images", "icc", "--data", data, "--runs", "2", "--epochs", "1", "--width", "4", "--blocks", "1"}
	code, _, stderr := callIdentify(t, append(args, "--out", whole)...)
	require.Equal(t, exitOK, code, stderr)
	runShards(t, 3, []string{sh}, args...)
	code, _, stderr = callIdentify(t, "merge", sh, "--out", merged)
	require.Equal(t, exitOK, code, stderr)
	sameFiles(t, whole, merged, "icc.json")
	code, _, stderr = callIdentify(t, "images", "train", "--data", data, "--shard", "0/2")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--shard: only images icc can be sharded")
}

// TestLatentShardsMergeByteForByte: latent compare's 10 runs (5 rows × 2
// seeds) in 3 shards merge to the single-machine result.json (timing fields
// aside) and reconstructions.png, byte for byte.
func TestLatentShardsMergeByteForByte(t *testing.T) {
	data := tinyHopper(t, t.TempDir(), false)
	dir := t.TempDir()
	whole, sh, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "sh"), filepath.Join(dir, "merged")
	args := []string{"latent", "compare", "--data", data, "--epochs", "1", "--seeds", "2", "--fractions", "0.5"}
	code, _, stderr := callIdentify(t, append(args, "--out", whole)...)
	require.Equal(t, exitOK, code, stderr)
	runShards(t, 3, []string{sh}, args...)
	code, _, stderr = callIdentify(t, "merge", sh, "--out", merged)
	require.Equal(t, exitOK, code, stderr)
	sameFiles(t, whole, merged, "result.json", "reconstructions.png")
	code, _, stderr = callIdentify(t, "latent", "train", "--data", data, "--shard", "0/2")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--shard: only latent compare can be sharded")
}

// TestCompareShardsMergeTrainedNetwork: a row's trained network (node's,
// saved as models/node-aca.json) comes from the shard of its first run and
// is saved by the merge byte for byte as the single-machine run saves it.
func TestCompareShardsMergeTrainedNetwork(t *testing.T) {
	dir := t.TempDir()
	whole, sh, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "sh"), filepath.Join(dir, "merged")
	args := []string{"compare", "../../scenarios/three_body.toml", "--runs", "2", "--budget", "reduced", "--models", "node", "--methods", "aca"}
	code, _, stderr := callIdentify(t, append(args, "--out", whole)...)
	require.Equal(t, exitOK, code, stderr)
	runShards(t, 2, []string{sh}, args...)
	code, _, stderr = callIdentify(t, "merge", sh, "--out", merged)
	require.Equal(t, exitOK, code, stderr)
	sameFiles(t, whole, merged, "compare.json", "compare.png", filepath.Join("models", "node-aca.json"))
}
