package slurmtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// EnvEnable is the variable that turns the cluster tests on.
const EnvEnable = "PHYSID_SLURM"

// Cluster is a running local cluster.
type Cluster struct {
	Dir  string // its state folder (PHYSID_SLURM_DIR of the script)
	Conf string // its slurm.conf; SLURM_CONF is set to it for the test
	env  []string
}

// Script is the path of local-cluster.sh.
func Script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "local-cluster.sh")
}

// Start skips t unless PHYSID_SLURM=1; otherwise it starts a cluster in a
// new folder under $PHYSID_SLURM_DIR (default: the system's temporary
// folder) on two free ports, sets SLURM_CONF for the rest of the test and
// registers its stop (and the folder's removal) as a cleanup. The script
// installs Slurm first if it is missing (root, 20-40 s).
func Start(t testing.TB) *Cluster {
	t.Helper()
	if os.Getenv(EnvEnable) != "1" {
		t.Skipf("set %s=1 to run against a real local Slurm cluster (internal/slurm/local-cluster.sh)", EnvEnable)
	}
	base := os.Getenv("PHYSID_SLURM_DIR")
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	// Short: munged's socket lives inside (a Unix socket path has ≤ 107 bytes).
	dir, err := os.MkdirTemp(base, "c")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: dir, Conf: filepath.Join(dir, "slurm.conf")}
	ports := freePorts(t, 2)
	c.env = append(os.Environ(), "PHYSID_SLURM_DIR="+dir,
		"PHYSID_SLURM_CTLD_PORT="+strconv.Itoa(ports[0]),
		"PHYSID_SLURM_SLURMD_PORT="+strconv.Itoa(ports[1]))
	t.Cleanup(func() {
		if t.Failed() {
			c.dumpLogs(t)
		}
		if out, err := c.script("stop"); err != nil {
			t.Errorf("local-cluster.sh stop: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
	})
	t0 := time.Now()
	out, err := c.script("start")
	if err != nil {
		t.Fatalf("local-cluster.sh start: %v\n%s", err, out)
	}
	t.Logf("local Slurm cluster up in %.1f s: %s", time.Since(t0).Seconds(), strings.TrimSpace(lastLine(out)))
	t.Setenv("SLURM_CONF", c.Conf)
	return c
}

func (c *Cluster) script(arg string) ([]byte, error) {
	cmd := exec.Command("bash", Script(), arg)
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// dumpLogs logs the ends of the daemons' logs, to explain a failure.
func (c *Cluster) dumpLogs(t testing.TB) {
	for _, name := range []string{"slurmctld.log", "slurmd.log"} {
		b, err := os.ReadFile(filepath.Join(c.Dir, "log", name))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 30 {
			lines = lines[len(lines)-30:]
		}
		t.Logf("%s (last %d lines):\n%s", name, len(lines), strings.Join(lines, "\n"))
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// freePorts returns n distinct ports free at the moment (all held open
// together, so they differ).
func freePorts(t testing.TB, n int) []int {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// String names the cluster in messages.
func (c *Cluster) String() string { return fmt.Sprintf("local Slurm cluster in %s", c.Dir) }
