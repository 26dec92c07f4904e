package kql

import (
	"fmt"
	"sort"
	"strings"
)

// unknownName builds the message for a name that resolves to nothing:
// Log Analytics' wording, then the column meant when the table documents it
// (ClientIp is CallerIpAddress), then near names by edit distance.
func unknownName(kind, opName, name string, candidates []string, aliases map[string]Alias) string {
	msg := fmt.Sprintf("Failed to resolve %s named '%s'", kind, name)
	if opName != "" {
		msg = fmt.Sprintf("'%s' operator: %s", opName, msg)
	}
	if a, ok := aliases[name]; ok && contains(candidates, a.Column) {
		return fmt.Sprintf("%s; the column meant is %s (%s)", msg, a.Column, a.Note)
	}
	if s := suggest(name, candidates); len(s) > 0 {
		q := make([]string, len(s))
		for i, c := range s {
			q[i] = "'" + c + "'"
		}
		return fmt.Sprintf("%s; did you mean %s?", msg, strings.Join(q, " or "))
	}
	return msg
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns up to three candidates near name: the same name in other
// case, then those within an edit distance of about a third of its length.
func suggest(name string, candidates []string) []string {
	type near struct {
		s string
		d int
	}
	var out []near
	lname := strings.ToLower(name)
	limit := max(1, len(name)/3)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		switch {
		case lc == lname:
			out = append(out, near{c, 0})
		case len(name) >= 4 && (strings.Contains(lc, lname) || strings.Contains(lname, lc)) && len(c) >= 4:
			out = append(out, near{c, limit})
		default:
			if d := editDistance(lname, lc); d <= limit {
				out = append(out, near{c, d})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].d < out[j].d })
	var s []string
	for i := 0; i < len(out) && i < 3; i++ {
		s = append(s, out[i].s)
	}
	return s
}

// editDistance is the Levenshtein distance between a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
