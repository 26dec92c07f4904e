package loadbench

import (
	"os"
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
