package loadbench

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	line := []byte("4242 (nginx: worker (1)) S 4200 4200 4200 0 -1 4194368 120 0 0 0 731 269 0 0 20 0 1 0 100 0 0\n")
	ppid, ticks, ok := parseStat(line)
	if !ok || ppid != 4200 || ticks != 1000 {
		t.Fatalf("parseStat = %d, %d, %v; want 4200, 1000, true", ppid, ticks, ok)
	}
	if _, _, ok := parseStat([]byte("4242 (trunc")); ok {
		t.Error("a line without ')' parsed")
	}
}

func TestProcessCPUGrows(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	before, ok := processCPU(os.Getpid())
	if !ok {
		t.Fatal("no CPU time for this process")
	}
	// Burn about 200 ms of CPU: the reading must grow (ticks are 10 ms).
	deadline := time.Now().Add(200 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	after, _ := processCPU(os.Getpid())
	if after <= before {
		t.Errorf("CPU time %v then %v after busy work (%d loops)", before, after, x)
	}
}

// TestSettleCountsDeferredWork starts a process that idles a moment, then
// works about 600 ms and sleeps: settle must wait for the work and count it.
func TestSettleCountsDeferredWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	// About 600 ms of shell arithmetic on this machine.
	cmd := exec.Command(sh, "-c", `sleep 0.3; i=0; while [ $i -lt 700000 ]; do i=$((i+1)); done; sleep 5`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	start, _ := processCPU(cmd.Process.Pid)
	after := settle(cmd.Process.Pid, start)
	if after < 300*time.Millisecond {
		t.Errorf("settle counted %v of CPU after the start, want the ~600 ms of deferred work", after)
	}
}

func TestParsePeakRSS(t *testing.T) {
	status := []byte("Name:\ttollgate\nVmPeak:\t  812340 kB\nVmHWM:\t   46080 kB\nVmRSS:\t   40000 kB\n")
	if got, ok := parsePeakRSS(status); !ok || got != 46080<<10 {
		t.Errorf("parsePeakRSS = %d, %v; want %d", got, ok, 46080<<10)
	}
	if _, ok := parsePeakRSS([]byte("Name:\tx\n")); ok {
		t.Error("a status without VmHWM parsed")
	}
	if rss, ok := peakRSS(os.Getpid()); runtime.GOOS == "linux" && (!ok || rss < 1<<20) {
		t.Errorf("this process's peak RSS: %d, %v", rss, ok)
	}
}
