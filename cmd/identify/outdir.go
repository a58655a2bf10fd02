package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/physid/physid/scenarios"
)

// checkOutFile checks, before any computation, that a result file can be
// written at path: its folder exists or can be made, and is writable, and
// path itself is not a folder. A read-only --out or one naming a folder used
// to be found only after the whole computation, losing its result. flagName
// names the flag in the message.
func checkOutFile(flagName, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("%s: %s is a folder; give a file name", flagName, path)
	}
	return checkOutDir(flagName, filepath.Dir(path))
}

// checkOutDir makes dir (and its parents) if needed and proves it writable by
// creating and removing a temporary file in it.
func checkOutDir(flagName, dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usagef("%s: %s exists and is not a folder", flagName, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usagef("%s: cannot create %s: %v", flagName, dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".identify-write-check-*")
	if err != nil {
		return usagef("%s: %s is not writable: %v", flagName, dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// unwrapPath drops the path from an *fs.PathError, which the message names
// already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxTime is scenarios.MaxTime, the bound on every time a scenario names.
const maxTime = scenarios.MaxTime

// checkEndTime rejects a --t1 that the solver cannot reach: not a finite
// number, or beyond scenarios.MaxTime, where spans and steps overflow.
func checkEndTime(t1 float64) error {
	if t1 != t1 || t1 > maxTime || t1 < -maxTime {
		return usagef("--t1: %g is not a finite time within ±%g", t1, maxTime)
	}
	return nil
}

// outSet writes a fit's output files as one set: into a temporary folder
// beside the target, renamed into place only when complete, under a lock
// file DIR.lock that holds the writer's pid. Two fits into one folder, or a
// kill between two files, used to leave one run's result.json beside the
// other's plots.
type outSet struct {
	dir  string // the target folder
	tmp  string // where the files are written
	lock string // DIR.lock, ours until close
	// owned are the file names of a set; a file of the old folder with
	// another name (the user's own) is carried into the new one.
	owned map[string]bool
	// inPlace renames the files, not the folder (see commit).
	inPlace bool
}

// openOutSet checks dir (see checkOutDir), takes its lock and makes the
// temporary folder. A folder locked by a live process is a usage error naming
// the folder and the pid; the lock of a dead one is taken over.
func openOutSet(flagName, dir string, owned ...string) (*outSet, error) {
	if err := checkOutDir(flagName, dir); err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	s := &outSet{dir: dir, lock: dir + ".lock", owned: map[string]bool{}}
	// The working folder (or one holding it) and a symbolic link are never
	// renamed: their files are replaced one by one.
	if cwd, err := os.Getwd(); err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+string(filepath.Separator))) {
		s.inPlace = true
	}
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		s.inPlace = true
	}
	for _, n := range owned {
		s.owned[n] = true
	}
	if err := takeLock(flagName, dir, s.lock); err != nil {
		return nil, err
	}
	tmp := tmpName(dir, os.Getpid())
	os.RemoveAll(tmp)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		os.Remove(s.lock)
		return nil, usagef("%s: cannot write beside %s: %v", flagName, dir, unwrapPath(err))
	}
	s.tmp = tmp
	return s, nil
}

// createLock makes lock holding this process's pid, atomically: the pid is
// written to a private file first, which is then hard-linked to the lock's
// name (link fails when the name exists). A reader therefore never sees a
// lock without its pid, which an O_EXCL create followed by a write would
// show for a moment (two fits starting at once were refused with the wrong
// message). Where hard links are not supported it falls back to O_EXCL.
func createLock(lock string) error {
	tmp, err := os.CreateTemp(filepath.Dir(lock), filepath.Base(lock)+".new-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name)
	_, werr := fmt.Fprintf(tmp, "%d\n", os.Getpid())
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	err = os.Link(name, lock)
	var le *os.LinkError
	if err == nil || errors.Is(err, fs.ErrExist) || !errors.As(err, &le) {
		return err
	}
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644) // no hard links here
	if err != nil {
		return err
	}
	_, werr = fmt.Fprintf(f, "%d\n", os.Getpid())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(lock)
	}
	return werr
}

// takeLock creates lock (see createLock); an existing lock whose pid is not
// running (or that holds no pid and is older than a minute) is stale.
func takeLock(flagName, dir, lock string) error {
	for try := 0; try < 2; try++ {
		err := createLock(lock)
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return usagef("%s: cannot create the lock file %s: %v", flagName, lock, unwrapPath(err))
		}
		b, rerr := os.ReadFile(lock)
		pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		switch {
		case rerr == nil && perr == nil && pid > 0 && processAlive(pid):
			return usagef("%s: %s is busy: another fit (pid %d) is writing it (lock file %s); wait for it to end", flagName, dir, pid, lock)
		case rerr == nil && perr != nil:
			if fi, err := os.Stat(lock); err == nil && time.Since(fi.ModTime()) < time.Minute {
				return usagef("%s: %s is busy: another fit is starting to write it (lock file %s)", flagName, dir, lock)
			}
		}
		if perr == nil && pid > 0 {
			recoverStale(dir, pid)
		}
		os.Remove(lock) // stale: its process is gone
	}
	return usagef("%s: cannot take the lock file %s", flagName, lock)
}

// tmpName is the temporary folder of process pid's set for dir.
func tmpName(dir string, pid int) string {
	return filepath.Join(filepath.Dir(dir), fmt.Sprintf(".%s.tmp-%d", filepath.Base(dir), pid))
}

// recoverStale undoes what a process killed in the middle of commit left: it
// puts the old set back when the new one never arrived, and removes the
// temporary and old folders.
func recoverStale(dir string, pid int) {
	old := fmt.Sprintf("%s.old-%d", dir, pid)
	if _, err := os.Stat(old); err == nil {
		os.Remove(dir) // only when empty (checkOutDir may just have made it)
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			os.Rename(old, dir)
		}
	}
	os.RemoveAll(old)
	os.RemoveAll(tmpName(dir, pid))
}

// processAlive reports whether pid names a running process (one we may not
// signal counts as running).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// path is where the set's file name is written.
func (s *outSet) path(name string) string { return filepath.Join(s.tmp, name) }

// final is where the set's file name ends up.
func (s *outSet) final(name string) string { return filepath.Join(s.dir, name) }

// commit puts the set in place: the old folder moves to DIR.old-<pid>, the
// new one to DIR, and the old one is removed; the user's own files in the old
// folder are carried over first. When the folder itself cannot be renamed
// (".", a mount point), each file is renamed into it instead.
func (s *outSet) commit() error {
	if s.inPlace {
		return s.commitFiles()
	}
	if entries, err := os.ReadDir(s.dir); err == nil {
		for _, e := range entries {
			if s.owned[e.Name()] || strings.HasPrefix(e.Name(), ".identify-write-check-") {
				continue
			}
			if _, err := os.Lstat(s.path(e.Name())); err == nil {
				continue
			}
			if err := os.Rename(s.final(e.Name()), s.path(e.Name())); err != nil {
				return s.commitFiles()
			}
		}
	}
	old := fmt.Sprintf("%s.old-%d", s.dir, os.Getpid())
	os.RemoveAll(old)
	if err := os.Rename(s.dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.commitFiles()
	}
	if err := os.Rename(s.tmp, s.dir); err != nil {
		os.Rename(old, s.dir) // put the old set back
		return runtimeError{fmt.Errorf("%s: %w", s.dir, unwrapPath(err))}
	}
	s.tmp = ""
	os.RemoveAll(old)
	return nil
}

// commitFiles renames each file of the set into the folder, result.json
// last, after removing the old set's files that the new one lacks.
func (s *outSet) commitFiles() error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return runtimeError{err}
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Name()] = true
	}
	for n := range s.owned {
		if !have[n] {
			os.Remove(s.final(n))
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[j].Name() == "result.json" })
	for _, e := range entries {
		if err := os.Rename(s.path(e.Name()), s.final(e.Name())); err != nil {
			return runtimeError{fmt.Errorf("%s: %w", s.final(e.Name()), unwrapPath(err))}
		}
	}
	os.Remove(s.tmp)
	s.tmp = ""
	return nil
}

// close removes the temporary folder (when not committed) and the lock.
func (s *outSet) close() {
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
	os.Remove(s.lock)
}
