package scenarios

import "fmt"

// Limits on a scenario file, checked before the TOML parser sees it. The
// parser's time and memory grow much faster than the input for deeply nested
// arrays and inline tables (8,000 levels, about 50 KB, took it a minute and
// 2.6 GB), so a hostile or corrupted file is refused up front. No scenario
// needs more than a few levels: the deepest shipped one (inline data rows
// inside a table) has 3.
const (
	// maxScenarioSize bounds a scenario file; observations belong in a CSV
	// file (up to maxFileSize) once they outgrow this.
	maxScenarioSize = 16 << 20
	// maxNesting bounds the depth of nested arrays and inline tables.
	maxNesting = 64
)

// checkShape refuses a scenario that is larger than maxScenarioSize or nests
// arrays and inline tables deeper than maxNesting, naming the line where the
// limit is crossed. It scans the text once, skipping strings and comments,
// and counts brackets and braces in values; table headers ([a], [[a]]) open
// and close on their line and do not add to the depth of what follows.
func checkShape(file string, src []byte) *Error {
	if len(src) > maxScenarioSize {
		return &Error{File: file, Problem: fmt.Sprintf("the file has %d bytes, more than the %d MiB a scenario may have; put large data in a CSV file (data.file)",
			len(src), maxScenarioSize>>20)}
	}
	depth, line := 0, 1
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '\n':
			line++
		case '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			var nl int
			i, nl = skipString(src, i)
			line += nl
		case '[', '{':
			depth++
			if depth > maxNesting {
				return &Error{File: file, Line: line, Problem: fmt.Sprintf("arrays and inline tables nested more than %d deep", maxNesting)}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// skipString returns the index of the last byte of the string that starts at
// src[i] (basic "…", literal '…', or their multi-line forms """…""" and
// ”'…”') and the number of newlines inside it. An unterminated string runs
// to the end of its line (or of the input, for a multi-line one); the TOML
// parser reports it.
func skipString(src []byte, i int) (end, newlines int) {
	q := src[i]
	if i+2 < len(src) && src[i+1] == q && src[i+2] == q { // multi-line
		for j := i + 3; j < len(src); j++ {
			switch {
			case src[j] == '\n':
				newlines++
			case q == '"' && src[j] == '\\':
				if j+1 < len(src) && src[j+1] == '\n' {
					newlines++
				}
				j++
			case src[j] == q && j+2 < len(src) && src[j+1] == q && src[j+2] == q:
				return j + 2, newlines
			}
		}
		return len(src) - 1, newlines
	}
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\n':
			return j - 1, 0
		case q == '"' && src[j] == '\\':
			j++
		case src[j] == q:
			return j, 0
		}
	}
	return len(src) - 1, 0
}
