// Package atomicfile writes files so that a reader sees either the old content or
// the complete new content, never a partial file: data goes to a temporary file
// in the destination's directory, which is synced to disk and then renamed over
// the destination (rename is atomic within a file system on POSIX systems).
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically with permissions perm, like
// os.WriteFile but without ever exposing a partial file.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write creates path atomically with permissions perm from what fn writes to w.
// If fn returns an error, the destination is left untouched and the error is
// returned.
func Write(path string, perm fs.FileMode, fn func(w io.Writer) error) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := fn(f); err != nil {
		return err
	}
	return f.Commit()
}

// File is a pending atomic write: bytes written to it go to a temporary file
// that Commit renames over the destination. Close without Commit discards it,
// so
//
//	f, err := atomicfile.Create(path, 0o644)
//	if err != nil { ... }
//	defer f.Close()
//	... write to f ...
//	return f.Commit()
//
// leaves no temporary file behind on any path.
type File struct {
	tmp  *os.File
	path string
	perm fs.FileMode
	done bool
}

// Create starts an atomic write of path. The temporary file lives in the same
// directory (so the rename stays within one file system) and is named after
// the destination with a random suffix.
func Create(path string, perm fs.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: %w", err)
	}
	return &File{tmp: tmp, path: path, perm: perm}, nil
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("atomicfile: write to %s after Commit or Close", f.path)
	}
	return f.tmp.Write(p)
}

// Commit syncs the temporary file, sets its permissions, renames it over the
// destination and syncs the directory. After a failed Commit the destination
// is unchanged and the temporary file is removed.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s already committed or closed", f.path)
	}
	f.done = true
	name := f.tmp.Name()
	err := f.tmp.Chmod(f.perm)
	if err == nil {
		err = f.tmp.Sync()
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, f.path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("atomicfile: %w", err)
	}
	syncDir(filepath.Dir(f.path))
	return nil
}

// Close discards the pending write unless it was committed; it is safe to call
// more than once and after Commit.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	err := f.tmp.Close()
	if rerr := os.Remove(f.tmp.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// syncDir makes the rename durable. Some systems (Windows) cannot open or sync
// a directory; the rename has still happened, so failure is ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
