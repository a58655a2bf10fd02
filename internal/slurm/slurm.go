package slurm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/physid/physid/internal/atomicfile"
)

// ErrJob is wrapped by the errors of Job.Check: settings sbatch would refuse.
var ErrJob = errors.New("slurm: invalid job")

// Job describes a sharded run: Tasks array tasks each running Command plus
// "--shard auto", then Merge once the array is over.
type Job struct {
	Name    string   // job name; the merge job is Name+"-merge" (default "identify")
	Command []string // argv of one task, the binary (an absolute path) first, without --shard
	Merge   []string // argv of the merge job, the binary first
	Tasks   int      // array size N ≥ 1

	Partition   string // --partition; "" means the cluster's default
	Time        string // --time per task, e.g. "01:00:00"; "" means the partition's limit
	CPUsPerTask int    // --cpus-per-task; 0 means Slurm's default (1)
	Mem         string // --mem per task, e.g. "4G"; "" means the partition's default

	Dir     string // folder for the scripts and logs/, made if missing
	WorkDir string // the jobs' working folder (--chdir); "" means the current one
}

// Scripts are the files Write made.
type Scripts struct {
	Array  string // the array job, Dir/array.sbatch
	Merge  string // the merge job, Dir/merge.sbatch
	Submit string // Dir/submit.sh: submits both by hand, as Submit does
	Logs   string // Dir/logs: task-I.out for array task I, merge.out
}

// TaskLog is the log of array task i under logs.
func TaskLog(logs string, i int) string { return filepath.Join(logs, fmt.Sprintf("task-%d.out", i)) }

// MergeLog is the merge job's log under logs.
func MergeLog(logs string) string { return filepath.Join(logs, "merge.out") }

var (
	timeForm = regexp.MustCompile(`^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$`)
	memForm  = regexp.MustCompile(`^[0-9]+[KMGT]?$`)
	nameForm = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	bareWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`) // needs no quotes in bash
)

// MaxTasks bounds the array; Slurm's own MaxArraySize defaults to 1001.
const MaxTasks = 1 << 20

// Check reports the first setting sbatch would refuse, naming the flag.
func (j *Job) Check() error {
	switch {
	case j.Tasks < 1 || j.Tasks > MaxTasks:
		return fmt.Errorf("%w: --tasks %d: want a whole number from 1 to %d", ErrJob, j.Tasks, MaxTasks)
	case len(j.Command) == 0 || len(j.Merge) == 0:
		panic("slurm: Job without Command or Merge")
	case j.Name != "" && !nameForm.MatchString(j.Name):
		return fmt.Errorf("%w: job name %q: use letters, digits, '.', '_' and '-'", ErrJob, j.Name)
	case j.Partition != "" && !nameForm.MatchString(j.Partition):
		return fmt.Errorf("%w: --partition %q: a partition name is letters, digits, '.', '_' and '-'", ErrJob, j.Partition)
	case j.Time != "" && !timeForm.MatchString(j.Time):
		return fmt.Errorf("%w: --time %q: want HH:MM:SS, MM:SS, MM, D-HH, D-HH:MM or D-HH:MM:SS", ErrJob, j.Time)
	case j.CPUsPerTask < 0:
		return fmt.Errorf("%w: --cpus-per-task %d: want a whole number ≥ 1", ErrJob, j.CPUsPerTask)
	case j.Mem != "" && !memForm.MatchString(j.Mem):
		return fmt.Errorf("%w: --mem %q: want megabytes or a number with K, M, G or T, e.g. 4G", ErrJob, j.Mem)
	}
	return nil
}

func (j *Job) name() string {
	if j.Name == "" {
		return "identify"
	}
	return j.Name
}

// quote makes s one word for bash.
func quote(s string) string {
	if bareWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellLine(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = quote(a)
	}
	return strings.Join(q, " ")
}

func (j *Job) header(b *strings.Builder, name, log string) {
	fmt.Fprintf(b, "#SBATCH --job-name=%s\n", name)
	fmt.Fprintf(b, "#SBATCH --output=%s\n", log)
	if j.WorkDir != "" {
		fmt.Fprintf(b, "#SBATCH --chdir=%s\n", j.WorkDir)
	}
	if j.Partition != "" {
		fmt.Fprintf(b, "#SBATCH --partition=%s\n", j.Partition)
	}
	if j.Time != "" {
		fmt.Fprintf(b, "#SBATCH --time=%s\n", j.Time)
	}
}

// ArrayScript is the text of the array job: task I of Tasks runs Command
// with --shard auto, which reads SLURM_ARRAY_TASK_ID and
// SLURM_ARRAY_TASK_COUNT. logs is the log folder.
func (j *Job) ArrayScript(logs string) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "# Written by `identify slurm`: %d array tasks, task I running shard I of %d.\n", j.Tasks, j.Tasks)
	fmt.Fprintf(&b, "#SBATCH --array=0-%d\n", j.Tasks-1)
	j.header(&b, j.name(), filepath.Join(logs, "task-%a.out"))
	if j.CPUsPerTask > 0 {
		fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", j.CPUsPerTask)
	}
	if j.Mem != "" {
		fmt.Fprintf(&b, "#SBATCH --mem=%s\n", j.Mem)
	}
	b.WriteString("set -euo pipefail\n")
	b.WriteString(`echo "identify slurm: array job ${SLURM_ARRAY_JOB_ID:-?} task ${SLURM_ARRAY_TASK_ID:-?} of ${SLURM_ARRAY_TASK_COUNT:-?} on $(hostname)"` + "\n")
	b.WriteString("exec " + shellLine(append(append([]string{}, j.Command...), "--shard", "auto")) + "\n")
	return b.String()
}

// MergeScript is the text of the merge job. It is submitted with
// --dependency=afterany on the array, so it runs however the tasks end and
// reports the ones that left no result (identify merge exits 2 naming them).
func (j *Job) MergeScript(logs string) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "# Written by `identify slurm`: merges the %d shards once the array job is over.\n", j.Tasks)
	j.header(&b, j.name()+"-merge", MergeLog(logs))
	b.WriteString("set -euo pipefail\n")
	fmt.Fprintf(&b, "echo \"identify slurm: merge job ${SLURM_JOB_ID:-?} after array job ${IDENTIFY_ARRAY_JOB:-?}; task logs in %s\"\n", quote(logs))
	b.WriteString("exec " + shellLine(j.Merge) + "\n")
	return b.String()
}

// SubmitScript submits the two jobs by hand, as Submit does.
func SubmitScript(s *Scripts) string {
	return fmt.Sprintf(`#!/bin/bash
# Written by `+"`identify slurm`"+`: submits the array job, then the merge job after it.
set -euo pipefail
array=$(sbatch --parsable %s)
array=${array%%%%;*}
merge=$(sbatch --parsable --dependency=afterany:$array --export=ALL,IDENTIFY_ARRAY_JOB=$array %s)
echo "array job $array, merge job ${merge%%%%;*}"
echo "follow: squeue -j $array,${merge%%%%;*}; logs in %s"
`, quote(s.Array), quote(s.Merge), quote(s.Logs))
}

// Write checks j and writes its scripts into j.Dir (atomically), making
// j.Dir/logs.
func Write(j *Job) (*Scripts, error) {
	if err := j.Check(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(j.Dir)
	if err != nil {
		return nil, err
	}
	s := &Scripts{
		Array:  filepath.Join(dir, "array.sbatch"),
		Merge:  filepath.Join(dir, "merge.sbatch"),
		Submit: filepath.Join(dir, "submit.sh"),
		Logs:   filepath.Join(dir, "logs"),
	}
	if err := os.MkdirAll(s.Logs, 0o755); err != nil {
		return nil, err
	}
	for _, f := range []struct{ path, text string }{
		{s.Array, j.ArrayScript(s.Logs)},
		{s.Merge, j.MergeScript(s.Logs)},
		{s.Submit, SubmitScript(s)},
	} {
		if err := atomicfile.WriteFile(f.path, []byte(f.text), 0o755); err != nil {
			return nil, err
		}
	}
	return s, nil
}
