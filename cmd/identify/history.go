package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/physid/physid/identify"
	"github.com/physid/physid/internal/atomicfile"
)

// maxHistory bounds the history entries of each start in result.json: a
// 64k-epoch fit wrote 18 MB and took seconds to exit after Ctrl-C. The full
// history goes to history.csv.
const maxHistory = 1000

// thinHistory returns at most maxHistory entries of h, evenly spaced, the
// first and the last kept, and whether any were dropped.
func thinHistory(h []identify.Epoch) ([]identify.Epoch, bool) {
	if len(h) <= maxHistory {
		return h, false
	}
	out := make([]identify.Epoch, maxHistory)
	for k := range maxHistory {
		out[k] = h[k*(len(h)-1)/(maxHistory-1)]
	}
	return out, true
}

// writeHistoryCSV writes every start's full history: start,epoch,loss and one
// column per parameter.
func writeHistoryCSV(path string, names []string, starts []identify.StartResult) error {
	var b strings.Builder
	b.WriteString("start,epoch,loss," + strings.Join(names, ",") + "\n")
	for _, s := range starts {
		for _, e := range s.History {
			fmt.Fprintf(&b, "%d,%d,%s", s.Start, e.Epoch, strconv.FormatFloat(e.Loss, 'g', -1, 64))
			for _, v := range e.Params {
				b.WriteString("," + strconv.FormatFloat(v, 'g', -1, 64))
			}
			b.WriteByte('\n')
		}
	}
	return atomicfile.WriteFile(path, []byte(b.String()), 0o644)
}

// readHistoryCSV reads what writeHistoryCSV wrote, by start.
func readHistoryCSV(path string, names []string) (map[int][]identify.Epoch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	out := map[int][]identify.Epoch{}
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue
		}
		fields := strings.Split(sc.Text(), ",")
		if len(fields) != 3+len(names) {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d", path, line, len(fields), 3+len(names))
		}
		start, err1 := strconv.Atoi(fields[0])
		epoch, err2 := strconv.Atoi(fields[1])
		vals := make([]float64, len(fields)-2)
		var err3 error
		for i, s := range fields[2:] {
			if vals[i], err = strconv.ParseFloat(s, 64); err != nil {
				err3 = err
			}
		}
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("%s:%d: not a history row", path, line)
		}
		out[start] = append(out[start], identify.Epoch{Epoch: epoch, Loss: vals[0], Params: vals[1:]})
	}
	return out, sc.Err()
}
