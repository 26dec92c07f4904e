package confdiff

import (
	"fmt"
	"strings"
)

// maxDiffCells bounds the work of the line matching: above it, the lines
// between the common prefix and suffix are shown as replaced wholesale.
const maxDiffCells = 4 << 20

// contextLines is the number of unchanged lines shown around a change.
const contextLines = 3

type opKind byte

const (
	opEqual  opKind = ' '
	opDelete opKind = '-'
	opInsert opKind = '+'
)

type lineOp struct {
	kind opKind
	text string
}

// lineDiff returns the edit script turning a into b: a longest common
// subsequence of lines, computed after trimming the common prefix and
// suffix.
func lineDiff(a, b []string) []lineOp {
	var ops []lineOp
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		ops = append(ops, lineOp{opEqual, a[pre]})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	ops = append(ops, lcsOps(ma, mb)...)
	for _, s := range a[len(a)-suf:] {
		ops = append(ops, lineOp{opEqual, s})
	}
	return ops
}

// lcsOps matches a and b by dynamic programming over their longest common
// subsequence; deletions come before insertions in each changed run.
func lcsOps(a, b []string) []lineOp {
	n, m := len(a), len(b)
	var ops []lineOp
	if n == 0 || m == 0 || n*m > maxDiffCells {
		for _, s := range a {
			ops = append(ops, lineOp{opDelete, s})
		}
		for _, s := range b {
			ops = append(ops, lineOp{opInsert, s})
		}
		return ops
	}
	// l[i][j] is the length of the LCS of a[i:] and b[j:].
	w := m + 1
	l := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			} else {
				l[i*w+j] = max(l[(i+1)*w+j], l[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	var ins []lineOp
	flush := func() {
		ops = append(ops, ins...)
		ins = ins[:0]
	}
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			flush()
			ops = append(ops, lineOp{opEqual, a[i]})
			i++
			j++
		case l[(i+1)*w+j] >= l[i*w+j+1]:
			ops = append(ops, lineOp{opDelete, a[i]})
			i++
		default:
			ins = append(ins, lineOp{opInsert, b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, lineOp{opDelete, a[i]})
	}
	flush()
	for ; j < m; j++ {
		ops = append(ops, lineOp{opInsert, b[j]})
	}
	return ops
}

// unified formats the difference between the texts a and b as a unified
// diff with three lines of context, headed by "--- nameA" and "+++ nameB".
// It returns "" when the texts are equal.
func unified(nameA, nameB, a, b string) string {
	if a == b {
		return ""
	}
	ops := lineDiff(splitLines(a), splitLines(b))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
	// lineA and lineB are the 1-based line numbers of ops[k] in a and b.
	lineA, lineB := make([]int, len(ops)+1), make([]int, len(ops)+1)
	lineA[0], lineB[0] = 1, 1
	for k, op := range ops {
		lineA[k+1], lineB[k+1] = lineA[k], lineB[k]
		if op.kind != opInsert {
			lineA[k+1]++
		}
		if op.kind != opDelete {
			lineB[k+1]++
		}
	}
	for k := 0; k < len(ops); {
		if ops[k].kind == opEqual {
			k++
			continue
		}
		// A hunk starts contextLines before the change and runs until more
		// than twice contextLines equal lines follow the last change.
		start := max(0, k-contextLines)
		end := k
		for end < len(ops) {
			if ops[end].kind != opEqual {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == opEqual {
				run++
			}
			if run == len(ops) || run-end > 2*contextLines {
				end = min(end+contextLines, len(ops))
				break
			}
			end = run
		}
		countA, countB := 0, 0
		for _, op := range ops[start:end] {
			if op.kind != opInsert {
				countA++
			}
			if op.kind != opDelete {
				countB++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(lineA[start], countA), hunkRange(lineB[start], countB))
		for _, op := range ops[start:end] {
			out.WriteByte(byte(op.kind))
			out.WriteString(op.text)
			out.WriteByte('\n')
		}
		k = end
	}
	return out.String()
}

// hunkRange formats "start,count" as unified diffs do: a range of one line
// is written without its count, and an empty range names the line before it.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
