package slurm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// ErrNoSbatch is returned by Submit when there is no sbatch to run.
var ErrNoSbatch = errors.New("sbatch not found on PATH; install Debian's slurm-client (apt-get install slurm-client) or run on a cluster login node")

// ErrSbatch is wrapped by the errors of a failed sbatch or scontrol run.
var ErrSbatch = errors.New("slurm")

var jobID = regexp.MustCompile(`^[0-9]+$`)

// ParseJobID reads the output of `sbatch --parsable`: "ID" or "ID;CLUSTER",
// possibly after warning lines, and returns ID.
func ParseJobID(out string) (string, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	id, _, _ := strings.Cut(last, ";")
	if !jobID.MatchString(id) {
		return "", fmt.Errorf("%w: sbatch --parsable printed %q, not a job id", ErrSbatch, strings.TrimSpace(out))
	}
	return id, nil
}

// LookSbatch returns the path of sbatch, or ErrNoSbatch.
func LookSbatch() (string, error) {
	p, err := exec.LookPath("sbatch")
	if err != nil {
		return "", ErrNoSbatch
	}
	return p, nil
}

// Submitted holds the ids of the jobs Submit queued.
type Submitted struct {
	Array, Merge string
}

// Submit queues the array job and then the merge job with
// --dependency=afterany on it, and returns their ids. If the merge job
// cannot be queued it cancels the array job, so nothing runs unmerged.
func Submit(ctx context.Context, s *Scripts) (*Submitted, error) {
	sbatch, err := LookSbatch()
	if err != nil {
		return nil, err
	}
	array, err := runID(ctx, sbatch, "--parsable", s.Array)
	if err != nil {
		return nil, err
	}
	merge, err := runID(ctx, sbatch, "--parsable", "--dependency=afterany:"+array,
		"--export=ALL,IDENTIFY_ARRAY_JOB="+array, s.Merge)
	if err != nil {
		if scancel, lerr := exec.LookPath("scancel"); lerr == nil {
			if cerr := exec.CommandContext(ctx, scancel, array).Run(); cerr == nil {
				return nil, fmt.Errorf("%w (array job %s cancelled)", err, array)
			}
		}
		return nil, fmt.Errorf("%w (array job %s is queued without its merge; cancel it with scancel %s)", err, array, array)
	}
	return &Submitted{Array: array, Merge: merge}, nil
}

func runID(ctx context.Context, name string, args ...string) (string, error) {
	out, err := run(ctx, name, args...)
	if err != nil {
		return "", err
	}
	return ParseJobID(out)
}

func run(ctx context.Context, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("%w: %s %s: %s", ErrSbatch, name, strings.Join(args, " "), msg)
	}
	return stdout.String(), nil
}

// JobState is one record of `scontrol -o show job`: a job, or one task of
// an array (a pending array may show as one record with ArrayTaskID "0-3").
type JobState struct {
	JobID       string
	ArrayJobID  string // "" for a job that is not part of an array
	ArrayTaskID string
	State       string // JobState: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, ...
	Reason      string
	ExitCode    string // "STATUS:SIGNAL", e.g. "2:0"
	StdOut      string
}

// Terminal reports whether a job in state will not run again.
func Terminal(state string) bool {
	switch state {
	case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
		"OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE":
		return true
	}
	return false
}

// Jobs returns the records of job id (for an array job, one per task) from
// `scontrol -o show job`, which needs no accounting database; finished jobs
// stay visible for the cluster's MinJobAge.
func Jobs(ctx context.Context, id string) ([]JobState, error) {
	scontrol, err := exec.LookPath("scontrol")
	if err != nil {
		return nil, errors.New("scontrol not found on PATH; install Debian's slurm-client (apt-get install slurm-client)")
	}
	out, err := run(ctx, scontrol, "-o", "show", "job", id)
	if err != nil {
		return nil, err
	}
	return ParseJobs(out), nil
}

// ParseJobs reads the one-line records of `scontrol -o show job`.
func ParseJobs(out string) []JobState {
	var jobs []JobState
	for line := range strings.SplitSeq(out, "\n") {
		f := fields(line)
		if f["JobId"] == "" {
			continue
		}
		jobs = append(jobs, JobState{
			JobID: f["JobId"], ArrayJobID: f["ArrayJobId"], ArrayTaskID: f["ArrayTaskId"],
			State: f["JobState"], Reason: f["Reason"], ExitCode: f["ExitCode"], StdOut: f["StdOut"],
		})
	}
	return jobs
}

var keyForm = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9/:_]*=`)

// fields splits "Key=value Key=value ..." where a value may hold spaces (a
// word without "Key=" continues the previous value).
func fields(line string) map[string]string {
	f := map[string]string{}
	last := ""
	for w := range strings.FieldsSeq(line) {
		if keyForm.MatchString(w) {
			k, v, _ := strings.Cut(w, "=")
			f[k], last = v, k
		} else if last != "" {
			f[last] += " " + w
		}
	}
	return f
}

// Wait polls Jobs every poll until every record of every id is in a
// terminal state, and returns the last records of each id in order.
func Wait(ctx context.Context, poll time.Duration, ids ...string) ([][]JobState, error) {
	for {
		all := make([][]JobState, len(ids))
		done := true
		for i, id := range ids {
			js, err := Jobs(ctx, id)
			if err != nil {
				return nil, err
			}
			all[i] = js
			for _, j := range js {
				done = done && Terminal(j.State)
			}
			done = done && len(js) > 0
		}
		if done {
			return all, nil
		}
		select {
		case <-ctx.Done():
			return all, fmt.Errorf("slurm: waiting for jobs %s: %w", strings.Join(ids, ", "), ctx.Err())
		case <-time.After(poll):
		}
	}
}
