package loadbench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat (USER_HZ),
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// processCPU returns the CPU time (user and system) used so far by the
// process pid and its children that are still running (nginx's workers),
// read from /proc. ok is false where /proc is not available.
//
// CPU time per request is the figure that stays put on a machine shared with
// other work: requests per second fall when something else takes the core,
// the CPU a request costs does not.
func processCPU(pid int) (d time.Duration, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	var ticks uint64
	found := false
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		ppid, t, ok := parseStat(b)
		if !ok || id != pid && ppid != pid {
			continue
		}
		ticks += t
		found = found || id == pid
	}
	return time.Duration(ticks) * time.Second / clockTicks, found
}

// parseStat reads the parent's pid and utime+stime from the text of
// /proc/PID/stat. The command name, in parentheses, may hold spaces: the
// fields are counted from the last ')'.
func parseStat(b []byte) (ppid int, ticks uint64, ok bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	// After ") ": state(3) ppid(4) ... utime(14) stime(15).
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 13 {
		return 0, 0, false
	}
	p, err1 := strconv.Atoi(string(fields[1]))
	u, err2 := strconv.ParseUint(string(fields[11]), 10, 64)
	s, err3 := strconv.ParseUint(string(fields[12]), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, false
	}
	return p, u + s, true
}

// peakRSS returns the peak resident set size (VmHWM) of the process pid so
// far, in bytes, read from /proc; ok is false where it cannot be read.
func peakRSS(pid int) (bytes int64, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, false
	}
	return parsePeakRSS(b)
}

// parsePeakRSS reads the VmHWM line of /proc/PID/status ("VmHWM:  1234 kB").
func parsePeakRSS(status []byte) (int64, bool) {
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			f := bytes.Fields(rest)
			if len(f) == 2 && string(f[1]) == "kB" {
				if kb, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
					return kb << 10, true
				}
			}
		}
	}
	return 0, false
}

// settle waits until the process pid goes quiet (it uses less than two
// clock ticks of CPU in each of settleQuiet consecutive settleEvery), at
// most settleMax, and returns the CPU time it used since it had used from.
// A gateway may wait a moment before it starts on deferred work: a log
// store looks at the cores a few times a second.
func settle(pid int, from time.Duration) time.Duration {
	last, quiet := from, 0
	for deadline := time.Now().Add(settleMax); time.Now().Before(deadline); {
		time.Sleep(settleEvery)
		now, ok := processCPU(pid)
		if !ok {
			break
		}
		if now-last < 2*time.Second/clockTicks {
			quiet++
		} else {
			quiet = 0
		}
		last = now
		if quiet == settleQuiet {
			break
		}
	}
	return last - from
}

const (
	settleEvery = 250 * time.Millisecond
	settleQuiet = 4
	settleMax   = time.Minute
)
