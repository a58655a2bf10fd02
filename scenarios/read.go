package scenarios

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
)

// maxFileSize bounds the scenario and CSV files read, so that a path such as
// /dev/zero fails instead of filling memory.
const maxFileSize = 256 << 20

// Load reads and validates the scenario file at path. A CSV file it names is
// read relative to the scenario's directory. Mistakes are *Error values.
func Load(path string) (*Scenario, error) {
	src, err := readOS(path)
	if err != nil {
		return nil, readError(path, err)
	}
	return Parse(path, src)
}

// Parse validates the scenario src as if read from file; a CSV file it names
// is read from disk relative to file's directory.
func Parse(file string, src []byte) (*Scenario, error) {
	dir := filepath.Dir(file)
	open := func(name string) (string, []byte, error) {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, filepath.FromSlash(name))
		}
		data, err := readOS(p)
		return p, data, err
	}
	return parse(file, src, open)
}

// LoadFS is Load on a file system: name and the CSV files it names are paths
// in fsys (CSV paths relative to name's directory).
func LoadFS(fsys fs.FS, name string) (*Scenario, error) {
	src, err := readFS(fsys, name)
	if err != nil {
		return nil, readError(name, err)
	}
	open := func(rel string) (string, []byte, error) {
		p := path.Join(path.Dir(name), rel)
		data, err := readFS(fsys, p)
		return p, data, err
	}
	return parse(name, src, open)
}

// readError reports a scenario file that cannot be read.
func readError(name string, err error) *Error {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is already in File
	}
	return &Error{File: name, Problem: "cannot read the scenario: " + msg, Err: err}
}

// opener reads a file named in a scenario and returns its display path.
type opener func(name string) (display string, data []byte, err error)

// readOS reads a regular file. It checks the path with Stat before opening
// it: opening a FIFO for reading blocks until a writer appears, so a named
// pipe given as a scenario or data file would hang the command forever. The
// file is opened non-blocking for the same reason (a path swapped for a FIFO
// between the two calls), and readLimited checks the opened file again.
func readOS(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f)
}

func readFS(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f)
}

func readLimited(f fs.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	return data, err
}

// notRegular says what a path that is not a regular file is instead.
func notRegular(m fs.FileMode) error {
	kind := "a special file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("not a regular file: it is %s", kind)
}
