package gateway

import "slices"

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}
