package slurm_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/slurm"
)

func job(dir string) *slurm.Job {
	return &slurm.Job{
		Name:    "identify-fit",
		Command: []string{"/shared/bin/identify", "fit", "my scenario.toml", "--out", "/shared/runs/a", "--starts", "16"},
		Merge:   []string{"/shared/bin/identify", "merge", "/shared/runs/a", "--out", "/shared/runs/a"},
		Tasks:   4, Partition: "short", Time: "01:30:00", CPUsPerTask: 2, Mem: "4G",
		Dir: dir, WorkDir: "/shared/work",
	}
}

func TestScripts(t *testing.T) {
	dir := t.TempDir()
	s, err := slurm.Write(job(dir))
	require.NoError(t, err)
	logs := filepath.Join(dir, "logs")
	assert.Equal(t, logs, s.Logs)
	assert.DirExists(t, logs)
	array, err := os.ReadFile(s.Array)
	require.NoError(t, err)
	assert.Equal(t, `#!/bin/bash
# Written by `+"`identify slurm`"+`: 4 array tasks, task I running shard I of 4.
#SBATCH --array=0-3
#SBATCH --job-name=identify-fit
#SBATCH --output=`+logs+`/task-%a.out
#SBATCH --chdir=/shared/work
#SBATCH --partition=short
#SBATCH --time=01:30:00
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
set -euo pipefail
echo "identify slurm: array job ${SLURM_ARRAY_JOB_ID:-?} task ${SLURM_ARRAY_TASK_ID:-?} of ${SLURM_ARRAY_TASK_COUNT:-?} on $(hostname)"
exec /shared/bin/identify fit 'my scenario.toml' --out /shared/runs/a --starts 16 --shard auto
`, string(array))
	merge, err := os.ReadFile(s.Merge)
	require.NoError(t, err)
	assert.Contains(t, string(merge), "#SBATCH --job-name=identify-fit-merge\n#SBATCH --output="+logs+"/merge.out\n")
	assert.Contains(t, string(merge), "\nexec /shared/bin/identify merge /shared/runs/a --out /shared/runs/a\n")
	assert.NotContains(t, string(merge), "--array")
	submit, err := os.ReadFile(s.Submit)
	require.NoError(t, err)
	assert.Contains(t, string(submit), "array=${array%%;*}\n")
	assert.Contains(t, string(submit), "--dependency=afterany:$array")
	for _, p := range []string{s.Array, s.Merge, s.Submit} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm(), p)
		if bash, err := exec.LookPath("bash"); err == nil {
			out, err := exec.Command(bash, "-n", p).CombinedOutput()
			assert.NoError(t, err, "bash -n %s: %s", p, out)
		}
	}
	assert.Equal(t, filepath.Join(logs, "task-3.out"), slurm.TaskLog(logs, 3))
}

func TestCheckNamesTheFlag(t *testing.T) {
	for _, tc := range []struct {
		edit func(*slurm.Job)
		want string
	}{
		{func(j *slurm.Job) { j.Tasks = 0 }, "--tasks 0"},
		{func(j *slurm.Job) { j.Time = "1h" }, `--time "1h": want HH:MM:SS`},
		{func(j *slurm.Job) { j.Mem = "4GB" }, `--mem "4GB"`},
		{func(j *slurm.Job) { j.Partition = "a b" }, `--partition "a b"`},
		{func(j *slurm.Job) { j.CPUsPerTask = -1 }, "--cpus-per-task -1"},
		{func(j *slurm.Job) { j.Name = "x;y" }, `job name "x;y"`},
	} {
		j := job(t.TempDir())
		tc.edit(j)
		_, err := slurm.Write(j)
		require.Error(t, err)
		assert.True(t, errors.Is(err, slurm.ErrJob))
		assert.Contains(t, err.Error(), tc.want)
	}
	for _, ok := range []string{"30", "30:00", "1:30:00", "2-0", "2-12:00", "2-12:00:00"} {
		j := job(t.TempDir())
		j.Time = ok
		assert.NoError(t, j.Check(), ok)
	}
}

func TestParseJobID(t *testing.T) {
	for out, want := range map[string]string{
		"42\n":                       "42",
		"42;cluster\n":               "42",
		"sbatch: warning: x\n1234\n": "1234",
	} {
		got, err := slurm.ParseJobID(out)
		require.NoError(t, err, out)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", "Submitted batch job 42", "x;y"} {
		_, err := slurm.ParseJobID(bad)
		assert.ErrorIs(t, err, slurm.ErrSbatch, bad)
	}
}

func TestParseJobs(t *testing.T) {
	out := "JobId=8 ArrayJobId=7 ArrayTaskId=1 JobName=wrap JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 Comment=two words StdOut=/tmp/x/task-1.out\n" +
		"JobId=9 JobName=m JobState=PENDING Reason=Dependency ExitCode=0:0\n\n"
	assert.Equal(t, []slurm.JobState{
		{JobID: "8", ArrayJobID: "7", ArrayTaskID: "1", State: "FAILED", Reason: "NonZeroExitCode", ExitCode: "3:0", StdOut: "/tmp/x/task-1.out"},
		{JobID: "9", State: "PENDING", Reason: "Dependency", ExitCode: "0:0"},
	}, slurm.ParseJobs(out))
	assert.True(t, slurm.Terminal("CANCELLED"))
	assert.False(t, slurm.Terminal("PENDING"))
}

func TestSubmitWithoutSbatchSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	s, err := slurm.Write(job(t.TempDir()))
	require.NoError(t, err)
	_, err = slurm.Submit(context.Background(), s)
	require.ErrorIs(t, err, slurm.ErrNoSbatch)
	assert.Equal(t, "sbatch not found on PATH; install Debian's slurm-client (apt-get install slurm-client) or run on a cluster login node", err.Error())
}

// TestSubmitReportsSbatchErrors runs a stand-in sbatch that refuses the job.
func TestSubmitReportsSbatchErrors(t *testing.T) {
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "sbatch"), []byte("#!/bin/sh\necho 'sbatch: error: invalid partition specified: short' >&2\nexit 1\n"), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	s, err := slurm.Write(job(t.TempDir()))
	require.NoError(t, err)
	_, err = slurm.Submit(context.Background(), s)
	require.ErrorIs(t, err, slurm.ErrSbatch)
	assert.True(t, strings.HasSuffix(err.Error(), "array.sbatch: sbatch: error: invalid partition specified: short"), err.Error())
}
