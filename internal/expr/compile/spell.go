package compile

import (
	"sort"
	"strings"
)

// nearest returns the candidate closest to name (case-insensitive edit
// distance), or "" when none is close enough.
func nearest(name string, cands []string) string {
	limit := min(3, len(name)/3+1)
	sort.Strings(cands)
	best, bestD := "", limit+1
	ln := strings.ToLower(name)
	for _, c := range cands {
		if c == name {
			continue
		}
		d := distance(ln, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
