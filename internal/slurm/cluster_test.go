package slurm_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/slurm"
	"github.com/physid/physid/internal/slurm/slurmtest"
)

// shellJob is an array job whose task I writes "I --shard auto" to
// out/I (and fails when I is fail), and whose merge job lists out/ into
// out/merged. A task sleeps sleep seconds first.
func shellJob(dir string, tasks, fail int, sleep string) *slurm.Job {
	out := filepath.Join(dir, "out")
	task := `sleep ` + sleep + `; echo "$SLURM_ARRAY_TASK_ID $1 $2" > "$0/$SLURM_ARRAY_TASK_ID"; [ "$SLURM_ARRAY_TASK_ID" != "` + strconv.Itoa(fail) + `" ] || exit 3`
	return &slurm.Job{
		Name:    "physid-test",
		Command: []string{"/bin/sh", "-c", task, out},
		Merge:   []string{"/bin/sh", "-c", `ls "$0" | sort -n | tr '\n' ' ' > "$0/../merged"; [ "$(ls "$0" | wc -l)" = ` + strconv.Itoa(tasks) + ` ] || exit 2`, out},
		Tasks:   tasks,
		Dir:     filepath.Join(dir, "slurm"),
		WorkDir: dir,
	}
}

func submit(t *testing.T, j *slurm.Job) *slurm.Submitted {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(j.WorkDir, "out"), 0o755))
	s, err := slurm.Write(j)
	require.NoError(t, err)
	ids, err := slurm.Submit(context.Background(), s)
	require.NoError(t, err)
	return ids
}

func wait(t *testing.T, ids ...string) [][]slurm.JobState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all, err := slurm.Wait(ctx, 200*time.Millisecond, ids...)
	require.NoError(t, err)
	return all
}

func states(js []slurm.JobState) map[string]string {
	m := map[string]string{}
	for _, j := range js {
		m[j.ArrayTaskID] = j.State + " " + j.ExitCode
	}
	return m
}

// TestSlurmLocalCluster starts a real cluster and runs array jobs through
// the scripts Write makes: all tasks passing, one failing, the array
// cancelled. The merge job runs after each (afterany), so it can report.
func TestSlurmLocalCluster(t *testing.T) {
	slurmtest.Start(t)

	t.Run("array then merge", func(t *testing.T) {
		dir := t.TempDir()
		t0 := time.Now()
		ids := submit(t, shellJob(dir, 8, -1, "0"))
		all := wait(t, ids.Array, ids.Merge)
		t.Logf("8-task array and its merge finished in %.1f s", time.Since(t0).Seconds())
		require.Len(t, all[0], 8)
		for k, s := range states(all[0]) {
			assert.Equal(t, "COMPLETED 0:0", s, "task %s", k)
		}
		require.Len(t, all[1], 1)
		assert.Equal(t, "COMPLETED", all[1][0].State)
		merged, err := os.ReadFile(filepath.Join(dir, "merged"))
		require.NoError(t, err)
		assert.Equal(t, "0 1 2 3 4 5 6 7 ", string(merged))
		b, err := os.ReadFile(filepath.Join(dir, "out", "5"))
		require.NoError(t, err)
		assert.Equal(t, "5 --shard auto\n", string(b), "each task gets --shard auto")
		log, err := os.ReadFile(slurm.TaskLog(filepath.Join(dir, "slurm", "logs"), 5))
		require.NoError(t, err)
		assert.Contains(t, string(log), "task 5 of 8")
		mlog, err := os.ReadFile(slurm.MergeLog(filepath.Join(dir, "slurm", "logs")))
		require.NoError(t, err)
		assert.Contains(t, string(mlog), "after array job "+ids.Array)
	})

	t.Run("failing task", func(t *testing.T) {
		dir := t.TempDir()
		ids := submit(t, shellJob(dir, 4, 2, "0"))
		all := wait(t, ids.Array, ids.Merge)
		assert.Equal(t, map[string]string{"0": "COMPLETED 0:0", "1": "COMPLETED 0:0", "2": "FAILED 3:0", "3": "COMPLETED 0:0"}, states(all[0]))
		assert.Equal(t, "COMPLETED", all[1][0].State, "the merge job runs after a failed task")
	})

	t.Run("cancelled array", func(t *testing.T) {
		dir := t.TempDir()
		ids := submit(t, shellJob(dir, 4, -1, "60"))
		require.NoError(t, exec.Command("scancel", ids.Array).Run())
		all := wait(t, ids.Array, ids.Merge)
		var got []string
		for _, j := range all[0] {
			got = append(got, j.State)
		}
		sort.Strings(got)
		assert.Equal(t, "CANCELLED", got[0])
		assert.Equal(t, "CANCELLED", got[len(got)-1])
		assert.Equal(t, "FAILED", all[1][0].State, "the merge job runs and finds shards missing")
		assert.Equal(t, "2:0", all[1][0].ExitCode)
	})
}
